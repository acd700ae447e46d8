package httpadapter_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	httpadapter "github.com/sociogram-kit/kit/adapters/http"
	"github.com/sociogram-kit/kit/config"
	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/internal/conformance"
	"github.com/sociogram-kit/kit/internal/fixture"
	"github.com/sociogram-kit/kit/internal/testtools"
	"github.com/sociogram-kit/kit/sociogramtest"
)

// TestConformanceInProcess runs the table through the adapter's handler on
// an httptest server, with the real Bot API client talking to the fake.
func TestConformanceInProcess(t *testing.T) {
	api := sociogramtest.NewServer(t, conformance.Token)
	cfg, err := config.FromEnv(func(k string) string {
		return map[string]string{config.EnvToken: conformance.Token, config.EnvAPIURL: api.URL, config.EnvRateLimit: "off"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	b, err := cfg.NewMux(handler.NewKeyring(cfg.Tokens...), slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})), fixture.Register)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(httpadapter.Handler(b))
	defer srv.Close()
	conformance.Run(t, api.API, conformance.DeliverHTTP(srv.URL+httpadapter.WebhookPath))
	if bytes.Contains(logs.Bytes(), []byte(conformance.Token)) {
		t.Error("the token appears in the logs")
	}
}

// TestConformanceBinary runs the table against bin/webhook built on the
// fixture bot (internal/fixture/cmd/webhook: the real main's lines).
func TestConformanceBinary(t *testing.T) {
	api := sociogramtest.NewServer(t, conformance.Token)
	bin := testtools.Build(t, testtools.FixtureWebhook)
	port := testtools.FreePort(t)
	p := testtools.Start(t, bin, []string{
		"SOCIOGRAM_BOT_TOKEN=" + conformance.Token, "SOCIOGRAM_API_URL=" + api.URL,
		"SOCIOGRAM_RATE_LIMIT=off", fmt.Sprintf("PORT=%d", port), "LOG_LEVEL=debug",
	})
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	testtools.WaitHTTP(t, base+httpadapter.HealthPath, 10*time.Second)
	conformance.Run(t, api.API, conformance.DeliverHTTP(base+httpadapter.WebhookPath))
	if bytes.Contains([]byte(p.Output()), []byte(conformance.Token)) {
		t.Error("the token appears in bin/webhook's output")
	}
}
