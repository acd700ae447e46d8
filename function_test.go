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

func serve(t *testing.T, env ...string) (*testtools.Proc, string) {
	t.Helper()
	port := testtools.FreePort(t)
	env = append(env, "KIT_FUNCTION_SERVE=1", "FUNCTION_TARGET=Webhook", fmt.Sprintf("PORT=%d", port), "SOCIOGRAM_RATE_LIMIT=off")
	p := testtools.Start(t, os.Args[0], env, "-test.run=^$")
	url := fmt.Sprintf("http://127.0.0.1:%d/", port)
	testtools.WaitHTTP(t, url, 10*time.Second)
	return p, url
}

func hello(t *testing.T, url string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(sociogramtest.ChatMessage(12345, "hello")))
	req.Header.Set("X-App-Key", conformance.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestInitRegistersWebhook(t *testing.T) {
	api := sociogramtest.NewServer(t, conformance.Token)
	_, url := serve(t, "SOCIOGRAM_BOT_TOKEN="+conformance.Token, "SOCIOGRAM_API_URL="+api.URL)
	if got := hello(t, url); got != http.StatusOK {
		t.Errorf("status = %d, want 200", got)
	}
	conformance.CheckReplies(t, api.API, []string{conformance.ReplyHello("hello")})
}

func TestInitWithoutToken(t *testing.T) {
	api := sociogramtest.NewServer(t, conformance.Token)
	p, url := serve(t, "SOCIOGRAM_API_URL="+api.URL)
	if got := hello(t, url); got != http.StatusInternalServerError {
		t.Errorf("status = %d, want 500", got)
	}
	conformance.CheckReplies(t, api.API, nil)
	if out := p.Output(); !strings.Contains(out, `"severity":"ERROR"`) || !strings.Contains(out, "SOCIOGRAM_BOT_TOKEN is not set") {
		t.Errorf("want an ERROR line naming SOCIOGRAM_BOT_TOKEN, got:\n%s", out)
	}
}
