package gcfadapter_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sociogram-kit/kit/internal/conformance"
	"github.com/sociogram-kit/kit/internal/testtools"
	"github.com/sociogram-kit/kit/replyqueue/pubsubqueue"
	"github.com/sociogram-kit/kit/replyqueue/queuetest"
	"github.com/sociogram-kit/kit/sociogramtest"
)

const (
	replyTopic = "projects/queue-proj/topics/replies"
	replySub   = "projects/queue-proj/subscriptions/replies-push"
)

// pubsubEmulator starts the Google Cloud CLI's Pub/Sub emulator (it speaks
// the REST API the webhook publishes through; pstest speaks gRPC only) with
// the reply topic and its ordered subscription, as terraform/queue.tf
// creates them.
func pubsubEmulator(t *testing.T) *queuetest.Emulator {
	t.Helper()
	emu := queuetest.StartEmulator(t)
	emu.CreateTopic(t, replyTopic)
	emu.CreateSubscription(t, replySub, replyTopic, true)
	return emu
}

// pushBody is the body of Pub/Sub's push request for m (the wrapped format,
// with the fields in both spellings, as Pub/Sub sends them).
func pushBody(t *testing.T, m queuetest.PubSubMessage, attempt int) []byte {
	t.Helper()
	publish := m.PublishTime.UTC().Format(time.RFC3339Nano)
	body, err := json.Marshal(map[string]any{
		"message": map[string]any{
			"data": m.Data, "attributes": m.Attributes, "orderingKey": m.OrderingKey,
			"messageId": m.ID, "message_id": m.ID, "publishTime": publish, "publish_time": publish,
		},
		"subscription": replySub, "deliveryAttempt": attempt,
	})
	if err != nil {
		t.Fatal(err)
	}
	return body
}

func post(t *testing.T, url string, body []byte) int {
	t.Helper()
	resp, err := http.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func helloTo(uid int64, text string) string {
	return strings.Replace(conformance.ReplyHello(text), `"uid":12345`, fmt.Sprintf(`"uid":%d`, uid), 1)
}

// TestQueuedRepliesBinary runs both functions of queue_replies = true as
// bin/gcf on the fixture bot (functions-framework-go, the registrations of
// internal/fixture/function), with
// the Pub/Sub emulator between them: the webhook function (FUNCTION_TARGET=Webhook,
// SOCIOGRAM_REPLY_TOPIC) answers 200 and publishes each reply keyed by its
// user; the sender (FUNCTION_TARGET=Sender) takes each as Pub/Sub's push
// request, sends it byte for byte and acks 204, nacks 503 a refused user's
// reply until it goes, acks a repeat it already sent without sending it,
// and answers 400 to a body that is not a push.
func TestQueuedRepliesBinary(t *testing.T) {
	emu := pubsubEmulator(t)
	fake := sociogramtest.NewAPI(conformance.Token, nil)
	api := httptest.NewServer(fake)
	defer api.Close()
	bin := testtools.Build(t, testtools.FixtureGCF)
	start := func(target string, env ...string) (*testtools.Proc, string) {
		port := testtools.FreePort(t)
		p := testtools.Start(t, bin, append([]string{
			"FUNCTION_TARGET=" + target, fmt.Sprintf("PORT=%d", port), "GOOGLE_CLOUD_PROJECT=queue-proj",
			"SOCIOGRAM_BOT_TOKEN=" + conformance.Token, "SOCIOGRAM_API_URL=" + api.URL,
		}, env...))
		url := fmt.Sprintf("http://127.0.0.1:%d/", port)
		testtools.WaitHTTP(t, url, 10*time.Second)
		return p, url
	}

	webhook, webhookURL := start("Webhook", "SOCIOGRAM_REPLY_TOPIC="+replyTopic, "PUBSUB_EMULATOR_HOST="+emu.Host)
	hooks := []struct {
		uid  int64
		text string
	}{{101, "hello one"}, {202, "hello two a"}, {101, "hello one"}, {202, "hello two b"}, {303, "hello three"}}
	for _, h := range hooks {
		r, err := sociogramtest.Deliver(context.Background(), webhookURL, conformance.Token, sociogramtest.ChatMessage(h.uid, h.text))
		if err != nil || r.Status != http.StatusOK {
			t.Fatalf("webhook from %d: %v %d %q, want 200", h.uid, err, r.Status, r.Body)
		}
	}
	if n := len(fake.Sent()); n != 0 {
		t.Fatalf("%d replies went straight to the Bot API, want all published", n)
	}
	// Pub/Sub keeps the redelivered webhook's reply too, with the same reply_id.
	msgs := emu.Pull(t, replySub, 5)
	byUser := map[string][]string{}
	ids := map[string]bool{}
	for _, m := range msgs {
		byUser[m.OrderingKey] = append(byUser[m.OrderingKey], string(m.Data))
		ids[m.Attributes[pubsubqueue.AttrReplyID]] = true
	}
	want := map[string][]string{
		"101": {helloTo(101, "hello one"), helloTo(101, "hello one")},
		"202": {helloTo(202, "hello two a"), helloTo(202, "hello two b")},
		"303": {helloTo(303, "hello three")},
	}
	for k, w := range want {
		if !slices.Equal(byUser[k], w) {
			t.Errorf("ordering key %s: published %q, want %q", k, byUser[k], w)
		}
	}
	if len(ids) != 4 {
		t.Errorf("%d distinct reply_id attributes, want 4 (the redelivered webhook's reply has its first's)", len(ids))
	}
	first := func(key string, i int) queuetest.PubSubMessage {
		for _, m := range msgs {
			if m.OrderingKey == key {
				if i == 0 {
					return m
				}
				i--
			}
		}
		t.Fatalf("no message %d with ordering key %s", i, key)
		return queuetest.PubSubMessage{}
	}

	sender, senderURL := start("Sender")
	fake.Refuse(202)
	steps := []struct {
		name    string
		m       queuetest.PubSubMessage
		attempt int
		status  int
	}{
		{"101", first("101", 0), 1, http.StatusNoContent},
		{"202 refused: nacked", first("202", 0), 1, http.StatusServiceUnavailable},
		{"303", first("303", 0), 1, http.StatusNoContent},
		{"202 accepted again", first("202", 0), 2, http.StatusNoContent},
		{"202 second", first("202", 1), 1, http.StatusNoContent},
		{"101 repeat: acked, not sent", first("101", 1), 1, http.StatusNoContent},
	}
	for _, s := range steps {
		if s.attempt == 2 {
			fake.Refuse(0)
		}
		if got := post(t, senderURL, pushBody(t, s.m, s.attempt)); got != s.status {
			t.Errorf("%s: status %d, want %d", s.name, got, s.status)
		}
	}
	if got := post(t, senderURL, []byte(`{"message":`)); got != http.StatusBadRequest {
		t.Errorf("a body that is not a push: status %d, want 400", got)
	}
	if n := fake.Refused(); n != 1 {
		t.Errorf("uid 202 refused %d times, want 1", n)
	}
	var got []string
	for _, s := range fake.Sent() {
		got = append(got, strings.TrimSuffix(string(s.Body), "\n"))
	}
	wantSent := []string{want["101"][0], want["303"][0], want["202"][0], want["202"][1]}
	if !slices.Equal(got, wantSent) {
		t.Errorf("the Bot API received:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantSent, "\n"))
	}
	waitFor(t, sender, "reply already sent")
	for _, l := range decodeLines(t, jsonLines(sender.Output())) {
		if l["message"] == "queued reply not delivered; Pub/Sub retries it" && l["severity"] != "WARNING" {
			t.Errorf("nack logged at %v, want WARNING: %v", l["severity"], l)
		}
	}
	if !strings.Contains(sender.Output(), "queued reply not delivered; Pub/Sub retries it") {
		t.Errorf("the sender did not log the nack:\n%s", sender.Output())
	}
	for name, out := range map[string]string{"webhook": webhook.Output(), "sender": sender.Output()} {
		if strings.Contains(out, conformance.Token) {
			t.Errorf("the token appears in the %s function's output", name)
		}
	}
}
