package emulator_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/sociogram-kit/kit/emulator"
)

// redirector answers every request with status to a capturing server, and
// counts what the capturing server receives.
func redirector(t *testing.T, status int) (url string, captured *atomic.Int64, thiefHost string) {
	t.Helper()
	captured = new(atomic.Int64)
	thief := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		captured.Add(1)
		w.Write([]byte(`{}`))
	}))
	t.Cleanup(thief.Close)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, thief.URL+r.URL.Path, status)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, captured, strings.TrimPrefix(thief.URL, "http://")
}

// TestWebhookRedirectNotFollowed: a bot URL that redirects elsewhere never
// gets the emulator to send the token there: not the webhook, not the
// relays of the bot's development endpoints. The delivery fails, naming
// where the redirect pointed.
func TestWebhookRedirectNotFollowed(t *testing.T) {
	for _, status := range []int{302, 307, 308} {
		botURL, captured, thief := redirector(t, status)
		emu, base := start(t, emulator.WithUser(12345, "Alice"), emulator.WithBotURL(botURL+"/webhook"))
		o := outcome(t, pageCall(t, "POST", base+emulator.MessagePath, map[string]any{"uid": 12345, "text": "hello"}))
		if o.Log.OK || o.Log.Status != status || !strings.Contains(o.Log.Reason, thief) || !strings.Contains(o.Log.Reason, "not followed") {
			t.Errorf("%d: delivery %+v, want a failure naming %s", status, o.Log, thief)
		}
		call(t, "GET", base+emulator.BotStatePath+"?uid=12345", nil, "")
		pageCall(t, "POST", base+emulator.BotClockPath, map[string]string{"advance": "1h"})
		call(t, "GET", base+emulator.QueuePath, nil, "")
		if n := captured.Load(); n > 0 {
			t.Errorf("%d: the redirect target received %d requests", status, n)
		}
		noToken(t, emu)
	}
}

// TestDeliverRedirectNotFollowed: Deliver (what trigger uses) follows no
// redirect even with a client that would, and leaves that client unchanged.
func TestDeliverRedirectNotFollowed(t *testing.T) {
	botURL, captured, thief := redirector(t, http.StatusTemporaryRedirect)
	hc := &http.Client{}
	d := emulator.Deliver(context.Background(), hc, botURL+"/webhook", token, emulator.ChatMessage(1, "c", "hi"))
	if d.OK() || d.Status != http.StatusTemporaryRedirect || !strings.Contains(d.Failure(), thief) {
		t.Errorf("delivery %+v (%s), want a 307 failure naming %s", d, d.Failure(), thief)
	}
	if captured.Load() > 0 || hc.CheckRedirect != nil {
		t.Errorf("the redirect was followed (%d requests) or the caller's client changed", captured.Load())
	}
}
