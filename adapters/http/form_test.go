package httpadapter_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	httpadapter "github.com/sociogram-kit/kit/adapters/http"
	"github.com/sociogram-kit/kit/config"
	"github.com/sociogram-kit/kit/examples/form"
	"github.com/sociogram-kit/kit/internal/conformance"
	"github.com/sociogram-kit/kit/internal/testtools"
	"github.com/sociogram-kit/kit/sociogramtest"
)

// TestFormInProcess runs the conversation example (examples/form) through
// httpadapter.Run in this process, over plain HTTP, with its state in the
// embedded file (the server's default): the scripted order, a failed reply
// redelivered at two steps, /cancel (conformance.RunForm). A server restarted
// on the same file then still lists the order.
func TestFormInProcess(t *testing.T) {
	start := time.Now()
	api := sociogramtest.NewServer(t, conformance.Token)
	env := map[string]string{config.EnvToken: conformance.Token, config.EnvAPIURL: api.URL,
		config.EnvRateLimit: "off", config.EnvStateFile: filepath.Join(t.TempDir(), "state.db")}

	url, stop := serveForm(t, env)
	conformance.RunForm(t, api.API, conformance.DeliverHTTP(url))
	if err := stop(); err != nil {
		t.Fatalf("Run returned %v after a graceful stop", err)
	}

	url, stop = serveForm(t, env)
	defer stop()
	api.Reset()
	if r := conformance.Send(t, url, conformance.Chat("/orders")); r.Status != 200 {
		t.Fatalf("/orders after a restart: status %d", r.Status)
	}
	if sent := api.Sent(); len(sent) != 1 || sent[0].Message.Text != conformance.FormOrders {
		t.Errorf("/orders after a restart: got %+v, want %q", sent, conformance.FormOrders)
	}
	t.Logf("total %s", time.Since(start).Round(time.Millisecond))
}

// serveForm runs httpadapter.Run on the form bot with env until the test
// stops it, and returns the webhook URL and a function that stops it and
// waits. The server's log must not hold the token.
func serveForm(t *testing.T, env map[string]string) (string, func() error) {
	t.Helper()
	port := testtools.FreePort(t)
	env[config.EnvPort] = strconv.Itoa(port)
	ctx, cancel := context.WithCancel(context.Background())
	logs := &testtools.Buffer{}
	done := make(chan error, 1)
	go func() { done <- httpadapter.Run(ctx, func(k string) string { return env[k] }, logs, form.Register) }()
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	testtools.WaitHTTP(t, base+httpadapter.HealthPath, 10*time.Second)
	stopped := false
	var err error
	stop := func() error {
		if !stopped {
			stopped = true
			cancel()
			err = <-done
			if t.Failed() {
				t.Logf("server log:\n%s", logs)
			}
			if strings.Contains(logs.String(), conformance.Token) {
				t.Error("the token appears in the server's log")
			}
		}
		return err
	}
	t.Cleanup(func() { stop() })
	return base + httpadapter.WebhookPath, stop
}
