package replyqueue_test

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	httpadapter "github.com/sociogram-kit/kit/adapters/http"
	"github.com/sociogram-kit/kit/internal/conformance"
	"github.com/sociogram-kit/kit/internal/testtools"
	"github.com/sociogram-kit/kit/sociogramtest"
)

// TestWebhookBinaryLocalQueue runs bin/webhook (the fixture's) with SOCIOGRAM_REPLY_QUEUE=local:
// webhooks are answered 200, and SIGTERM drains the queue before the process
// exits, every reply delivered once and in order (one user, so also
// one a second).
func TestWebhookBinaryLocalQueue(t *testing.T) {
	api := sociogramtest.NewServer(t, conformance.Token)
	api.Inject(sociogramtest.Fault{Latency: 300 * time.Millisecond}) // still sending at SIGTERM
	bin := testtools.Build(t, testtools.FixtureWebhook)
	port := testtools.FreePort(t)
	p := testtools.Start(t, bin, []string{"SOCIOGRAM_BOT_TOKEN=" + conformance.Token, "SOCIOGRAM_API_URL=" + api.URL,
		fmt.Sprintf("PORT=%d", port), "SOCIOGRAM_REPLY_QUEUE=local"})
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	testtools.WaitHTTP(t, base+httpadapter.HealthPath, 10*time.Second)
	var want []string
	for uid := int64(1); uid <= 5; uid++ {
		text := fmt.Sprintf("hello %d", uid)
		resp, err := sociogramtest.Deliver(context.Background(), base+httpadapter.WebhookPath, conformance.Token, sociogramtest.ChatMessage(12345, text))
		if err != nil || resp.Status != 200 {
			t.Fatalf("webhook %d: %+v %v", uid, resp, err)
		}
		want = append(want, conformance.ReplyHello(text))
	}
	p.Cmd.Process.Signal(syscall.SIGTERM)
	if err := p.Cmd.Wait(); err != nil {
		t.Errorf("exit after SIGTERM: %v\n%s", err, p.Output())
	}
	conformance.CheckReplies(t, api.API, want)
	if out := p.Output(); !strings.Contains(out, `"msg":"reply queue","depth":0`) || !strings.Contains(out, `"sent":5`) {
		t.Errorf("no final queue line with depth 0 and sent 5 in the log:\n%s", out)
	}
}
