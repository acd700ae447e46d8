package lambdaadapter_test

import (
	"context"
	"crypto/md5"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	lambdaadapter "github.com/sociogram-kit/kit/adapters/lambda"
	"github.com/sociogram-kit/kit/config"
	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/internal/conformance"
	"github.com/sociogram-kit/kit/internal/testtools"
	"github.com/sociogram-kit/kit/sociogramtest"
)

// AWS's own SQS event sample, copied from aws-lambda-go's events/testdata.
//
//go:embed testdata/sqs-event.json
var sampleSQS []byte

// sqsClient is the real SDK pointed at moto with dummy keys.
func sqsClient(motoURL string) *sqs.Client {
	return sqs.NewFromConfig(aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		BaseEndpoint: aws.String(motoURL),
	})
}

// replyQueues creates the reply queue as template.yaml does (FIFO, a
// dead-letter queue after 5 receives) and returns its URL and ARN.
func replyQueues(t *testing.T, c *sqs.Client) (url, arn string) {
	t.Helper()
	ctx := context.Background()
	dlq, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("replies-dlq.fifo"),
		Attributes: map[string]string{"FifoQueue": "true"}})
	if err != nil {
		t.Fatal(err)
	}
	redrive, _ := json.Marshal(map[string]any{"deadLetterTargetArn": queueARN(t, c, *dlq.QueueUrl), "maxReceiveCount": 5})
	q, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("replies.fifo"),
		Attributes: map[string]string{"FifoQueue": "true", "VisibilityTimeout": "60", "RedrivePolicy": string(redrive)}})
	if err != nil {
		t.Fatal(err)
	}
	return *q.QueueUrl, queueARN(t, c, *q.QueueUrl)
}

func queueARN(t *testing.T, c *sqs.Client, url string) string {
	t.Helper()
	a, err := c.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url),
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatal(err)
	}
	return a.Attributes["QueueArn"]
}

// queueCounts is the queue's visible and in-flight message counts.
func queueCounts(t *testing.T, c *sqs.Client, url string) (visible, inFlight string) {
	t.Helper()
	a, err := c.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url),
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameApproximateNumberOfMessages,
			types.QueueAttributeNameApproximateNumberOfMessagesNotVisible}})
	if err != nil {
		t.Fatal(err)
	}
	return a.Attributes["ApproximateNumberOfMessages"], a.Attributes["ApproximateNumberOfMessagesNotVisible"]
}

// receiveAll plays the event source mapping's poll: it receives what is
// visible (want messages, in the queue's order) with every system attribute.
func receiveAll(t *testing.T, c *sqs.Client, url string, want int) []types.Message {
	t.Helper()
	var msgs []types.Message
	for tries := 0; len(msgs) < want && tries < 10; tries++ {
		out, err := c.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(url), MaxNumberOfMessages: 10,
			MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
			MessageAttributeNames:       []string{"All"},
		})
		if err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, out.Messages...)
	}
	if len(msgs) != want {
		t.Fatalf("received %d messages from the queue, want %d", len(msgs), want)
	}
	return msgs
}

// sqsEvent is the event the mapping would invoke the sender with for msgs:
// AWS's sample record with each message's id, receipt handle, body, its MD5,
// system attributes (MessageGroupId among them) and no message attributes,
// as a record of a FIFO queue carries them.
func sqsEvent(t *testing.T, queueARN string, msgs []types.Message) []byte {
	t.Helper()
	var sample events.SQSEvent
	if err := json.Unmarshal(sampleSQS, &sample); err != nil {
		t.Fatal(err)
	}
	var ev events.SQSEvent
	for _, m := range msgs {
		r := sample.Records[0]
		sum := md5.Sum([]byte(*m.Body))
		r.MessageId, r.ReceiptHandle, r.Body, r.Md5OfBody = *m.MessageId, *m.ReceiptHandle, *m.Body, hex.EncodeToString(sum[:])
		r.Md5OfMessageAttributes, r.MessageAttributes = "", map[string]events.SQSMessageAttribute{}
		r.Attributes = m.Attributes
		r.EventSourceARN, r.AWSRegion = queueARN, "us-east-1"
		ev.Records = append(ev.Records, r)
	}
	out, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// helloTo is the fixture bot's answer to text from uid, as the Bot API must
// receive it.
func helloTo(uid int64, text string) string {
	return strings.Replace(conformance.ReplyHello(text), `"uid":12345`, fmt.Sprintf(`"uid":%d`, uid), 1)
}

func webhookEvent(t *testing.T, uid int64, text string) []byte {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set(handler.HeaderAppKey, conformance.Token)
	req := conformance.Request{Method: http.MethodPost, Header: h, Body: sociogramtest.ChatMessage(uid, text)}
	return buildEvent(t, lambdaadapter.SourceFunctionURL, req, false)
}

// TestQueuedRepliesUnderEmulator runs both Lambda functions of
// QueueReplies=on as sam build builds them (the webhook on the fixture bot),
// each under aws-lambda-rie, with
// moto's SQS between them: the webhook bootstrap answers 200 and leaves its
// replies in the FIFO queue (a redelivered webhook's reply once); the
// sender, invoked with the SQS event built from what moto delivers, sends
// them byte for byte to the Bot API, deletes each sent message, and reports
// a refused user's messages (the later one unsent, held behind the first) as
// batch item failures; once the user is no longer refused, the next batch
// delivers them in order and the queue is empty.
func TestQueuedRepliesUnderEmulator(t *testing.T) {
	motoURL := testtools.StartMoto(t)
	c := sqsClient(motoURL)
	url, arn := replyQueues(t, c)
	fake := sociogramtest.NewAPI(conformance.Token, nil)
	api := httptest.NewServer(fake)
	defer api.Close()
	env := map[string]string{
		config.EnvToken: conformance.Token, config.EnvAPIURL: api.URL, config.EnvReplyQueueURL: url,
		"AWS_ENDPOINT_URL": motoURL, "AWS_REGION": "us-east-1",
		"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing-secret-key",
	}

	// The webhook function: four webhooks from three users, one delivered twice.
	webhook := startEmulator(t, buildBootstrap(t), envList(env)...)
	type hook struct {
		uid  int64
		text string
	}
	hooks := []hook{{101, "hello one"}, {202, "hello two a"}, {101, "hello one"}, {202, "hello two b"}, {303, "hello three"}}
	for _, h := range hooks {
		resp := decodeResponse(t, lambdaadapter.SourceFunctionURL, webhook.invoke(t, webhookEvent(t, h.uid, h.text)))
		if resp.Status != http.StatusOK {
			t.Fatalf("webhook from %d: status %d %q, want 200", h.uid, resp.Status, resp.Body)
		}
	}
	if n := len(fake.Sent()); n != 0 {
		t.Fatalf("%d replies went straight to the Bot API, want all queued", n)
	}
	if v, f := queueCounts(t, c, url); v != "4" || f != "0" {
		t.Fatalf("queue holds %s visible, %s in flight; want the 4 distinct replies", v, f)
	}
	msgs := receiveAll(t, c, url, 4)
	wantBodies := map[int64][]string{
		101: {helloTo(101, "hello one")}, 202: {helloTo(202, "hello two a"), helloTo(202, "hello two b")}, 303: {helloTo(303, "hello three")},
	}
	groups := map[string][]string{}
	for _, m := range msgs {
		g := m.Attributes["MessageGroupId"]
		groups[g] = append(groups[g], *m.Body)
	}
	for uid, want := range wantBodies {
		if got := groups[fmt.Sprint(uid)]; !slices.Equal(got, want) {
			t.Errorf("group %d holds %q, want %q", uid, got, want)
		}
	}

	// The sender, while the Bot API refuses uid 202.
	fake.Refuse(202)
	sender := startEmulator(t, buildSender(t), envList(env)...)
	var resp events.SQSEventResponse
	if err := json.Unmarshal(sender.invoke(t, sqsEvent(t, arn, msgs)), &resp); err != nil {
		t.Fatal(err)
	}
	var failed, want202 []string
	for _, f := range resp.BatchItemFailures {
		failed = append(failed, f.ItemIdentifier)
	}
	var wantSent []string
	for _, m := range msgs {
		if m.Attributes["MessageGroupId"] == "202" {
			want202 = append(want202, *m.MessageId)
		} else {
			wantSent = append(wantSent, *m.Body)
		}
	}
	if !slices.Equal(failed, want202) {
		t.Errorf("batch item failures %q, want uid 202's messages %q", failed, want202)
	}
	if n := fake.Refused(); n != 1 {
		t.Errorf("uid 202 was tried %d times, want once (its second reply held behind the first)", n)
	}
	checkSent(t, fake, wantSent)

	// The sent messages are gone; the failed ones come back once visible.
	for _, m := range msgs {
		c.ChangeMessageVisibility(context.Background(), &sqs.ChangeMessageVisibilityInput{
			QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0})
	}
	again := receiveAll(t, c, url, 2)
	var ids []string
	for _, m := range again {
		ids = append(ids, *m.MessageId)
		if m.Attributes["ApproximateReceiveCount"] != "2" {
			t.Errorf("message %s received %s times, want 2", *m.MessageId, m.Attributes["ApproximateReceiveCount"])
		}
	}
	if !slices.Equal(ids, want202) {
		t.Fatalf("after the batch the queue holds %q, want uid 202's %q only", ids, want202)
	}

	// The user accepts messages again: the next batch delivers both, in order.
	fake.Refuse(0)
	resp = events.SQSEventResponse{}
	if err := json.Unmarshal(sender.invoke(t, sqsEvent(t, arn, again)), &resp); err != nil {
		t.Fatal(err)
	}
	if len(resp.BatchItemFailures) != 0 {
		t.Errorf("second batch: failures %v, want none", resp.BatchItemFailures)
	}
	checkSent(t, fake, append(wantSent, wantBodies[202]...))
	if v, f := queueCounts(t, c, url); v != "0" || f != "0" {
		t.Errorf("queue holds %s visible, %s in flight after delivery; want empty", v, f)
	}

	checkBatchLog(t, sender.output(), 4, 2, 1, 1)
	for name, out := range map[string]string{"webhook": webhook.output(), "sender": sender.output()} {
		if strings.Contains(out, conformance.Token) || strings.Contains(out, "testing-secret-key") {
			t.Errorf("a secret appears in the %s function's output", name)
		}
	}
}

// checkSent compares the bodies the Bot API received, in order, byte for
// byte (the client's trailing newline aside).
func checkSent(t *testing.T, api *sociogramtest.API, want []string) {
	t.Helper()
	var got []string
	for _, s := range api.Sent() {
		got = append(got, strings.TrimSuffix(string(s.Body), "\n"))
	}
	if !slices.Equal(got, want) {
		t.Errorf("the Bot API received:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// checkBatchLog finds the sender's "reply queue" line for a batch with
// these counts, carrying the invocation's request id.
func checkBatchLog(t *testing.T, out string, messages, sent, failed, skipped float64) {
	t.Helper()
	for line := range strings.Lines(out) {
		var l map[string]any
		if json.Unmarshal([]byte(line), &l) != nil || l["msg"] != "reply queue" {
			continue
		}
		if l["messages"] == messages && l["sent"] == sent && l["failed"] == failed && l["skipped"] == skipped && l["request_id"] != nil {
			return
		}
	}
	t.Errorf("no reply queue line with messages=%v sent=%v failed=%v skipped=%v in the sender's output:\n%s", messages, sent, failed, skipped, out)
}
