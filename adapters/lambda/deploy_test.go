package lambdaadapter_test

import (
	"strings"
	"testing"

	"github.com/sociogram-kit/kit/config"
	"github.com/sociogram-kit/kit/internal/conformance"
	"github.com/sociogram-kit/kit/sociogramtest"
)

// TestRealBootstrapUnderEmulator is the deploy proof of the kit's own
// bootstrap (adapters/lambda/cmd/bootstrap), which serves whatever bot/
// holds: built by make build-WebhookFunction exactly as sam build builds
// it, it starts under aws-lambda-rie and answers the bot-independent status
// table for every event source, logging each invocation with its request id
// and never the token. The replies are checked on the fixture bot's
// bootstrap (TestConformanceEmulator).
func TestRealBootstrapUnderEmulator(t *testing.T) {
	api := sociogramtest.NewServer(t, conformance.Token)
	e := startEmulator(t, buildRealBootstrap(t), envList(map[string]string{
		config.EnvToken: conformance.Token, config.EnvAPIURL: api.URL, config.EnvRateLimit: "off", config.EnvLogLevel: "debug",
	})...)
	for _, src := range sources {
		t.Run(src.String(), func(t *testing.T) {
			conformance.RunStatus(t, api.API, deliverEmulated(e, src, false))
		})
	}
	out := e.output()
	if strings.Contains(out, conformance.Token) {
		t.Error("the token appears in the function's output")
	}
	checkInvocationLogs(t, out)
}
