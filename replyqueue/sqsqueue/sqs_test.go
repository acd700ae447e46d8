package sqsqueue_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/internal/testtools"
	"github.com/sociogram-kit/kit/replyqueue"
	"github.com/sociogram-kit/kit/replyqueue/queuetest"
	"github.com/sociogram-kit/kit/replyqueue/sqsqueue"
)

// client is the real SDK pointed at moto with dummy keys, built by hand so
// that the machine's AWS_* environment cannot change the test.
func client(motoURL string) *sqs.Client {
	return sqs.NewFromConfig(aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		BaseEndpoint: aws.String(motoURL),
		// Connections kept for a burst of concurrent webhooks: moto's
		// development server is slow to accept hundreds of new ones.
		HTTPClient: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 400}},
	})
}

// queues creates the reply queue and its dead-letter queue as template.yaml
// does (FIFO, redrive after maxReceive receives), with a short visibility
// timeout so the test sees redeliveries quickly.
func queues(t *testing.T, c *sqs.Client, maxReceive int) (url, dlqURL string) {
	return queuesWith(t, c, maxReceive, "1")
}

// queuesWith is queues with the reply queue's visibility timeout in
// seconds (template.yaml's is 360).
func queuesWith(t *testing.T, c *sqs.Client, maxReceive int, visibility string) (url, dlqURL string) {
	t.Helper()
	ctx := context.Background()
	dlq, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("replies-dlq.fifo"),
		Attributes: map[string]string{"FifoQueue": "true"}})
	if err != nil {
		t.Fatal(err)
	}
	a, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: dlq.QueueUrl,
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatal(err)
	}
	redrive, _ := json.Marshal(map[string]any{"deadLetterTargetArn": a.Attributes["QueueArn"], "maxReceiveCount": maxReceive})
	q, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("replies.fifo"),
		Attributes: map[string]string{"FifoQueue": "true", "VisibilityTimeout": visibility, "RedrivePolicy": string(redrive)}})
	if err != nil {
		t.Fatal(err)
	}
	return *q.QueueUrl, *dlq.QueueUrl
}

// eventSource plays the Lambda event source mapping: it receives batches
// of up to 10, invokes the handler with them as aws-lambda-go's
// events.SQSEvent and deletes what the handler did not report as failed.
type eventSource struct {
	c   *sqs.Client
	url string
}

func (e eventSource) receive(t *testing.T) events.SQSEvent {
	t.Helper()
	out, err := e.c.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{
		QueueUrl: aws.String(e.url), MaxNumberOfMessages: 10,
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
	})
	if err != nil {
		t.Fatal(err)
	}
	var ev events.SQSEvent
	for _, m := range out.Messages {
		ev.Records = append(ev.Records, events.SQSMessage{MessageId: *m.MessageId, ReceiptHandle: *m.ReceiptHandle,
			Body: *m.Body, Attributes: m.Attributes, EventSource: "aws:sqs", EventSourceARN: "arn:aws:sqs:us-east-1:123456789012:replies.fifo"})
	}
	return ev
}

// invoke hands one batch to h and, like the mapping, deletes the messages
// not reported failed. It reports whether there was a batch.
func (e eventSource) invoke(t *testing.T, ctx context.Context, h func(context.Context, events.SQSEvent) (events.SQSEventResponse, error)) bool {
	ev := e.receive(t)
	if len(ev.Records) == 0 {
		return false
	}
	resp, err := h(ctx, ev)
	if err != nil {
		t.Fatal(err)
	}
	failed := map[string]bool{}
	for _, f := range resp.BatchItemFailures {
		failed[f.ItemIdentifier] = true
	}
	for _, m := range ev.Records {
		if !failed[m.MessageId] {
			e.c.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: aws.String(e.url), ReceiptHandle: aws.String(m.ReceiptHandle)})
		}
	}
	return true
}

func (e eventSource) depth(t *testing.T, url string) int {
	t.Helper()
	a, err := e.c.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url),
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameApproximateNumberOfMessages, types.QueueAttributeNameApproximateNumberOfMessagesNotVisible}})
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(a.Attributes["ApproximateNumberOfMessages"])
	m, _ := strconv.Atoi(a.Attributes["ApproximateNumberOfMessagesNotVisible"])
	return n + m
}

var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

// stopAfter wraps a sender so that ctx's cancel is called once n sends have
// returned: the sender instance "stops" between two replies.
type stopAfter struct {
	handler.Sender
	n      int64
	cancel context.CancelFunc
	count  atomic.Int64
}

func (s *stopAfter) Send(ctx context.Context, uid int64, msg handler.Message) error {
	err := s.Sender.Send(ctx, uid, msg)
	if s.count.Add(1) == s.n {
		s.cancel()
	}
	return err
}

// TestSQSBurst: 300 users write at once (50 of them twice, 20 webhooks are
// delivered again); every webhook is answered 200 once its reply is in
// moto's SQS; a sender stopped mid-burst and a fresh one started after it
// deliver every reply exactly once, each user's in order, never more than
// 60 in any 60 s nor two to a user within a second (on an injected clock).
func TestSQSBurst(t *testing.T) {
	c := client(testtools.StartMoto(t))
	url, dlqURL := queues(t, c, 5)
	clock := queuetest.NewClock()
	rec := queuetest.NewRecorder(t, clock)
	bot := queuetest.NewBot(t, sqsqueue.New(c, url))
	queuetest.Burst(t, bot, 300, 50)
	queuetest.Burst(t, bot, 20, 0) // redelivered webhooks: deduplicated by SQS
	es := eventSource{c, url}

	// The first sender stops after 100 replies, in the middle of a batch,
	// and its invocation ends without an answer (as on a timeout): nothing
	// of that batch is deleted by the mapping.
	ctx, cancel := context.WithCancel(context.Background())
	stopping := &stopAfter{Sender: rec.Client(), n: 105, cancel: cancel}
	first := sqsqueue.NewConsumer(c, url, replyqueue.NewDeliverer(stopping, replyqueue.NewPacer(clock, 0)), discard)
	for ctx.Err() == nil && es.invoke(t, ctx, func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		resp, err := first.Handle(ctx, ev)
		if ctx.Err() != nil {
			return events.SQSEventResponse{BatchItemFailures: all(ev)}, nil // timed out: the whole batch stays
		}
		return resp, err
	}) {
	}
	if n := len(rec.Sent()); n != 105 {
		t.Fatalf("the first sender sent %d, want 105", n)
	}

	// A new instance: new client, new pacer; it drains the rest.
	second := sqsqueue.NewConsumer(c, url, replyqueue.NewDeliverer(rec.Client(), replyqueue.NewPacer(clock, 0)), discard)
	deadline := time.Now().Add(2 * time.Minute)
	for len(rec.Sent()) < 350 && time.Now().Before(deadline) {
		if !es.invoke(t, context.Background(), second.Handle) {
			time.Sleep(200 * time.Millisecond) // the stopped batch's messages are invisible for 1 s
		}
	}
	time.Sleep(1200 * time.Millisecond) // anything left would be visible again now
	for es.invoke(t, context.Background(), second.Handle) {
	}
	queuetest.Check(t, rec.Sent(), 300, 50)
	if d := es.depth(t, url); d != 0 {
		t.Errorf("%d messages left in the queue", d)
	}
	if d := es.depth(t, dlqURL); d != 0 {
		t.Errorf("%d messages in the dead-letter queue", d)
	}
}

func all(ev events.SQSEvent) []events.SQSBatchItemFailure {
	var f []events.SQSBatchItemFailure
	for _, m := range ev.Records {
		f = append(f, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
	}
	return f
}
