package config_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sociogram-kit/kit/config"
	"github.com/sociogram-kit/kit/handler"
)

// TestNewClientRedactsEveryToken: during a rotation (SOCIOGRAM_BOT_TOKEN=new,old)
// an API error echoing either token shows neither.
func TestNewClientRedactsEveryToken(t *testing.T) {
	const newTok, oldTok = "new-token-5b0c2e91", "old-token-a7d3f604"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		w.Write([]byte("sent " + r.Header.Get(handler.HeaderAppKey) + ", registered " + oldTok))
	}))
	defer srv.Close()
	c, err := config.FromEnv(env(map[string]string{config.EnvToken: newTok + "," + oldTok, config.EnvAPIURL: srv.URL}))
	if err != nil {
		t.Fatal(err)
	}
	err = c.NewClient(handler.NewKeyring(c.Tokens...)).Send(context.Background(), 1, handler.Message{Text: "x"})
	if err == nil || strings.Contains(err.Error(), newTok) || strings.Contains(err.Error(), oldTok) {
		t.Errorf("err = %v, want both tokens redacted", err)
	}
}
