package testtools

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Lambda is a function's bootstrap running under aws-lambda-rie, the Lambda
// runtime interface emulator.
type Lambda struct {
	url string
	mu  sync.Mutex // the emulator crashes under concurrent invokes
	out *Buffer
}

// StartLambda runs bootstrap under rie (the aws-lambda-rie executable), with
// env added to a minimal environment, and stops it when the test ends. rie
// runs under timeout (found on PATH; rie hangs on bad arguments) in its own
// process group, so the end of the test stops all three.
func StartLambda(t testing.TB, rie, bootstrap string, env ...string) *Lambda {
	t.Helper()
	timeout := Require(t, "timeout")
	p1, p2 := FreePort(t), FreePort(t)
	addr := "127.0.0.1:" + strconv.Itoa(p1)
	out := startGroup(t, timeout, env, "300", rie,
		"--runtime-interface-emulator-address", addr,
		"--runtime-api-address", "127.0.0.1:"+strconv.Itoa(p2),
		bootstrap)
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("aws-lambda-rie did not listen on %s:\n%s", addr, out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	return &Lambda{url: "http://" + addr + "/2015-03-31/functions/function/invocations", out: out}
}

// Invoke sends one event and returns the function's answer, one invoke at a
// time.
func (l *Lambda) Invoke(t testing.TB, event []byte) []byte {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	resp, err := http.Post(l.url, "application/json", bytes.NewReader(event))
	if err != nil {
		t.Fatalf("invoke: %v", err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("invoke: %d %v %s", resp.StatusCode, err, out)
	}
	return out
}

// Output returns what the emulator and the function wrote so far.
func (l *Lambda) Output() string { return l.out.String() }

// startGroup runs path in its own process group and kills the whole group
// when the test ends.
func startGroup(t testing.TB, path string, env []string, args ...string) *Buffer {
	t.Helper()
	cmd := exec.Command(path, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}, env...)
	out := &Buffer{}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
		if t.Failed() {
			t.Logf("output of %s:\n%s", path, out.String())
		}
	})
	return out
}
