package handler_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/sociogramtest"
)

const token = "tok-4a1f0c9e"

// recorder is a Sender that records replies in memory.
type recorder struct {
	mu   sync.Mutex
	sent []string
	err  error
}

func (r *recorder) Send(_ context.Context, uid int64, msg handler.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return r.err
	}
	b, _ := json.Marshal(msg)
	r.sent = append(r.sent, string(b))
	return nil
}

func newBot(t *testing.T, logs *bytes.Buffer, opts ...handler.Option) (*handler.Mux, *recorder) {
	t.Helper()
	rec := &recorder{}
	if logs == nil {
		logs = &bytes.Buffer{}
	}
	opts = append([]handler.Option{
		handler.WithSender(rec),
		handler.WithLogger(slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
	}, opts...)
	b, err := handler.New(token, opts...)
	if err != nil {
		t.Fatal(err)
	}
	b.OnAnyText(func(ctx context.Context, ev *handler.Event) error { return ev.Reply(ctx, "echo: "+ev.Text) })
	b.OnCallback("boom", func(context.Context, *handler.Event) error { panic("kaboom") })
	b.OnCallback("fail", func(context.Context, *handler.Event) error { return errors.New("handler failed") })
	return b, rec
}

func serve(b http.Handler, method, ct, key string, body []byte) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, "/webhook", bytes.NewReader(body))
	if ct != "" {
		r.Header.Set("Content-Type", ct)
	}
	if key != "" {
		r.Header.Set(handler.HeaderAppKey, key)
	}
	w := httptest.NewRecorder()
	b.ServeHTTP(w, r)
	return w
}

func TestStatusTable(t *testing.T) {
	chat := sociogramtest.ChatMessage(7, "hi")
	tests := []struct {
		name, method, ct, key string
		body                  []byte
		status                int
		replies               int
	}{
		{"GET", "GET", "", token, nil, 405, 0},
		{"DELETE", "DELETE", "application/json", token, chat, 405, 0},
		{"missing key", "POST", "application/json", "", chat, 401, 0},
		{"wrong key", "POST", "application/json", "nope", chat, 401, 0},
		{"wrong key on a bad method is still 405", "PATCH", "", "nope", chat, 405, 0},
		{"too large", "POST", "application/json", token, bytes.Repeat([]byte(" "), handler.DefaultMaxBodyBytes+1), 413, 0},
		{"wrong content type", "POST", "text/plain", token, chat, 415, 0},
		{"json-like content type", "POST", "application/json-patch+json", token, chat, 415, 0},
		{"json with charset", "POST", "application/json; charset=utf-8", token, chat, 200, 1},
		{"JSON upper case media type", "POST", "Application/JSON", token, chat, 200, 1},
		{"no content type", "POST", "", token, chat, 200, 1},
		{"not JSON", "POST", "application/json", token, []byte("nope"), 400, 0},
		{"no data", "POST", "application/json", token, []byte(`{"x":1}`), 400, 0},
		{"null data", "POST", "application/json", token, []byte(`{"data":null}`), 400, 0},
		{"wrong field type", "POST", "application/json", token, []byte(`{"data":{"chat-message":{"uid":true}}}`), 400, 0},
		{"unknown events only", "POST", "application/json", token, []byte(`{"data":{"new-thing":{}}}`), 200, 0},
		{"handled", "POST", "application/json", token, chat, 200, 1},
		{"handler error", "POST", "application/json", token, sociogramtest.CallbackQuery(7, "fail"), 500, 0},
		{"handler panic", "POST", "application/json", token, sociogramtest.CallbackQuery(7, "boom"), 500, 0},
		{"no route", "POST", "application/json", token, sociogramtest.CallbackQuery(7, "other"), 200, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, rec := newBot(t, nil)
			w := serve(b, tt.method, tt.ct, tt.key, tt.body)
			if w.Code != tt.status {
				t.Errorf("status = %d, want %d (body %q)", w.Code, tt.status, w.Body)
			}
			if tt.status == 405 && w.Header().Get("Allow") != "POST" {
				t.Errorf("Allow = %q", w.Header().Get("Allow"))
			}
			if len(rec.sent) != tt.replies {
				t.Errorf("replies = %d, want %d", len(rec.sent), tt.replies)
			}
		})
	}
}

func TestUnauthorizedRevealsNothing(t *testing.T) {
	b, _ := newBot(t, nil)
	missing := serve(b, "POST", "application/json", "", []byte("not json"))
	wrong := serve(b, "POST", "application/json", token+"x", sociogramtest.ChatMessage(1, "hi"))
	if missing.Body.String() != wrong.Body.String() || missing.Body.String() != "Unauthorized\n" {
		t.Errorf("401 bodies differ or say more than Unauthorized: %q vs %q", missing.Body, wrong.Body)
	}
}

func TestBadRequestSaysWhy(t *testing.T) {
	b, _ := newBot(t, nil)
	w := serve(b, "POST", "application/json", token, []byte(`{"data":{"chat-message":{"uid":"1"}}}`))
	if got := w.Body.String(); !strings.Contains(got, "wrong JSON type") || !strings.Contains(got, "uid") {
		t.Errorf("400 body = %q, want the reason and the field", got)
	}
}

func TestBodyLimitConfigurable(t *testing.T) {
	b, _ := newBot(t, nil, handler.WithMaxBodyBytes(64))
	body := sociogramtest.ChatMessage(1, strings.Repeat("x", 64))
	r := httptest.NewRequest("POST", "/webhook", bytes.NewReader(body))
	r.ContentLength = -1 // unknown length: the limit must hold while reading
	r.Header.Set(handler.HeaderAppKey, token)
	w := httptest.NewRecorder()
	b.ServeHTTP(w, r)
	if w.Code != 413 {
		t.Errorf("status = %d, want 413", w.Code)
	}
}

func TestSeveralTokensAccepted(t *testing.T) {
	b, rec := newBot(t, nil, handler.WithAcceptedTokens("old-token"))
	for _, key := range []string{token, "old-token"} {
		if w := serve(b, "POST", "", key, sociogramtest.ChatMessage(1, "hi")); w.Code != 200 {
			t.Errorf("key %d: status %d", len(key), w.Code)
		}
	}
	if len(rec.sent) != 2 {
		t.Errorf("replies = %d, want 2", len(rec.sent))
	}
}

func TestNewWithoutToken(t *testing.T) {
	if _, err := handler.New(""); !errors.Is(err, handler.ErrNoToken) {
		t.Fatalf("err = %v, want ErrNoToken", err)
	}
	if _, err := handler.New("", handler.WithVerifier(handler.NewKeyring("t"))); err != nil {
		t.Fatalf("with a verifier: %v", err)
	}
}

func TestPanicLoggedWithStack(t *testing.T) {
	var logs bytes.Buffer
	b, _ := newBot(t, &logs)
	serve(b, "POST", "", token, sociogramtest.CallbackQuery(7, "boom"))
	var line map[string]any
	if err := json.Unmarshal(logs.Bytes(), &line); err != nil {
		t.Fatalf("want exactly one JSON log line, got %q", logs.String())
	}
	if line["level"] != "ERROR" || line["status"] != float64(500) || !strings.Contains(line["error"].(string), "kaboom") {
		t.Errorf("log line = %v", line)
	}
	if s, _ := line["stack"].(string); !strings.Contains(s, "mux_test.go") {
		t.Errorf("stack does not point at the panicking handler: %q", s)
	}
}

func TestOneLogLinePerRequest(t *testing.T) {
	var logs bytes.Buffer
	b, _ := newBot(t, &logs)
	serve(b, "POST", "", token, sociogramtest.ChatMessage(42, "hi"))
	var line map[string]any
	if err := json.Unmarshal(logs.Bytes(), &line); err != nil {
		t.Fatalf("want exactly one JSON log line, got %q", logs.String())
	}
	for k, want := range map[string]any{"msg": "webhook", "event": "chat-message", "uid": float64(42), "status": float64(200)} {
		if line[k] != want {
			t.Errorf("%s = %v, want %v", k, line[k], want)
		}
	}
	if _, ok := line["duration_ms"].(float64); !ok {
		t.Errorf("no duration_ms in %v", line)
	}
}

// TestTokenNeverLogged sends every kind of request at debug level, with a
// sender whose error would carry the token if anything passed it through.
func TestTokenNeverLogged(t *testing.T) {
	var logs bytes.Buffer
	b, rec := newBot(t, &logs)
	bodies := [][]byte{sociogramtest.ChatMessage(1, "hi"), sociogramtest.CallbackQuery(1, "boom"),
		sociogramtest.CallbackQuery(1, "fail"), []byte("junk"), []byte(`{"data":{"chat-message":{"uid":"x"}}}`)}
	for _, key := range []string{token, token + "x", ""} {
		for _, method := range []string{"POST", "GET"} {
			for _, body := range bodies {
				w := serve(b, method, "application/json", key, body)
				if strings.Contains(w.Body.String(), token) {
					t.Fatalf("response leaks the token: %q", w.Body)
				}
			}
		}
	}
	rec.err = errors.New("upstream said no")
	serve(b, "POST", "", token, sociogramtest.ChatMessage(1, "hi"))
	if strings.Contains(logs.String(), token) {
		t.Fatal("the token appears in the logs")
	}
	if !strings.Contains(logs.String(), `reply to uid 1`) {
		t.Errorf("a lost reply is not logged with its uid: %s", logs.String())
	}
}

func TestFailedReplyIs500EvenIfHandlerIgnoresIt(t *testing.T) {
	rec := &recorder{err: errors.New("api down")}
	b, err := handler.New(token, handler.WithSender(rec), handler.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	var hooked error
	b.OnAnyText(func(ctx context.Context, ev *handler.Event) error {
		ev.Reply(ctx, "ignored error")
		return nil
	})
	b2, _ := handler.New(token, handler.WithSender(rec), handler.WithLogger(slog.New(slog.DiscardHandler)),
		handler.WithErrorHandler(func(_ context.Context, _ *handler.Event, err error) { hooked = err }))
	b2.OnAnyText(func(ctx context.Context, ev *handler.Event) error { return ev.Reply(ctx, "x") })
	if w := serve(b, "POST", "", token, sociogramtest.ChatMessage(1, "hi")); w.Code != 500 {
		t.Errorf("status = %d, want 500", w.Code)
	}
	serve(b2, "POST", "", token, sociogramtest.ChatMessage(9, "hi"))
	var re *handler.ReplyError
	if !errors.As(hooked, &re) || re.UID != 9 {
		t.Errorf("error hook got %v, want a *ReplyError for uid 9", hooked)
	}
}

func TestDeadline(t *testing.T) {
	var got time.Duration
	b, err := handler.New(token, handler.WithTimeout(time.Hour), handler.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	b.OnAnyText(func(ctx context.Context, ev *handler.Event) error {
		dl, _ := ctx.Deadline()
		got = time.Until(dl)
		return nil
	})
	r := httptest.NewRequest("POST", "/webhook", bytes.NewReader(sociogramtest.ChatMessage(1, "hi")))
	r.Header.Set(handler.HeaderAppKey, token)
	ctx, cancel := context.WithTimeout(r.Context(), time.Minute)
	defer cancel()
	b.ServeHTTP(httptest.NewRecorder(), r.WithContext(ctx))
	if got > time.Minute || got < 50*time.Second {
		t.Errorf("handler deadline in %s, want the platform's shorter 1m", got)
	}
	b2, _ := handler.New(token, handler.WithLogger(slog.New(slog.DiscardHandler)))
	b2.OnAnyText(func(ctx context.Context, ev *handler.Event) error {
		dl, _ := ctx.Deadline()
		got = time.Until(dl)
		return nil
	})
	r = httptest.NewRequest("POST", "/webhook", bytes.NewReader(sociogramtest.ChatMessage(1, "hi")))
	r.Header.Set(handler.HeaderAppKey, token)
	b2.ServeHTTP(httptest.NewRecorder(), r)
	if got > handler.DefaultTimeout || got < handler.DefaultTimeout-5*time.Second {
		t.Errorf("handler deadline in %s, want the default %s", got, handler.DefaultTimeout)
	}
}

func TestMaxInFlight(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	b, err := handler.New(token, handler.WithMaxInFlight(1), handler.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	b.OnAnyText(func(context.Context, *handler.Event) error {
		entered <- struct{}{}
		<-release
		return nil
	})
	done := make(chan int)
	go func() { done <- serve(b, "POST", "", token, sociogramtest.ChatMessage(1, "slow")).Code }()
	<-entered
	w := serve(b, "POST", "", token, sociogramtest.ChatMessage(2, "second"))
	if w.Code != 503 || w.Header().Get("Retry-After") != "1" {
		t.Errorf("over the limit: %d, Retry-After %q; want 503, 1", w.Code, w.Header().Get("Retry-After"))
	}
	close(release)
	if code := <-done; code != 200 {
		t.Errorf("first webhook: %d", code)
	}
	go func() { <-entered }()
	if w := serve(b, "POST", "", token, sociogramtest.ChatMessage(3, "third")); w.Code != 200 {
		t.Errorf("after the first finished: %d, want 200", w.Code)
	}
}

// maybeSender accepts nothing and reports every send as possibly delivered.
type maybeSender struct{}

func (maybeSender) Send(context.Context, int64, handler.Message) error {
	return fmt.Errorf("post: %w", handler.ErrMaybeDelivered)
}

func TestMaybeDeliveredIs200WithWarning(t *testing.T) {
	var logs bytes.Buffer
	b, err := handler.New(token, handler.WithSender(maybeSender{}),
		handler.WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
	if err != nil {
		t.Fatal(err)
	}
	b.OnAnyText(func(ctx context.Context, ev *handler.Event) error { return ev.Reply(ctx, "hi") })
	if w := serve(b, "POST", "", token, sociogramtest.ChatMessage(77, "x")); w.Code != 200 {
		t.Errorf("status %d, want 200: a redelivery could duplicate the reply", w.Code)
	}
	if !strings.Contains(logs.String(), `"level":"WARN"`) || !strings.Contains(logs.String(), "reply to uid 77") {
		t.Errorf("log = %s, want a warning naming the uid", logs.String())
	}
}
