package botapi_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sociogram-kit/kit/botapi"
	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/internal/testtools"
	"github.com/sociogram-kit/kit/sociogramtest"
)

const token = "api-token-83be1d"

// fakeClock advances only when slept on, so backoff and spacing cost no real
// time. It records every sleep.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Now()} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.sleeps = append(c.sleeps, d)
		c.now = c.now.Add(d)
	}
	return ctx.Err()
}

func (c *fakeClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

func newClient(api *sociogramtest.Server, clk *fakeClock, opts ...botapi.Option) *botapi.Client {
	return botapi.New(token, append([]botapi.Option{botapi.WithBaseURL(api.URL), botapi.WithClock(clk)}, opts...)...)
}

func TestSendWireShape(t *testing.T) {
	api := sociogramtest.NewServer(t, token)
	c := newClient(api, newFakeClock())
	id, err := c.SendMessage(context.Background(), 12345, handler.Message{
		Text: "Hello! How can I help you today?",
		ButtonMarkup: [][]handler.Button{{
			handler.CallbackButton("Get Started", "start_action"),
			handler.URLButton("Help", "https://example.com/help"),
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	sent := api.Sent()
	if len(sent) != 1 || id != sent[0].MessageID {
		t.Fatalf("sent %d, id %q", len(sent), id)
	}
	want := `{"uid":12345,"message":{"text":"Hello! How can I help you today?","buttonMarkup":[[{"text":"Get Started","callbackData":"start_action"},{"text":"Help","url":"https://example.com/help"}]]}}`
	if got := strings.TrimSpace(string(sent[0].Body)); got != want {
		t.Errorf("body\n got %s\nwant %s", got, want)
	}
}

func TestRetries(t *testing.T) {
	tests := []struct {
		name     string
		faults   []sociogramtest.Fault
		sleeps   []time.Duration
		requests int // the number of faults consumed plus the final success
	}{
		{"429 honours Retry-After", []sociogramtest.Fault{{Status: 429, RetryAfter: "3"}}, []time.Duration{3 * time.Second}, 2},
		{"5xx backs off", []sociogramtest.Fault{{Status: 503}, {Status: 502}, {Status: 500}}, []time.Duration{250 * time.Millisecond, 500 * time.Millisecond, time.Second}, 4},
		{"Retry-After as a date", []sociogramtest.Fault{{Status: 503, RetryAfter: "Mon, 02 Jan 2006 15:04:05 GMT"}}, []time.Duration{250 * time.Millisecond}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := sociogramtest.NewServer(t, token)
			api.Inject(tt.faults...)
			clk := newFakeClock()
			if err := newClient(api, clk, botapi.WithRateLimit(false)).Send(context.Background(), 1, handler.Message{Text: "x"}); err != nil {
				t.Fatal(err)
			}
			if len(api.Sent()) != 1 {
				t.Errorf("delivered %d times, want once", len(api.Sent()))
			}
			if got := clk.Sleeps(); !equalDurations(got, tt.sleeps) {
				t.Errorf("slept %v, want %v", got, tt.sleeps)
			}
		})
	}
}

func equalDurations(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestPermanentErrors(t *testing.T) {
	api := sociogramtest.NewServer(t, token)
	c := newClient(api, newFakeClock(), botapi.WithRateLimit(false))

	api.Inject(sociogramtest.Fault{Status: 400})
	err := c.Send(context.Background(), 1, handler.Message{Text: "x"})
	var ae *botapi.APIError
	if !errors.As(err, &ae) || ae.Status != 400 || ae.Temporary() || !strings.Contains(ae.Body, "injected fault") {
		t.Errorf("err = %v, want a permanent *APIError 400 with the body excerpt", err)
	}

	api.Inject(sociogramtest.Fault{Status: 503}, sociogramtest.Fault{Status: 503}, sociogramtest.Fault{Status: 503}, sociogramtest.Fault{Status: 503})
	err = c.Send(context.Background(), 1, handler.Message{Text: "x"})
	if !errors.As(err, &ae) || ae.Status != 503 {
		t.Errorf("after 4 attempts err = %v, want *APIError 503", err)
	}
	if len(api.Sent()) != 0 {
		t.Errorf("sent %d", len(api.Sent()))
	}

	bad := botapi.New("wrong", botapi.WithBaseURL(api.URL))
	if err := bad.Send(context.Background(), 1, handler.Message{Text: "x"}); !errors.As(err, &ae) || ae.Status != 401 {
		t.Errorf("wrong token: %v", err)
	}
	if err := c.Send(context.Background(), 0, handler.Message{Text: "x"}); !errors.Is(err, botapi.ErrBadUID) {
		t.Errorf("uid 0: %v", err)
	}
}

func TestSuccessFalse(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"success":false,"error":"user blocked the bot, key ` + r.Header.Get("X-App-Key") + `"}`))
	}))
	defer srv.Close()
	err := botapi.New(token, botapi.WithBaseURL(srv.URL)).Send(context.Background(), 1, handler.Message{Text: "x"})
	var ae *botapi.APIError
	if !errors.As(err, &ae) || ae.Status != 200 || ae.Temporary() {
		t.Fatalf("err = %v, want *APIError with status 200", err)
	}
	if strings.Contains(err.Error(), token) || !strings.Contains(err.Error(), "[REDACTED]") {
		t.Errorf("the token an API echoed is not redacted: %v", err)
	}
}

func TestRetryAfterPastDeadline(t *testing.T) {
	api := sociogramtest.NewServer(t, token)
	api.Inject(sociogramtest.Fault{Status: 429, RetryAfter: "30"})
	clk := newFakeClock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := newClient(api, clk, botapi.WithRateLimit(false)).Send(ctx, 1, handler.Message{Text: "x"})
	var ae *botapi.APIError
	if !errors.Is(err, botapi.ErrDeadline) || !errors.As(err, &ae) || ae.RetryAfter != 30*time.Second {
		t.Errorf("err = %v, want ErrDeadline carrying the 429", err)
	}
	if len(clk.Sleeps()) != 0 {
		t.Errorf("slept %v although the wait could not fit the deadline", clk.Sleeps())
	}
}

// TestNoDuplicateWhenResponseLost: the API accepted the message and the
// connection died before the answer. Sending again would duplicate it.
func TestNoDuplicateWhenResponseLost(t *testing.T) {
	api := sociogramtest.NewServer(t, token)
	api.Inject(sociogramtest.Fault{Drop: sociogramtest.DropAfter})
	err := newClient(api, newFakeClock(), botapi.WithRateLimit(false)).Send(context.Background(), 1, handler.Message{Text: "x"})
	if !errors.Is(err, botapi.ErrMaybeDelivered) {
		t.Errorf("err = %v, want ErrMaybeDelivered", err)
	}
	if n := len(api.Sent()); n != 1 {
		t.Errorf("delivered %d times, want exactly once", n)
	}
}

// TestHangUpKeepsReply: when the webhook's context is cancelled during the
// call (the platform hung up), the error is ErrDeadline and Temporary, so
// the core keeps the reply for the redelivery; a *url.Error around
// context.Canceled says Temporary() == false, which once dropped it.
func TestHangUpKeepsReply(t *testing.T) {
	arrived, stop := make(chan struct{}), make(chan struct{})
	var once sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		once.Do(func() { close(arrived) })
		select { // never answer
		case <-r.Context().Done():
		case <-stop:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(stop) }) // runs first
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-arrived; cancel() }()
	c := botapi.New(token, botapi.WithBaseURL(srv.URL), botapi.WithClock(newFakeClock()), botapi.WithRateLimit(false))
	err := c.Send(ctx, 1, handler.Message{Text: "x"})
	var tmp interface{ Temporary() bool }
	if !errors.Is(err, botapi.ErrDeadline) || !errors.As(err, &tmp) || !tmp.Temporary() {
		t.Errorf("err = %v: want ErrDeadline, Temporary", err)
	}
}

// TestRetryWhenNotSent: a connection that fails before the request is written
// is safe to retry.
func TestRetryWhenNotSent(t *testing.T) {
	port := testtools.FreePort(t) // nothing listens here
	clk := newFakeClock()
	c := botapi.New(token, botapi.WithBaseURL("http://127.0.0.1:"+strconv.Itoa(port)), botapi.WithClock(clk), botapi.WithRateLimit(false))
	err := c.Send(context.Background(), 1, handler.Message{Text: "x"})
	if err == nil || errors.Is(err, botapi.ErrMaybeDelivered) {
		t.Fatalf("err = %v", err)
	}
	if n := len(clk.Sleeps()); n != 3 {
		t.Errorf("retried %d times, want 3", n)
	}
	// The core keeps a reply in the user's outbox, to be sent again on the
	// redelivery, unless the error says trying again cannot help: a request
	// that never left (connection refused) always may pass later, whatever
	// the net error inside says (*url.Error's Temporary is false for a
	// refused connection, which once dropped the reply).
	var tmp interface{ Temporary() bool }
	if !errors.As(err, &tmp) || !tmp.Temporary() {
		t.Errorf("a request not sent reads as permanent (the core would drop the reply): %v", err)
	}
}

// recordingTransport notes the fake clock's time at each request.
type recordingTransport struct {
	clk  *fakeClock
	mu   sync.Mutex
	all  []time.Time
	next http.RoundTripper
}

func (rt *recordingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rt.mu.Lock()
	now := rt.clk.Now()
	rt.all = append(rt.all, now)
	rt.mu.Unlock()
	return rt.next.RoundTrip(r)
}

func TestRateSpacing(t *testing.T) {
	api := sociogramtest.NewServer(t, token)
	clk := newFakeClock()
	start := clk.Now()
	rt := &recordingTransport{clk: clk, next: http.DefaultTransport}
	c := newClient(api, clk, botapi.WithHTTPClient(&http.Client{Transport: rt}))
	// Two messages to one user, then 60 more to different users.
	for i := range 62 {
		uid := int64(1000 + i)
		if i == 1 {
			uid = 1000
		}
		if err := c.Send(context.Background(), uid, handler.Message{Text: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	at := rt.all
	if d := at[1].Sub(at[0]); d < time.Second {
		t.Errorf("two messages to one user %s apart, want at least 1s", d)
	}
	for i := 60; i < len(at); i++ {
		if d := at[i].Sub(at[i-60]); d < 60*time.Second {
			t.Errorf("messages %d and %d are %s apart: more than 60 in 60s", i-60, i, d)
		}
	}
	if d := at[60].Sub(start); d < 60*time.Second || d > 62*time.Second {
		t.Errorf("the 61st message went at +%s, want just after +60s", d)
	}
	if len(api.Sent()) != 62 {
		t.Errorf("sent %d", len(api.Sent()))
	}
}

func TestRateWaitPastDeadline(t *testing.T) {
	api := sociogramtest.NewServer(t, token)
	clk := newFakeClock()
	c := newClient(api, clk)
	if err := c.Send(context.Background(), 1, handler.Message{Text: "a"}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	if err := c.Send(ctx, 1, handler.Message{Text: "b"}); !errors.Is(err, botapi.ErrDeadline) {
		t.Errorf("err = %v, want ErrDeadline: the per-user wait does not fit", err)
	}
	if len(api.Sent()) != 1 {
		t.Errorf("sent %d, want 1", len(api.Sent()))
	}
}

func TestRateLimitOff(t *testing.T) {
	api := sociogramtest.NewServer(t, token)
	clk := newFakeClock()
	c := newClient(api, clk, botapi.WithRateLimit(false))
	for range 70 {
		if err := c.Send(context.Background(), 1, handler.Message{Text: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	if len(clk.Sleeps()) != 0 {
		t.Errorf("slept %d times with spacing off", len(clk.Sleeps()))
	}
}
