package botapi_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sociogram-kit/kit/botapi"
	"github.com/sociogram-kit/kit/handler"
)

// TestErrorBodyRedactedBeforeCut: an API that echoes the key in its error
// body leaves no part of it in the error, wherever the 200-byte excerpt cuts:
// before the token, across it, or after it.
func TestErrorBodyRedactedBeforeCut(t *testing.T) {
	for _, pad := range []int{0, 150, 190, 195, 199, 200, 260} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(strings.Repeat("x", pad) + r.Header.Get(handler.HeaderAppKey) + " is not allowed"))
		}))
		err := botapi.New(token, botapi.WithBaseURL(srv.URL)).Send(context.Background(), 1, handler.Message{Text: "x"})
		srv.Close()
		var ae *botapi.APIError
		if !errors.As(err, &ae) || ae.Status != 400 {
			t.Fatalf("pad %d: err = %v, want *APIError 400", pad, err)
		}
		for n := 4; n <= len(token); n++ { // no prefix of 4 or more characters
			if strings.Contains(err.Error(), token[:n]) {
				t.Errorf("pad %d: the error holds %d characters of the token: %q", pad, n, err.Error())
				break
			}
		}
	}
}

// TestErrorRedactsEveryToken: with WithRedact (config passes the keyring's
// Redact), a body echoing the other token of a new,old pair is redacted too.
func TestErrorRedactsEveryToken(t *testing.T) {
	const newTok, oldTok = "new-token-5b0c2e91", "old-token-a7d3f604"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		w.Write([]byte("sent " + r.Header.Get(handler.HeaderAppKey) + ", registered " + oldTok))
	}))
	defer srv.Close()
	keys := handler.NewKeyring(newTok, oldTok)
	c := botapi.New("", botapi.WithTokenFunc(keys.Primary), botapi.WithRedact(keys.Redact), botapi.WithBaseURL(srv.URL))
	err := c.Send(context.Background(), 1, handler.Message{Text: "x"})
	if err == nil || strings.Contains(err.Error(), newTok) || strings.Contains(err.Error(), oldTok) {
		t.Errorf("err = %v, want both tokens redacted", err)
	}
	if err != nil && strings.Count(err.Error(), "[REDACTED]") != 2 {
		t.Errorf("err = %v, want two [REDACTED]", err)
	}
}
