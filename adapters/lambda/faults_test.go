package lambdaadapter_test

import (
	"testing"

	lambdaadapter "github.com/sociogram-kit/kit/adapters/lambda"
	"github.com/sociogram-kit/kit/config"
	"github.com/sociogram-kit/kit/internal/conformance"
	"github.com/sociogram-kit/kit/sociogramtest"
)

// TestFaultsEmulator runs the fault table (429, 5xx, slow answers, dropped
// connections, a wait past the deadline) against the fixture bot's bootstrap
// under aws-lambda-rie, with the client's spacing on as deployed: every reply is
// delivered at most once, and a lost one is a 500 whose log names the uid.
func TestFaultsEmulator(t *testing.T) {
	api := sociogramtest.NewServer(t, conformance.Token)
	e := startEmulator(t, buildBootstrap(t), envList(map[string]string{
		config.EnvToken: conformance.Token, config.EnvAPIURL: api.URL, config.EnvLogLevel: "debug",
	})...)
	conformance.RunFaults(t, api.API, deliverEmulated(e, lambdaadapter.SourceHTTPAPI, false), e.output)
}
