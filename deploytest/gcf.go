package deploytest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sociogram-kit/kit/config"
	"github.com/sociogram-kit/kit/internal/conformance"
	"github.com/sociogram-kit/kit/internal/gcfsource"
	"github.com/sociogram-kit/kit/internal/testtools"
	"github.com/sociogram-kit/kit/sociogramtest"
)

// webhookTarget is the function the root package registers for webhooks
// (gcfadapter.EntryPoint; not imported, to keep this package free of
// functions-framework-go).
const webhookTarget = "Webhook"

// CloudFunctions computes the project's Cloud Functions upload as `make
// deploy-gcp` does (the root package and the packages of the module it
// needs, from go list -deps), builds exactly those files the way the Cloud
// Functions Go buildpack does (a generated main that blank-imports the root
// package), starts the result with FUNCTION_TARGET=Webhook against a fake
// Bot API and checks its answers to the status table. The token must not
// appear in its output.
//
// A go.mod replace pointing at a local directory (a project made with
// `sociogram new -kit PATH`) is carried into the build, with a note in the
// test log: such a project builds here but cannot be deployed, since the
// buildpack sees only the upload.
func CloudFunctions(t *testing.T, dir string) {
	t.Helper()
	src, err := gcfsource.List(dir, gcfsource.WithLocalReplaces())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range src.LocalReplaces() {
		t.Logf("go.mod replaces %s with the local directory %s: the build here uses it, but a deploy cannot (the buildpack sees only the upload)", r.Old, r.Dir)
	}
	bin, err := src.Build(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	api := sociogramtest.NewServer(t, conformance.Token)
	port := testtools.FreePort(t)
	p := testtools.Start(t, bin, []string{
		config.EnvToken + "=" + conformance.Token, config.EnvAPIURL + "=" + api.URL, config.EnvRateLimit + "=off",
		"FUNCTION_TARGET=" + webhookTarget, "K_SERVICE=deploytest", fmt.Sprintf("PORT=%d", port),
	})
	base := fmt.Sprintf("http://127.0.0.1:%d/", port)
	testtools.WaitHTTP(t, base, 20*time.Second)
	conformance.RunStatus(t, api.API, conformance.DeliverHTTP(base))
	if strings.Contains(p.Output(), conformance.Token) {
		t.Error("the token appears in the function's output")
	}
}
