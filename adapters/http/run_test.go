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
	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/internal/testtools"
	"github.com/sociogram-kit/kit/sociogramtest"
)

type visits struct{ N int }

var visitCount = handler.NewState[visits]("httpadapter_test.visits")

func countVisits(m *handler.Mux) {
	m.OnAnyText(func(ctx context.Context, ev *handler.Event) error {
		v := visitCount.Get(ev)
		v.N++
		return ev.Reply(ctx, "visit "+strconv.Itoa(v.N))
	})
}

// runServer runs httpadapter.Run with env until the test stops it, and
// returns the webhook URL and a function that stops it and waits.
func runServer(t *testing.T, env map[string]string) (string, func() error) {
	t.Helper()
	port := testtools.FreePort(t)
	env["PORT"] = strconv.Itoa(port)
	ctx, cancel := context.WithCancel(context.Background())
	logs := &testtools.Buffer{}
	done := make(chan error, 1)
	go func() { done <- httpadapter.Run(ctx, func(k string) string { return env[k] }, logs, countVisits) }()
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	testtools.WaitHTTP(t, base+httpadapter.HealthPath, 10*time.Second)
	return base + httpadapter.WebhookPath, func() error {
		cancel()
		err := <-done
		if t.Failed() {
			t.Logf("server log:\n%s", logs)
		}
		return err
	}
}

// TestRunKeepsStateAcrossRestarts: Run keeps a stateful bot's per-user state
// in the embedded file by default, so a restarted server goes on counting.
func TestRunKeepsStateAcrossRestarts(t *testing.T) {
	api := sociogramtest.NewServer(t, "run-token")
	env := map[string]string{"SOCIOGRAM_BOT_TOKEN": "run-token", "SOCIOGRAM_API_URL": api.URL,
		"SOCIOGRAM_RATE_LIMIT": "off", "SOCIOGRAM_STATE_FILE": filepath.Join(t.TempDir(), "state", "bot.db")}
	say := func(url, text string) {
		t.Helper()
		resp, err := sociogramtest.Deliver(context.Background(), url, "run-token", sociogramtest.ChatMessage(7, text))
		if err != nil || resp.Status != 200 {
			t.Fatalf("webhook %q: %+v %v", text, resp, err)
		}
	}
	url, stop := runServer(t, env)
	say(url, "a")
	say(url, "b")
	if err := stop(); err != nil {
		t.Fatalf("Run returned %v after a graceful stop", err)
	}
	url, stop = runServer(t, env)
	say(url, "c")
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range api.Sent() {
		got = append(got, s.Message.Text)
	}
	if strings.Join(got, "|") != "visit 1|visit 2|visit 3" {
		t.Errorf("replies = %q, want visit 1..3 across the restart", got)
	}
}

// TestRunConfigErrorsNameTheVariable: Run refuses what it cannot serve,
// naming the variable.
func TestRunConfigErrorsNameTheVariable(t *testing.T) {
	for name, env := range map[string]map[string]string{
		"PORT":                {"SOCIOGRAM_BOT_TOKEN": "t", "PORT": "abc"},
		"SOCIOGRAM_STATE":     {"SOCIOGRAM_BOT_TOKEN": "t", "SOCIOGRAM_STATE": "dynamodb", "SOCIOGRAM_STATE_TABLE": "x"},
		"SOCIOGRAM_BOT_TOKEN": {},
	} {
		err := httpadapter.Run(context.Background(), func(k string) string { return env[k] }, &testtools.Buffer{}, countVisits)
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: err = %v, want one naming it", name, err)
		}
	}
}
