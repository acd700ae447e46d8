package httpadapter_test

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	httpadapter "github.com/sociogram-kit/kit/adapters/http"
	"github.com/sociogram-kit/kit/internal/conformance"
	"github.com/sociogram-kit/kit/internal/testtools"
	"github.com/sociogram-kit/kit/sociogramtest"
)

// TestBinaryRefusesToStartWithoutToken: bin/webhook (the fixture's: the same
// lines as the real main) exits non-zero naming the variable to fix.
func TestBinaryRefusesToStartWithoutToken(t *testing.T) {
	bin := testtools.Build(t, testtools.FixtureWebhook)
	for _, env := range [][]string{{}, {"SOCIOGRAM_BOT_TOKEN=x", "LOG_LEVEL=loud"}, {"SOCIOGRAM_BOT_TOKEN=x", "SOCIOGRAM_RATE_LIMIT=maybe"}, {"SOCIOGRAM_BOT_TOKEN=x", "SOCIOGRAM_API_URL=ftp://x"}} {
		cmd := exec.Command(bin)
		cmd.Env = append(env, "PORT=0")
		out, err := cmd.CombinedOutput()
		ee, ok := err.(*exec.ExitError)
		if !ok || ee.ExitCode() == 0 {
			t.Errorf("env %v: err = %v, want a non-zero exit", env, err)
		}
		name := "SOCIOGRAM_BOT_TOKEN"
		if len(env) > 1 {
			name, _, _ = strings.Cut(env[1], "=")
		}
		if !strings.Contains(string(out), name) {
			t.Errorf("env %v: message %q does not name %s", env, out, name)
		}
	}
}

// TestGracefulShutdown sends the fixture's bin/webhook SIGTERM while a webhook waits on a slow Bot API:
// the webhook must still be answered 200 and its reply delivered.
func TestGracefulShutdown(t *testing.T) {
	api := sociogramtest.NewServer(t, conformance.Token)
	api.Inject(sociogramtest.Fault{Latency: 700 * time.Millisecond})
	bin := testtools.Build(t, testtools.FixtureWebhook)
	port := testtools.FreePort(t)
	p := testtools.Start(t, bin, []string{"SOCIOGRAM_BOT_TOKEN=" + conformance.Token, "SOCIOGRAM_API_URL=" + api.URL, fmt.Sprintf("PORT=%d", port)})
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	testtools.WaitHTTP(t, base+httpadapter.HealthPath, 10*time.Second)

	done := make(chan sociogramtest.Response, 1)
	go func() {
		resp, err := sociogramtest.Deliver(context.Background(), base+httpadapter.WebhookPath, conformance.Token, sociogramtest.ChatMessage(12345, "hello"))
		if err != nil {
			t.Error(err)
		}
		done <- resp
	}()
	time.Sleep(200 * time.Millisecond) // the webhook is now waiting on the slow API

	p.Cmd.Process.Signal(syscall.SIGTERM)
	if resp := <-done; resp.Status != 200 {
		t.Errorf("in-flight webhook answered %d, want 200", resp.Status)
	}
	if err := p.Cmd.Wait(); err != nil {
		t.Errorf("exit after SIGTERM: %v", err)
	}
	conformance.CheckReplies(t, api.API, []string{conformance.ReplyHello("hello")})
}
