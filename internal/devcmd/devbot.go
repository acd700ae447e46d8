package devcmd

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// Bounds on the bot's lifecycle.
const (
	readyTimeout = 30 * time.Second // from start to its health check answering
	stopTimeout  = 5 * time.Second  // from SIGTERM to SIGKILL
)

// build compiles the bot's main package pkg in the module at root into
// bin, and returns the go command's output when it fails. The flags are
// those of `go run` (no -trimpath), so a cold build reuses the standard
// library compiled for the sociogram command itself; -buildvcs=false keeps
// the binary the same until the code changes.
func build(ctx context.Context, goCmd, root, pkg, bin string) (string, error) {
	cmd := exec.CommandContext(ctx, goCmd, "build", "-buildvcs=false", "-o", bin, pkg)
	cmd.Dir = root
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		text := strings.TrimSpace(out.String())
		if text == "" {
			text = err.Error()
		}
		return text, err
	}
	return "", nil
}

// fileHash is the SHA-256 of a file: a build whose binary is unchanged (an
// edit of a package the bot does not import) needs no restart.
func fileHash(p string) ([32]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return [32]byte{}, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return [32]byte{}, err
	}
	return [32]byte(h.Sum(nil)), nil
}

// botProc is a running bot: its process (in a group of its own) and the
// channel closed when it has exited, after which err says how.
type botProc struct {
	cmd  *exec.Cmd
	bin  string
	hash [32]byte
	done chan struct{}
	err  error
}

// startBot starts bin in dir with env added to this process's environment;
// its output goes to stdout and stderr.
func startBot(bin, dir string, env []string, stdout, stderr io.Writer) (*botProc, error) {
	cmd := exec.Command(bin)
	cmd.Dir = dir
	cmd.Env = append(cmd.Environ(), env...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	ownGroup(cmd)
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &botProc{cmd: cmd, bin: bin, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// hasExited reports whether the bot has ended.
func (p *botProc) hasExited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// exited describes how the bot ended.
func (p *botProc) exited() string {
	if p.err == nil {
		return "exit status 0"
	}
	return p.err.Error()
}

// stop ends the bot's process group: SIGTERM (the bot shuts down
// gracefully), then SIGKILL after stopTimeout.
func (p *botProc) stop() {
	if p.hasExited() {
		return
	}
	signalGroup(p.cmd.Process.Pid, syscall.SIGTERM)
	t := time.NewTimer(stopTimeout)
	defer t.Stop()
	select {
	case <-p.done:
	case <-t.C:
		signalGroup(p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
	}
	// Whatever the bot started is stopped too, even if the bot was quicker.
	signalGroup(p.cmd.Process.Pid, syscall.SIGKILL)
}

// errBotExited: the bot ended before it answered.
var errBotExited = errors.New("the bot exited")

// waitReady polls the bot's health check until it answers 200, the bot
// exits, readyTimeout passes or ctx ends.
func (p *botProc) waitReady(ctx context.Context, healthURL string) error {
	hc := &http.Client{Timeout: time.Second}
	deadline := time.NewTimer(readyTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, healthURL, nil)
		if resp, err := hc.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-p.done:
			return fmt.Errorf("%w (%s) before it answered", errBotExited, p.exited())
		case <-ctx.Done():
			return ctx.Err()
		case <-deadline.C:
			return fmt.Errorf("the bot did not answer %s within %s", healthURL, readyTimeout)
		case <-tick.C:
		}
	}
}
