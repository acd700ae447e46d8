package function_test

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/GoogleCloudPlatform/functions-framework-go/funcframework"

	_ "github.com/sociogram-kit/kit"
	"github.com/sociogram-kit/kit/internal/conformance"
	"github.com/sociogram-kit/kit/internal/testtools"
	"github.com/sociogram-kit/kit/sociogramtest"
)

// The package's init reads the environment of the process, so each case
// runs this test binary again with the environment it needs and
// KIT_FUNCTION_SERVE=1, which makes it serve the registration as the
// buildpack's main does.
func TestMain(m *testing.M) {
	if os.Getenv("KIT_FUNCTION_SERVE") == "1" {
		err := funcframework.StartHostPort("127.0.0.1", os.Getenv("PORT"))
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

func serve(t *testing.T, target string, env ...string) (*testtools.Proc, string) {
	t.Helper()
	port := testtools.FreePort(t)
	env = append(env, "KIT_FUNCTION_SERVE=1", "FUNCTION_TARGET="+target, fmt.Sprintf("PORT=%d", port), "SOCIOGRAM_RATE_LIMIT=off")
	p := testtools.Start(t, os.Args[0], env, "-test.run=^$")
	url := fmt.Sprintf("http://127.0.0.1:%d/", port)
	testtools.WaitHTTP(t, url, 10*time.Second)
	return p, url
}

func post(t *testing.T, url string, body []byte) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("X-App-Key", conformance.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestInitRegistersFunctions is the deploy proof of this package, the one
// the Cloud Functions buildpack builds, whose init registers whatever bot/
// holds: served as the buildpack's main serves it, the webhook answers the
// bot-independent status table, the sender refuses a body that is not a
// Pub/Sub push, and without a token every webhook is answered 500 after an
// ERROR line naming the variable. The replies are checked on the fixture
// bot (internal/fixture/function, in package adapters/gcf's tests).
func TestInitRegistersFunctions(t *testing.T) {
	api := sociogramtest.NewServer(t, conformance.Token)
	t.Run("Webhook", func(t *testing.T) {
		p, url := serve(t, "Webhook", "SOCIOGRAM_BOT_TOKEN="+conformance.Token, "SOCIOGRAM_API_URL="+api.URL)
		conformance.RunStatus(t, api.API, conformance.DeliverHTTP(url))
		if strings.Contains(p.Output(), conformance.Token) {
			t.Error("the token appears in the function's output")
		}
	})
	t.Run("Sender", func(t *testing.T) {
		api.Reset()
		_, url := serve(t, "Sender", "SOCIOGRAM_BOT_TOKEN="+conformance.Token, "SOCIOGRAM_API_URL="+api.URL)
		if got := post(t, url, []byte(`{"message":`)); got != http.StatusBadRequest {
			t.Errorf("a body that is not a push: status %d, want 400", got)
		}
		conformance.CheckReplies(t, api.API, nil)
	})
	t.Run("without a token", func(t *testing.T) {
		api.Reset()
		p, url := serve(t, "Webhook", "SOCIOGRAM_API_URL="+api.URL)
		if got := post(t, url, sociogramtest.ChatMessage(12345, "hello")); got != http.StatusInternalServerError {
			t.Errorf("status = %d, want 500", got)
		}
		conformance.CheckReplies(t, api.API, nil)
		if out := p.Output(); !strings.Contains(out, `"severity":"ERROR"`) || !strings.Contains(out, "SOCIOGRAM_BOT_TOKEN is not set") {
			t.Errorf("want an ERROR line naming SOCIOGRAM_BOT_TOKEN, got:\n%s", out)
		}
	})
}
