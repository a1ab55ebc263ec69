// Package ascii compares the ASCII tokens of HTTP and Engine.IO requests
// (header names and values, query values) without allocating. It has no
// state.
package ascii

// EqualFold reports whether b equals s, ASCII letters compared without
// case (bytes outside A–Z and a–z must match exactly).
func EqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range len(b) {
		x, y := b[i], s[i]
		if x == y {
			continue
		}
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
