package wsframe

// Buffered reports whether d holds a reassembly buffer from the pool.
func (d *Decoder) Buffered() bool { return d.buf != nil }
