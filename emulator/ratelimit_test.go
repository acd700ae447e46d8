package emulator_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sociogram-kit/kit/botapi"
	"github.com/sociogram-kit/kit/emulator"
	"github.com/sociogram-kit/kit/handler"
)

func msg(uid int) string { return fmt.Sprintf(`{"uid":%d,"message":{"text":"m"}}`, uid) }

// TestPerUserLimit: one message per second per user, 429 with Retry-After
// in between, other users unaffected, and a rejected call books nothing.
func TestPerUserLimit(t *testing.T) {
	clk := newClock()
	emu, base := start(t, emulator.WithClock(clk), emulator.WithRateLimitSlack(0),
		emulator.WithUser(1, "A"), emulator.WithUser(2, "B"))
	if a := send(t, base, msg(1)); a.Status != 200 {
		t.Fatalf("first: %d %s", a.Status, a.Body)
	}
	clk.Advance(300 * time.Millisecond)
	a := send(t, base, msg(1))
	if a.Status != http.StatusTooManyRequests || a.Header.Get("Retry-After") != "1" {
		t.Fatalf("second after 300ms: %d Retry-After %q, want 429 and 1", a.Status, a.Header.Get("Retry-After"))
	}
	if !strings.Contains(a.Body, "1 message per second per user") {
		t.Errorf("body %s", a.Body)
	}
	if l := lastLog(t, emu); l.OK || l.Status != 429 || !strings.Contains(l.Reason, "per user") {
		t.Errorf("log entry = %+v", l)
	}
	if a := send(t, base, msg(2)); a.Status != 200 {
		t.Errorf("another user: %d", a.Status)
	}
	clk.Advance(699 * time.Millisecond) // 999 ms after the first
	if a := send(t, base, msg(1)); a.Status != 429 {
		t.Errorf("at 999ms: %d, want 429", a.Status)
	}
	clk.Advance(time.Millisecond) // exactly 1 s: the rejected calls booked nothing
	if a := send(t, base, msg(1)); a.Status != 200 {
		t.Errorf("at 1s: %d %s, want 200", a.Status, a.Body)
	}
	if n := len(emu.State().Chats[1]); n != 2 {
		t.Errorf("%d bubbles for uid 1, want 2", n)
	}
}

// TestSlack: with the default slack a message a little early is accepted,
// one well early is not.
func TestSlack(t *testing.T) {
	clk := newClock()
	_, base := start(t, emulator.WithClock(clk), emulator.WithUser(1, "A"))
	send(t, base, msg(1))
	clk.Advance(time.Second - emulator.DefaultSlack - time.Millisecond)
	if a := send(t, base, msg(1)); a.Status != 429 {
		t.Errorf("before the slack: %d, want 429", a.Status)
	}
	clk.Advance(2 * time.Millisecond)
	if a := send(t, base, msg(1)); a.Status != 200 {
		t.Errorf("within the slack: %d, want 200", a.Status)
	}
}

// TestPerBotLimit: 60 messages per minute per bot, whichever users they go
// to, with Retry-After counting to when the oldest leaves the window.
func TestPerBotLimit(t *testing.T) {
	clk := newClock()
	var opts []emulator.Option
	for uid := 1; uid <= 62; uid++ {
		opts = append(opts, emulator.WithUser(int64(uid), fmt.Sprint("U", uid)))
	}
	_, base := start(t, append(opts, emulator.WithClock(clk), emulator.WithRateLimitSlack(0))...)
	for uid := 1; uid <= 60; uid++ {
		if a := send(t, base, msg(uid)); a.Status != 200 {
			t.Fatalf("message %d: %d %s", uid, a.Status, a.Body)
		}
		clk.Advance(500 * time.Millisecond) // 60 messages in 30 s
	}
	a := send(t, base, msg(61))
	if a.Status != 429 || !strings.Contains(a.Body, "60 messages per minute per bot") {
		t.Fatalf("61st: %d %s, want 429", a.Status, a.Body)
	}
	if ra := a.Header.Get("Retry-After"); ra != "30" {
		t.Errorf("Retry-After = %q, want 30 (the first message leaves the window in 30 s)", ra)
	}
	clk.Advance(29*time.Second + 999*time.Millisecond)
	if a := send(t, base, msg(61)); a.Status != 429 || a.Header.Get("Retry-After") != "1" {
		t.Errorf("1 ms early: %d Retry-After %q, want 429 and 1", a.Status, a.Header.Get("Retry-After"))
	}
	clk.Advance(time.Millisecond)
	if a := send(t, base, msg(61)); a.Status != 200 {
		t.Errorf("after the window: %d %s", a.Status, a.Body)
	}
	if a := send(t, base, msg(62)); a.Status != 429 {
		t.Errorf("the next one, still 60 in the window: %d, want 429", a.Status)
	}
}

// TestRealClientHonoursLimits: the kit's own Bot API client, with its
// spacing off, hits the per-user limit, reads Retry-After and gets through
// on the retry, so a bot can be tried against the limits locally.
func TestRealClientHonoursLimits(t *testing.T) {
	clk := newClock()
	emu, base := start(t, emulator.WithClock(clk), emulator.WithRateLimitSlack(0), emulator.WithUser(12345, "Alice"))
	client := botapi.New(token, botapi.WithBaseURL(base), botapi.WithRateLimit(false), botapi.WithClock(clk))
	for i := range 2 {
		if err := client.Send(context.Background(), 12345, handler.Message{Text: fmt.Sprint("reply ", i)}); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	var statuses []int
	for _, l := range emu.State().Log {
		statuses = append(statuses, l.Status)
	}
	if fmt.Sprint(statuses) != "[200 429 200]" {
		t.Errorf("API calls answered %v, want [200 429 200]", statuses)
	}
	if n := len(emu.State().Chats[12345]); n != 2 {
		t.Errorf("%d bubbles, want 2", n)
	}
}
