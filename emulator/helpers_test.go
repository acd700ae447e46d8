package emulator_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sociogram-kit/kit/emulator"
	"github.com/sociogram-kit/kit/sociogramtest"
)

const token = "emu-test-token-7d1e"

// fakeClock is a clock tests move by hand. Its Sleep advances it, so a
// botapi.Client given it retries at once.
type fakeClock struct{ *sociogramtest.Clock }

func newClock() *fakeClock {
	return &fakeClock{sociogramtest.NewClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))}
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if d > 0 {
		c.Advance(d)
	}
	return ctx.Err()
}

// start serves a new emulator on loopback.
func start(t *testing.T, opts ...emulator.Option) (*emulator.Emulator, string) {
	t.Helper()
	emu, err := emulator.New(token, opts...)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	return emu, srv.URL
}

type answer struct {
	Status int
	Header http.Header
	Body   string
}

func call(t *testing.T, method, url string, header map[string]string, body string) answer {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, string(b)}
}

// send calls send-message as the bot does.
func send(t *testing.T, base, body string) answer {
	t.Helper()
	return call(t, http.MethodPost, base+emulator.SendPath,
		map[string]string{"X-App-Key": token, "Content-Type": "application/json"}, body)
}

// pageCall calls the page's JSON API.
func pageCall(t *testing.T, method, url string, v any) answer {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return call(t, method, url, map[string]string{"Content-Type": "application/json"}, string(b))
}

// lastLog returns the newest log entry.
func lastLog(t *testing.T, emu *emulator.Emulator) emulator.LogEntry {
	t.Helper()
	l := emu.State().Log
	if len(l) == 0 {
		t.Fatal("the log is empty")
	}
	return l[len(l)-1]
}

// noToken fails if the token appears in the emulator's state (what the page shows).
func noToken(t *testing.T, emu *emulator.Emulator) {
	t.Helper()
	b, err := json.Marshal(emu.State())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), token) {
		t.Errorf("the token appears in the emulator's state: %s", b)
	}
}
