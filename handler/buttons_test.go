package handler_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/sociogramtest"
)

type pick struct {
	Product string `json:"p"`
}

var (
	pickButton  = handler.NewSignedButton[pick]("t-pick", handler.ButtonTTL(time.Minute), handler.ButtonForUser())
	plainButton = handler.NewSignedButton[string]("t-plain") // never expires, any user
	loneButton  = handler.NewSignedButton[int]("t-lone")     // no route
)

// buttonSends is a Sender that keeps every message.
type buttonSends struct {
	mu sync.Mutex
	ms []handler.Message
}

func (r *buttonSends) Send(_ context.Context, _ int64, msg handler.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ms = append(r.ms, msg)
	return nil
}

func (r *buttonSends) msgs() []handler.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]handler.Message(nil), r.ms...)
}

func (r *buttonSends) sent() []string {
	var texts []string
	for _, m := range r.msgs() {
		texts = append(texts, m.Text)
	}
	return texts
}

// buttonBot: "/menu" replies with a pick, a plain and a lone button; picks
// and plains are routed, clicks that must not be are recorded in invalid.
type buttonBot struct {
	mux     *handler.Mux
	out     *buttonSends
	clock   *sociogramtest.Clock
	token   string
	invalid []error
}

func newButtonBot(t *testing.T, token string, opts ...handler.Option) *buttonBot {
	t.Helper()
	b := &buttonBot{out: &buttonSends{}, clock: sociogramtest.NewClock(time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)), token: token}
	m, err := handler.New(token, append([]handler.Option{handler.WithSender(b.out), handler.WithClock(b.clock.Now),
		handler.WithLogger(slog.New(slog.DiscardHandler))}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	m.OnCommand("menu", func(ctx context.Context, ev *handler.Event) error {
		return ev.Reply(ctx, "menu", handler.Row(pickButton.Button(ev, "Tea", pick{"tea"}),
			plainButton.Button(ev, "Plain", "x"), loneButton.Button(ev, "Lone", 7)))
	})
	handler.OnSignedButton(m, pickButton, func(ctx context.Context, ev *handler.Event, p pick) error {
		return ev.Reply(ctx, "picked "+p.Product)
	})
	handler.OnSignedButton(m, plainButton, func(ctx context.Context, ev *handler.Event, s string) error {
		return ev.Reply(ctx, "plain "+s)
	})
	m.OnCallback("plain-data", func(ctx context.Context, ev *handler.Event) error { return ev.Reply(ctx, "ordinary") })
	m.OnFallback(handler.EventCallbackQuery, func(ctx context.Context, ev *handler.Event) error {
		return ev.Reply(ctx, "normal route")
	})
	m.OnInvalidButton(func(ctx context.Context, ev *handler.Event, err error) error {
		b.invalid = append(b.invalid, err)
		return handler.DefaultInvalidButton(ctx, ev, err)
	})
	b.mux = m
	return b
}

// serve delivers body and returns the status and the replies' texts.
func (b *buttonBot) serve(t *testing.T, body []byte) (int, []string) {
	t.Helper()
	before := len(b.out.sent())
	rec := httptest.NewRecorder()
	b.mux.ServeHTTP(rec, sociogramtest.NewRequest(b.token, body))
	return rec.Code, b.out.sent()[before:]
}

// menu returns the data of the pick, plain and lone buttons made for uid.
func (b *buttonBot) menu(t *testing.T, uid int64) (pickData, plainData, loneData string) {
	t.Helper()
	before := len(b.out.msgs())
	if code, _ := b.serve(t, sociogramtest.ChatMessage(uid, "/menu")); code != 200 {
		t.Fatalf("/menu answered %d", code)
	}
	row := b.out.msgs()[before].ButtonMarkup[0]
	return row[0].CallbackData, row[1].CallbackData, row[2].CallbackData
}

func TestSignedButtons(t *testing.T) {
	other := newButtonBot(t, "another-token")
	otherPick, _, _ := other.menu(t, 1)

	cases := []struct {
		name  string
		data  func(pick, plain, lone string) string
		uid   int64
		later time.Duration // the clock moves this far first
		reply string
		err   error // what OnInvalidButton got; nil: not called
	}{
		{"valid click", func(p, _, _ string) string { return p }, 1, 0, "picked tea", nil},
		{"valid just before expiry", func(p, _, _ string) string { return p }, 1, 59 * time.Second, "picked tea", nil},
		{"expired", func(p, _, _ string) string { return p }, 1, time.Minute, "Sorry, this button has expired. Please start again.", handler.ErrButtonExpired},
		{"another user's click", func(p, _, _ string) string { return p }, 2, 0, "Sorry, this button was meant for someone else.", handler.ErrButtonOtherUser},
		{"unbound kind: another user may click", func(_, pl, _ string) string { return pl }, 2, 0, "plain x", nil},
		{"never expires", func(_, pl, _ string) string { return pl }, 1, 1000 * time.Hour, "plain x", nil},
		{"tampered payload", func(p, _, _ string) string { return flip(p, len(p)-30) }, 1, 0, "Sorry, this button no longer works. Please start again.", handler.ErrButtonInvalid},
		{"tampered tag", func(p, _, _ string) string { return flip(p, len(p)-1) }, 1, 0, "Sorry, this button no longer works. Please start again.", handler.ErrButtonInvalid},
		{"renamed to another kind", func(_, pl, _ string) string { return strings.Replace(pl, "t-plain", "t-pick", 1) }, 1, 0, "Sorry, this button no longer works. Please start again.", handler.ErrButtonInvalid},
		{"signed with another key", func(string, string, string) string { return otherPick }, 1, 0, "Sorry, this button no longer works. Please start again.", handler.ErrButtonInvalid},
		{"truncated", func(p, _, _ string) string { return p[:len(p)-4] }, 1, 0, "Sorry, this button no longer works. Please start again.", handler.ErrButtonInvalid},
		{"prefix only", func(string, string, string) string { return "~" }, 1, 0, "Sorry, this button no longer works. Please start again.", handler.ErrButtonInvalid},
		{"known name, no body", func(string, string, string) string { return "~t-pick." }, 1, 0, "Sorry, this button no longer works. Please start again.", handler.ErrButtonInvalid},
		{"not base64", func(string, string, string) string { return "~t-pick.!!!!" }, 1, 0, "Sorry, this button no longer works. Please start again.", handler.ErrButtonInvalid},
		{"unknown kind", func(string, string, string) string { return "~nope.AAAAAAAAAAAAAAAAAAAAAAAA" }, 1, 0, "Sorry, this button no longer works. Please start again.", handler.ErrButtonInvalid},
		{"huge", func(string, string, string) string { return "~t-pick." + strings.Repeat("A", 5000) }, 1, 0, "Sorry, this button no longer works. Please start again.", handler.ErrButtonInvalid},
		{"valid but unrouted kind", func(_, _, l string) string { return l }, 1, 0, "Sorry, this button no longer works. Please start again.", handler.ErrButtonUnrouted},
		{"ordinary data: its own route", func(string, string, string) string { return "plain-data" }, 1, 0, "ordinary", nil},
		{"ordinary data: the fallback", func(string, string, string) string { return "t-pick.xyz" }, 1, 0, "normal route", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := newButtonBot(t, "tok")
			p, pl, l := b.menu(t, 1)
			b.clock.Advance(c.later)
			code, replies := b.serve(t, sociogramtest.CallbackQuery(c.uid, c.data(p, pl, l)))
			if code != 200 || len(replies) != 1 || replies[0] != c.reply {
				t.Errorf("answered %d, replies %q; want 200 and %q", code, replies, c.reply)
			}
			switch {
			case c.err == nil && len(b.invalid) > 0:
				t.Errorf("OnInvalidButton called with %v", b.invalid)
			case c.err != nil && (len(b.invalid) != 1 || !errors.Is(b.invalid[0], c.err)):
				t.Errorf("OnInvalidButton got %v, want %v", b.invalid, c.err)
			}
		})
	}
}

// flip changes the base64 character at i to another one.
func flip(s string, i int) string {
	c := byte('A')
	if s[i] == 'A' {
		c = 'B'
	}
	return s[:i] + string(c) + s[i+1:]
}

func TestSignedButtonKeys(t *testing.T) {
	oldKey, newKey := []byte(strings.Repeat("o", 32)), []byte(strings.Repeat("n", 32))
	before := newButtonBot(t, "tok", handler.WithButtonKey(oldKey))
	p, _, _ := before.menu(t, 1)

	rotated := newButtonBot(t, "tok", handler.WithButtonKey(newKey, oldKey))
	if _, replies := rotated.serve(t, sociogramtest.CallbackQuery(1, p)); len(replies) != 1 || replies[0] != "picked tea" {
		t.Errorf("old key kept: %q, want the click accepted", replies)
	}
	if np, _, _ := rotated.menu(t, 1); np == p {
		t.Error("the rotated bot signs with the old key")
	}
	dropped := newButtonBot(t, "tok", handler.WithButtonKey(newKey))
	dropped.serve(t, sociogramtest.CallbackQuery(1, p))
	if len(dropped.invalid) != 1 || !errors.Is(dropped.invalid[0], handler.ErrButtonInvalid) {
		t.Errorf("old key dropped: OnInvalidButton got %v, want ErrButtonInvalid", dropped.invalid)
	}

	// The default key is derived from the token: the same token, the same
	// key (another instance accepts the click); a rotated token does not.
	a, b := newButtonBot(t, "tok"), newButtonBot(t, "tok")
	pa, _, _ := a.menu(t, 1)
	if _, replies := b.serve(t, sociogramtest.CallbackQuery(1, pa)); len(replies) != 1 || replies[0] != "picked tea" {
		t.Errorf("same token, another instance: %q", replies)
	}
	if strings.Contains(pa, "tok") {
		t.Errorf("data %q shows the token", pa)
	}
	c := newButtonBot(t, "new-tok", handler.WithAcceptedTokens("tok"))
	if _, replies := c.serve(t, sociogramtest.CallbackQuery(1, pa)); len(replies) != 1 || replies[0] != "picked tea" {
		t.Errorf("rotation with the old token accepted: %q, want the click accepted", replies)
	}

	noKey, _ := handler.New("", handler.WithVerifier(handler.NewKeyring("tok")), handler.WithLogger(slog.New(slog.DiscardHandler)))
	noKey.OnCommand("menu", func(ctx context.Context, ev *handler.Event) error {
		return ev.Reply(ctx, "menu", handler.Row(pickButton.Button(ev, "Tea", pick{"tea"})))
	})
	rec := httptest.NewRecorder()
	noKey.ServeHTTP(rec, sociogramtest.NewRequest("tok", sociogramtest.ChatMessage(1, "/menu")))
	if rec.Code != 500 {
		t.Errorf("a button made without a key (no token, no WithButtonKey): %d, want 500", rec.Code)
	}

	if _, err := handler.New("tok", handler.WithButtonKey([]byte("short"))); err == nil || !strings.Contains(err.Error(), "at least 16") {
		t.Errorf("short key: err = %v", err)
	}
}

// A payload the bot signs stays small: the data length for typical kinds.
func TestSignedButtonLength(t *testing.T) {
	b := newButtonBot(t, "tok")
	p, pl, l := b.menu(t, 1234567890)
	for _, c := range []struct {
		what, data string
		max        int
	}{
		{`{"p":"tea"}, expiry and uid`, p, 60},
		{`"x", nothing else`, pl, 40},
		{"7, nothing else", l, 40},
	} {
		t.Logf("%s: %d bytes: %s", c.what, len(c.data), c.data)
		if len(c.data) > c.max {
			t.Errorf("%s: %d bytes, want at most %d", c.what, len(c.data), c.max)
		}
	}
}

func TestSignedButtonDecodeOutsideClicks(t *testing.T) {
	b := newButtonBot(t, "tok")
	var got error
	b.mux.OnCommand("try", func(ctx context.Context, ev *handler.Event) error {
		_, got = pickButton.Decode(ev)
		return nil
	})
	b.serve(t, sociogramtest.ChatMessage(1, "/try"))
	if !errors.Is(got, handler.ErrButtonInvalid) {
		t.Errorf("Decode of a chat-message: %v, want ErrButtonInvalid", got)
	}
	if _, err := pickButton.Decode(&handler.Event{Type: handler.EventCallbackQuery, CallbackData: "~t-pick.AAAA"}); !errors.Is(err, handler.ErrButtonInvalid) {
		t.Errorf("Decode of an event no Mux dispatched: %v", err)
	}
}

func TestNewSignedButtonPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"empty name":      func() { handler.NewSignedButton[int]("") },
		"dot in the name": func() { handler.NewSignedButton[int]("a.b") },
		"long name":       func() { handler.NewSignedButton[int](strings.Repeat("a", 17)) },
		"declared twice":  func() { handler.NewSignedButton[int]("t-pick") },
		"not JSON":        func() { handler.NewSignedButton[func()]("t-func") },
		"zero TTL":        func() { handler.ButtonTTL(0) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			f()
		})
	}
}
