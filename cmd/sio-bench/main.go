package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(mainArgs(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// mainArgs is main with its inputs and outputs given; it returns the exit
// status: 0 after a run (errors during the run are counted in the
// result, not in the status), 2 for bad flags, 1 when the run could not
// start.
func mainArgs(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cfg, err := parseConfig(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "sio-bench: %v\n", err)
		return 2
	}
	if cfg.worker != "" {
		if err := runChild(cfg, stdin, stdout); err != nil {
			fmt.Fprintf(stderr, "sio-bench worker %s: %v\n", cfg.worker, err)
			return 1
		}
		return 0
	}
	res, err := run(cfg, args, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "sio-bench: %v\n", err)
		return 1
	}
	res.print(stdout)
	return 0
}
