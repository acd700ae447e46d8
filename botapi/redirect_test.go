package botapi_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/sociogram-kit/kit/botapi"
	"github.com/sociogram-kit/kit/handler"
)

// TestRedirectNotFollowed: an API answering a redirect to another host (or
// from https to http) never makes the client send the token there; the
// error names where the redirect pointed and is not retried.
func TestRedirectNotFollowed(t *testing.T) {
	for _, status := range []int{301, 302, 307, 308} {
		var captured atomic.Int64
		var keys atomic.Value
		thief := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			captured.Add(1)
			keys.Store(r.Header.Get(handler.HeaderAppKey))
			w.Write([]byte(`{"success":true,"messageId":"stolen"}`))
		}))
		var calls atomic.Int64
		api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			http.Redirect(w, r, thief.URL+"/collect", status)
		}))
		c := botapi.New(token, botapi.WithBaseURL(api.URL), botapi.WithRateLimit(false), botapi.WithClock(newFakeClock()))
		_, err := c.SendMessage(context.Background(), 1, handler.Message{Text: "x"})
		api.Close()
		thief.Close()
		if n := captured.Load(); n > 0 {
			t.Errorf("%d: the redirect target received %d requests, key %q", status, n, keys.Load())
		}
		if !errors.Is(err, botapi.ErrRedirect) || !strings.Contains(err.Error(), strings.TrimPrefix(thief.URL, "http://")) {
			t.Errorf("%d: err = %v, want ErrRedirect naming %s", status, err, thief.URL)
		}
		if calls.Load() != 1 {
			t.Errorf("%d: %d calls, want 1 (a redirect is not retried)", status, calls.Load())
		}
	}
}

// TestRedirectNotFollowedWithOwnHTTPClient: a client given its own
// http.Client (WithHTTPClient) follows no redirect either, and the caller's
// client is left as it was.
func TestRedirectNotFollowedWithOwnHTTPClient(t *testing.T) {
	var captured atomic.Int64
	thief := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { captured.Add(1) }))
	defer thief.Close()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, thief.URL, http.StatusTemporaryRedirect)
	}))
	defer api.Close()
	own := &http.Client{}
	c := botapi.New(token, botapi.WithBaseURL(api.URL), botapi.WithHTTPClient(own), botapi.WithRateLimit(false))
	if err := c.Send(context.Background(), 1, handler.Message{Text: "x"}); !errors.Is(err, botapi.ErrRedirect) {
		t.Errorf("err = %v, want ErrRedirect", err)
	}
	if captured.Load() > 0 {
		t.Error("the redirect target received the request")
	}
	if own.CheckRedirect != nil {
		t.Error("the caller's http.Client was changed")
	}
}
