// Package benchexit lets a benchmark's process end with a normal exit when the
// harness says so, for valgrind's callgrind, which writes its counts only at
// a normal exit (a signal, even one the Go program handles, stops callgrind
// 3.19 with an assertion before it writes anything).
//
// The harness makes a FIFO, opens it for writing, names it in
// SOCIOGRAM_BENCH_EXIT_FIFO and starts the process; closing its end after the
// last answered request makes Wait return, and the bench main returns from
// main. Only the bench mains and the floors under bench/ read the variable:
// the kit's own mains and packages never do.
package benchexit

import (
	"fmt"
	"io"
	"os"
)

// EnvFIFO names the FIFO whose end of input ends the process.
const EnvFIFO = "SOCIOGRAM_BENCH_EXIT_FIFO"

// Enabled reports whether the harness asked for a counted exit.
func Enabled() bool { return os.Getenv(EnvFIFO) != "" }

// Wait blocks until the harness closes the FIFO named by
// SOCIOGRAM_BENCH_EXIT_FIFO. It exits the process with status 2 when the
// FIFO cannot be opened, so that a mistake in the harness does not look like
// a measurement.
func Wait() {
	f, err := os.Open(os.Getenv(EnvFIFO))
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchexit:", err)
		os.Exit(2)
	}
	io.Copy(io.Discard, f)
	f.Close()
}

// Go runs serve on a goroutine when the exit FIFO is named and returns after
// Wait, so the caller's main returns normally; without it, it runs serve on
// this goroutine, exactly as the production main does.
func Go(serve func()) {
	if !Enabled() {
		serve()
		return
	}
	go serve()
	Wait()
}
