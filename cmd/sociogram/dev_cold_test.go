//go:build unix

package main

import (
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

var devCold = flag.Bool("dev.cold", false, "TestDevColdStart: time make run from a fresh clone of this checkout with empty Go build and module caches (needs the module proxy; about 20-40 s)")

// TestDevColdStart measures what a first-time user of the kit waits for:
// `make run` in a fresh clone (of this checkout's HEAD) with an empty Go
// build cache and module cache, from the command to the printed URL; then
// -dev.edits timed saves of bot/bot.go, and Ctrl-C to the whole process
// group (make, go run, sociogram dev), as a terminal sends it. The numbers
// are BENCHMARKS.md's "Development loop". Off unless -dev.cold.
func TestDevColdStart(t *testing.T) {
	if !*devCold {
		t.Skip("-dev.cold not set: this test downloads modules and compiles the standard library")
	}
	tmp := t.TempDir()
	t.Cleanup(func() { exec.Command("chmod", "-R", "u+w", tmp).Run() }) // the module cache is read-only
	clone := filepath.Join(tmp, "kit")
	if out, err := exec.Command("git", "clone", "-q", kitRootAbs(t), clone).CombinedOutput(); err != nil {
		t.Fatalf("git clone: %v\n%s", err, out)
	}
	port := freePort(t)
	cmd := exec.Command("make", "run", "PORT="+port, "EMULATOR_ADDR=127.0.0.1:0")
	cmd.Dir = clone
	cmd.Env = append(os.Environ(), "GOCACHE="+filepath.Join(tmp, "cache"), "GOMODCACHE="+filepath.Join(tmp, "mod"), "GOFLAGS=-modcacherw")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	load := func() string {
		b, err := os.ReadFile("/proc/loadavg")
		if f := strings.Fields(string(b)); err == nil && len(f) > 0 {
			return f[0]
		}
		return "?"
	}
	load0, start := load(), time.Now()
	d := startDevCmd(t, cmd, port, func(p *os.Process) error { return syscall.Kill(-p.Pid, syscall.SIGINT) })
	t.Logf("fresh clone, empty caches: make run printed its URL after %.1f s (load average %s -> %s)", time.Since(start).Seconds(), load0, load())

	botGo := filepath.Join(clone, "bot", "bot.go")
	original, err := os.ReadFile(botGo)
	if err != nil {
		t.Fatal(err)
	}
	d.timeEdits(t, botGo, original, 2, *devEdits)
	d.interrupt(t)
	d.stopped(t)
}
