package lambdaadapter_test

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sociogram-kit/kit/internal/testtools"
)

// emulator is a built bootstrap running under aws-lambda-rie.
type emulator struct {
	url string
	mu  sync.Mutex // the emulator crashes under concurrent invokes
	out *testtools.Buffer
}

var (
	bootstrapMu    sync.Mutex
	bootstrapBuilt = map[string]string{}
)

// fixtureRule is a make rule building the fixture bot's bootstrap
// (internal/fixture/cmd/bootstrap) with the Makefile's own Lambda build
// command, the one build-WebhookFunction runs on the real main.
const fixtureRule = "--eval=kit-fixture-bootstrap: ; $(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap " + testtools.FixtureBootstrap

// buildBootstrap builds the fixture bot's bootstrap for this machine as sam
// build builds the real one, for the tests that check replies.
func buildBootstrap(t testing.TB) string { return makeBootstrap(t, runtime.GOARCH) }

// makeBootstrap builds the fixture bot's bootstrap for arch.
func makeBootstrap(t testing.TB, arch string) string {
	return makeTarget(t, arch, fixtureRule, "kit-fixture-bootstrap")
}

// buildRealBootstrap builds the kit's own bootstrap (whatever bot/ holds)
// for this machine exactly as sam build does, with the Makefile's
// build-WebhookFunction target: only its deploy proof uses it.
func buildRealBootstrap(t testing.TB) string {
	return makeTarget(t, runtime.GOARCH, "build-WebhookFunction")
}

// buildSender builds the reply queue's sender (no bot in it) for this
// machine as sam build does, with the Makefile's build-SenderFunction target.
func buildSender(t testing.TB) string {
	return makeTarget(t, runtime.GOARCH, "build-SenderFunction")
}

// makeTarget runs make with args (ending with a target writing
// ARTIFACTS_DIR/bootstrap) for arch, once per test binary, and returns the
// bootstrap's path.
func makeTarget(t testing.TB, arch string, args ...string) string {
	t.Helper()
	make := testtools.Require(t, "make")
	bootstrapMu.Lock()
	defer bootstrapMu.Unlock()
	key := strings.Join(args, " ") + "/" + arch
	if p, ok := bootstrapBuilt[key]; ok {
		return p
	}
	dir, err := os.MkdirTemp("", "kit-lambda-")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(make, append([]string{"--no-print-directory", "ARTIFACTS_DIR=" + dir, "LAMBDA_ARCH=" + arch}, args...)...)
	cmd.Dir = testtools.Root()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make %s: %v\n%s", args[len(args)-1], err, out)
	}
	bootstrapBuilt[key] = filepath.Join(dir, "bootstrap")
	return bootstrapBuilt[key]
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
func startGroup(t testing.TB, path string, env []string, args ...string) *testtools.Buffer {
	t.Helper()
	cmd := exec.Command(path, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}, env...)
	out := &testtools.Buffer{}
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
