package gcfadapter_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	gcfadapter "github.com/sociogram-kit/kit/adapters/gcf"
	"github.com/sociogram-kit/kit/internal/conformance"
	"github.com/sociogram-kit/kit/internal/testtools"
	"github.com/sociogram-kit/kit/sociogramtest"
)

// TestRealMain is the deploy proof of the kit's own bin/gcf
// (adapters/gcf/cmd/gcf, blank-importing the root package, whose init
// registers whatever bot/ holds): it builds and serves both registered
// functions, the webhook answering the bot-independent status table and the
// sender refusing a body that is not a Pub/Sub push, and never prints the
// token. The replies are checked on the fixture bot's bin/gcf
// (TestConformanceBinary).
func TestRealMain(t *testing.T) {
	api := sociogramtest.NewServer(t, conformance.Token)
	bin := testtools.Build(t, "./adapters/gcf/cmd/gcf")
	serve := func(target string) (*testtools.Proc, string) {
		port := testtools.FreePort(t)
		p := testtools.Start(t, bin, append(gcfEnv(api.URL, port), "FUNCTION_TARGET="+target))
		url := fmt.Sprintf("http://127.0.0.1:%d/", port)
		testtools.WaitHTTP(t, url, 10*time.Second)
		return p, url
	}

	webhook, url := serve(gcfadapter.EntryPoint)
	conformance.RunStatus(t, api.API, conformance.DeliverHTTP(url))

	sender, url := serve(gcfadapter.SenderEntryPoint)
	if got := post(t, url, []byte(`{"message":`)); got != http.StatusBadRequest {
		t.Errorf("%s given a body that is not a push: status %d, want 400", gcfadapter.SenderEntryPoint, got)
	}
	conformance.CheckReplies(t, api.API, nil)

	for _, p := range []*testtools.Proc{webhook, sender} {
		if strings.Contains(p.Output(), conformance.Token) {
			t.Errorf("the token appears in bin/gcf's output:\n%s", p.Output())
		}
	}
}
