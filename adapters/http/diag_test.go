package httpadapter_test

import (
	"bytes"
	"net/http"
	"testing"

	httpadapter "github.com/sociogram-kit/kit/adapters/http"
	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/sociogramtest"
)

// TestDevDiagnostics: with SOCIOGRAM_DEV=1 a webhook's answer says what
// happened to the event (X-Sociogram-Outcome); without it, nothing does.
func TestDevDiagnostics(t *testing.T) {
	for _, c := range []struct{ dev, routed, unknown string }{
		{"1", "replied 1 (route any-text)", `no reply: only unknown event keys: "text" (known: "chat-message", "callback-query")`},
		{"0", "", ""},
	} {
		base, _ := devServer(t, map[string]string{"SOCIOGRAM_DEV": c.dev})
		for body, want := range map[string]string{string(sociogramtest.ChatMessage(7, "hi")): c.routed, `{"data":{"text":"hi"}}`: c.unknown} {
			req, _ := http.NewRequest("POST", base+httpadapter.WebhookPath, bytes.NewReader([]byte(body)))
			req.Header.Set(handler.HeaderAppKey, devToken)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if got := resp.Header.Values(handler.HeaderOutcome); resp.StatusCode != 200 || (want == "") != (got == nil) || want != "" && got[0] != want {
				t.Errorf("SOCIOGRAM_DEV=%s, %s: %d %s %q, want 200 %q", c.dev, body, resp.StatusCode, handler.HeaderOutcome, got, want)
			}
		}
	}
}
