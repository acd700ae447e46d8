// Package testtools helps end-to-end tests find external tools, build the
// kit's binaries and start them. Tests that need a tool skip when it is
// missing, unless KIT_REQUIRE_TOOLS=1 (set by .ci/run), where they fail: CI
// must never pass by skipping.
package testtools

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// Root returns the module's root directory.
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// Require returns the path of the named tool, looking in bin/tools and PATH.
// When it is missing the test is skipped, or failed under KIT_REQUIRE_TOOLS=1.
func Require(t testing.TB, name string) string {
	t.Helper()
	return RequireIn(t, filepath.Join(Root(), "bin", "tools"), name)
}

// RequireIn is Require looking in the folder tools (a bot project's
// bin/tools) before PATH.
func RequireIn(t testing.TB, tools, name string) string {
	t.Helper()
	if p := filepath.Join(tools, name); isExec(p) {
		return p
	}
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	msg := fmt.Sprintf("%s not found in %s or PATH (make tools installs it)", name, tools)
	if os.Getenv("KIT_REQUIRE_TOOLS") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

func isExec(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}

// The fixture mains: the kit's entry points on its own test bot (package
// internal/fixture), for the end-to-end tests that check replies. The real
// mains (./adapters/http/cmd/webhook, ./adapters/gcf/cmd/gcf, the bootstrap of
// make build-WebhookFunction) serve whatever bot/ holds: only their deploy
// proofs build them, and those check nothing that depends on the bot.
const (
	FixtureWebhook   = "./internal/fixture/cmd/webhook"
	FixtureGCF       = "./internal/fixture/cmd/gcf"
	FixtureBootstrap = "./internal/fixture/cmd/bootstrap"
)

var (
	buildMu sync.Mutex
	built   = map[string]string{}
	tmpDir  string
)

// Build compiles the package (a path relative to the module root, such as
// FixtureWebhook) once per test binary and returns the executable's path.
// args are extra go build flags (-tags ...).
func Build(t testing.TB, pkg string, args ...string) string {
	t.Helper()
	buildMu.Lock()
	defer buildMu.Unlock()
	key := pkg + "|" + strings.Join(args, " ")
	if p, ok := built[key]; ok {
		return p
	}
	if tmpDir == "" {
		d, err := os.MkdirTemp("", "kit-e2e-")
		if err != nil {
			t.Fatal(err)
		}
		tmpDir = d
	}
	out := filepath.Join(tmpDir, fmt.Sprintf("bin%d", len(built)))
	cmd := exec.Command("go", append(append([]string{"build", "-o", out}, args...), pkg)...)
	cmd.Dir = Root()
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, b)
	}
	built[key] = out
	return out
}

// FreePort returns a loopback port that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// Proc is a started process whose output is captured.
type Proc struct {
	Cmd *exec.Cmd
	out *Buffer
}

// Output returns everything the process wrote to stdout and stderr so far.
func (p *Proc) Output() string { return p.out.String() }

// Start runs path with env (added to a minimal environment) and stops it when
// the test ends.
func Start(t testing.TB, path string, env []string, args ...string) *Proc {
	t.Helper()
	cmd := exec.Command(path, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}, env...)
	buf := &Buffer{}
	cmd.Stdout, cmd.Stderr = buf, buf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &Proc{Cmd: cmd, out: buf}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("output of %s:\n%s", filepath.Base(path), buf.String())
		}
	})
	return p
}

// StartMoto runs moto_server (AWS APIs over real HTTP: Secrets Manager, SQS)
// on loopback for the test and returns its URL, for AWS_ENDPOINT_URL or an
// SDK client's BaseEndpoint.
func StartMoto(t testing.TB) string {
	t.Helper()
	moto := Require(t, "moto_server")
	port := FreePort(t)
	Start(t, moto, nil, "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	WaitHTTP(t, url+"/moto-api/", 30*time.Second)
	return url
}

// WaitHTTP polls url until it answers (any status) or the timeout passes.
func WaitHTTP(t testing.TB, url string, timeout time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s did not answer within %s", url, timeout)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Buffer is a bytes.Buffer safe for concurrent writes, for capturing a
// process's or a logger's output while a test reads it.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
