package httpadapter_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	httpadapter "github.com/sociogram-kit/kit/adapters/http"
	"github.com/sociogram-kit/kit/internal/conformance"
	"github.com/sociogram-kit/kit/internal/testtools"
	"github.com/sociogram-kit/kit/sociogramtest"
)

// TestRealMain is the deploy proof of the kit's own bin/webhook
// (adapters/http/cmd/webhook), which serves whatever bot/ holds: it builds,
// starts, answers its health check and the bot-independent status table, and
// never prints the token. The replies are checked on the fixture bot's
// bin/webhook (TestConformanceBinary).
func TestRealMain(t *testing.T) {
	api := sociogramtest.NewServer(t, conformance.Token)
	bin := testtools.Build(t, "./adapters/http/cmd/webhook")
	port := testtools.FreePort(t)
	p := testtools.Start(t, bin, []string{
		"SOCIOGRAM_BOT_TOKEN=" + conformance.Token, "SOCIOGRAM_API_URL=" + api.URL,
		"SOCIOGRAM_RATE_LIMIT=off", fmt.Sprintf("PORT=%d", port), "LOG_LEVEL=debug",
	})
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	testtools.WaitHTTP(t, base+httpadapter.HealthPath, 10*time.Second)
	conformance.RunStatus(t, api.API, conformance.DeliverHTTP(base+httpadapter.WebhookPath))
	if strings.Contains(p.Output(), conformance.Token) {
		t.Error("the token appears in bin/webhook's output")
	}
}
