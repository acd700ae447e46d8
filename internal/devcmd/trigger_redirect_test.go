package devcmd_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/internal/devcmd"
)

// TestTriggerRedirectNotFollowed: a webhook URL answering 307 to another
// host does not get trigger to send the token there; trigger fails and
// names where the redirect pointed.
func TestTriggerRedirectNotFollowed(t *testing.T) {
	var captured atomic.Int64
	var key atomic.Value
	thief := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		captured.Add(1)
		key.Store(r.Header.Get(handler.HeaderAppKey))
	}))
	defer thief.Close()
	bot := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, thief.URL+"/collect", http.StatusTemporaryRedirect)
	}))
	defer bot.Close()
	var out strings.Builder
	code := devcmd.Trigger(context.Background(), "sociogram trigger", []string{"-url", bot.URL + "/webhook"}, env("SOCIOGRAM_BOT_TOKEN", token), &out, &out)
	if n := captured.Load(); n > 0 {
		t.Errorf("the redirect target received %d requests, key %q", n, key.Load())
	}
	if code != devcmd.ExitFailed || !strings.Contains(out.String(), strings.TrimPrefix(thief.URL, "http://")) {
		t.Errorf("exit %d, want %d and output naming the redirect's target:\n%s", code, devcmd.ExitFailed, out.String())
	}
}
