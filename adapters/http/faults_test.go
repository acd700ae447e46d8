package httpadapter_test

import (
	"fmt"
	"testing"
	"time"

	httpadapter "github.com/sociogram-kit/kit/adapters/http"
	"github.com/sociogram-kit/kit/internal/conformance"
	"github.com/sociogram-kit/kit/internal/testtools"
	"github.com/sociogram-kit/kit/sociogramtest"
)

// TestFaults runs the fault table against the fixture's bin/webhook with the client's
// spacing on, as in production.
func TestFaults(t *testing.T) {
	api := sociogramtest.NewServer(t, conformance.Token)
	bin := testtools.Build(t, testtools.FixtureWebhook)
	port := testtools.FreePort(t)
	p := testtools.Start(t, bin, []string{
		"SOCIOGRAM_BOT_TOKEN=" + conformance.Token, "SOCIOGRAM_API_URL=" + api.URL,
		fmt.Sprintf("PORT=%d", port), "LOG_LEVEL=debug",
	})
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	testtools.WaitHTTP(t, base+httpadapter.HealthPath, 10*time.Second)
	conformance.RunFaults(t, api.API, conformance.DeliverHTTP(base+httpadapter.WebhookPath), p.Output)
}
