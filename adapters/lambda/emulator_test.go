package lambdaadapter_test

import (
	"bytes"
	"fmt"
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

	"github.com/sociogram-kit/kit/internal/testtools"
)

// emulator is the built bootstrap running under aws-lambda-rie.
type emulator struct {
	url string
	mu  sync.Mutex // the emulator crashes under concurrent invokes
	out *lockedBuffer
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// buildBootstrap builds the bootstrap as make does, for this machine.
func buildBootstrap(t testing.TB) string {
	t.Helper()
	return testtools.Build(t, "./adapters/lambda/cmd/bootstrap", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w")
}

// startEmulator runs bootstrap under aws-lambda-rie (itself under timeout,
// in its own process group so the test's end stops all three) with env.
func startEmulator(t testing.TB, bootstrap string, env ...string) *emulator {
	t.Helper()
	rie := testtools.Require(t, "aws-lambda-rie")
	timeout := testtools.Require(t, "timeout")
	p1, p2 := testtools.FreePort(t), testtools.FreePort(t)
	out := startGroup(t, timeout, env, "300", rie,
		"--runtime-interface-emulator-address", "127.0.0.1:"+strconv.Itoa(p1),
		"--runtime-api-address", "127.0.0.1:"+strconv.Itoa(p2),
		bootstrap)
	addr := "127.0.0.1:" + strconv.Itoa(p1)
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
	return &emulator{url: "http://" + addr + "/2015-03-31/functions/function/invocations", out: out}
}

// invoke sends one event and returns the function's output, one invoke at a
// time.
func (e *emulator) invoke(t testing.TB, event []byte) []byte {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	resp, err := http.Post(e.url, "application/json", bytes.NewReader(event))
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

func (e *emulator) output() string { return e.out.String() }

func envList(kv map[string]string) []string {
	var env []string
	for k, v := range kv {
		env = append(env, fmt.Sprintf("%s=%s", k, v))
	}
	return env
}

// startGroup runs path in its own process group and kills the whole group
// when the test ends.
func startGroup(t testing.TB, path string, env []string, args ...string) *lockedBuffer {
	t.Helper()
	cmd := exec.Command(path, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}, env...)
	out := &lockedBuffer{}
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
