package sqsqueue

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sociogram-kit/kit/botapi"
	"github.com/sociogram-kit/kit/replyqueue"
)

// Consumer sends the replies in the batches of the queue's event source mapping.
type Consumer struct {
	client  *sqs.Client
	url     string
	deliver *replyqueue.Deliverer
	logger  *slog.Logger
	now     func() time.Time

	mu    sync.Mutex
	sends map[string][]time.Time // per message group (user): this sender's sends in the last botapi.BotWindow
}

// Option configures a Consumer.
type Option func(*Consumer)

// WithClock sets the clock the Consumer reads (the wall clock by default);
// give it the clock of the Deliverer's Pacer.
func WithClock(c botapi.Clock) Option { return func(s *Consumer) { s.now = c.Now } }

// NewConsumer returns a Consumer for the queue at url that delivers with d and
// deletes delivered messages with client.
func NewConsumer(client *sqs.Client, url string, d *replyqueue.Deliverer, logger *slog.Logger, opts ...Option) *Consumer {
	s := &Consumer{client: client, url: url, deliver: d, logger: logger, now: time.Now, sends: map[string][]time.Time{}}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Fair share of one sender. FIFO hands out as many messages of one group as
// it can, so a batch may hold nothing but one user's backlog; Handle then
// sends only a few of them and defers the rest, so that the group is not
// visible for DeferFor and the next batch holds the other users' replies.
const (
	// BusyPerBatch is how many replies of a busy user (botapi.LightSends or
	// more sends in the last botapi.BotWindow, counted by this sender) one
	// batch sends; the user's later replies in the batch are deferred. A
	// quiet user's replies are never deferred: a lone user's few replies
	// still go out a second apart.
	BusyPerBatch = 2
	// DeferFor is how long a deferred reply stays invisible: long enough
	// for the next batch to be taken from the other groups, short enough
	// that a busy user alone still gets about BusyPerBatch replies every
	// three seconds. Each deferral counts as a receive of the message (see
	// the redrive policy's maxReceiveCount in template.yaml).
	DeferFor = time.Second
)

// Handle delivers one batch and returns the messages to keep queued. It
// takes the batch's users (message groups) in turn, each user's messages in
// order. See the package documentation.
func (s *Consumer) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	var resp events.SQSEventResponse
	fail := func(m events.SQSMessage) {
		resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
	}
	groups := map[string][]events.SQSMessage{}
	var order []string
	for _, m := range ev.Records {
		g := m.Attributes["MessageGroupId"]
		if _, ok := groups[g]; !ok {
			order = append(order, g)
		}
		groups[g] = append(groups[g], m)
	}
	held := map[string]bool{}      // groups with a failed message in this batch
	deferring := map[string]bool{} // busy groups whose share of this batch is sent
	batchSent := map[string]int{}
	var deferred []events.SQSMessage
	var sent, failed, skipped int
	for round := 0; ; round++ {
		more := false
		for _, group := range order {
			if round >= len(groups[group]) {
				continue
			}
			more = true
			m := groups[group][round]
			if !held[group] && !deferring[group] && batchSent[group] >= BusyPerBatch && s.busy(group) {
				deferring[group] = true
			}
			switch {
			case held[group] || ctx.Err() != nil:
				skipped++
				fail(m)
				continue
			case deferring[group]:
				deferred = append(deferred, m)
				fail(m)
				continue
			}
			out, err := s.deliver.Deliver(ctx, []byte(m.Body))
			if out == replyqueue.Retry {
				held[group] = true
				failed++
				fail(m)
				s.logger.WarnContext(ctx, "queued reply not delivered; it will be retried", "message_id", m.MessageId,
					"group", group, "receive_count", m.Attributes["ApproximateReceiveCount"], "error", err.Error())
				continue
			}
			switch {
			case errors.Is(err, replyqueue.ErrBadReply):
				s.logger.ErrorContext(ctx, "queued message is not a reply; dropped", "message_id", m.MessageId, "error", err.Error())
			case err != nil:
				s.logger.WarnContext(ctx, "queued reply may have been delivered; not sent again", "message_id", m.MessageId, "error", err.Error())
			}
			sent++
			batchSent[group]++
			s.record(group)
			s.remove(ctx, m)
		}
		if !more {
			break
		}
	}
	s.shorten(ctx, deferred)
	s.logBatch(ctx, ev, sent, failed, skipped, len(deferred))
	return resp, nil
}

// busy reports whether group's user had botapi.LightSends or more sends in
// the last botapi.BotWindow.
func (s *Consumer) busy(group string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	from := s.now().Add(-botapi.BotWindow)
	n := 0
	for _, at := range s.sends[group] {
		if at.After(from) {
			n++
		}
	}
	return n >= botapi.LightSends
}

// record notes a send to group's user and forgets sends older than
// botapi.BotWindow.
func (s *Consumer) record(group string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	from := now.Add(-botapi.BotWindow)
	for g, times := range s.sends {
		i := 0
		for i < len(times) && !times[i].After(from) {
			i++
		}
		if i == len(times) {
			delete(s.sends, g)
		} else if i > 0 {
			s.sends[g] = times[i:]
		}
	}
	s.sends[group] = append(s.sends[group], now)
}

// shorten hands deferred messages back early: the first deferred message
// of each group stays in flight for DeferFor (instead of the queue's
// visibility timeout), which keeps its whole group from being handed out
// (FIFO), and the group's later ones are visible again at once, behind it.
// Should this fail, they come back after the visibility timeout, later but
// still in order.
func (s *Consumer) shorten(ctx context.Context, deferred []events.SQSMessage) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	first := map[string]bool{}
	var entries []types.ChangeMessageVisibilityBatchRequestEntry
	for i, m := range deferred {
		var secs int32
		if g := m.Attributes["MessageGroupId"]; !first[g] {
			first[g], secs = true, int32(DeferFor/time.Second)
		}
		entries = append(entries, types.ChangeMessageVisibilityBatchRequestEntry{Id: aws.String(strconv.Itoa(i)),
			ReceiptHandle: aws.String(m.ReceiptHandle), VisibilityTimeout: secs})
	}
	for len(entries) > 0 {
		n := min(len(entries), 10) // the API's limit per call
		out, err := s.client.ChangeMessageVisibilityBatch(ctx, &sqs.ChangeMessageVisibilityBatchInput{QueueUrl: aws.String(s.url), Entries: entries[:n]})
		switch {
		case err != nil:
			s.logger.WarnContext(ctx, "deferred replies kept invisible for the visibility timeout", "messages", n, "error", err.Error())
		case len(out.Failed) > 0:
			s.logger.WarnContext(ctx, "deferred replies kept invisible for the visibility timeout", "messages", len(out.Failed), "error", aws.ToString(out.Failed[0].Message))
		}
		entries = entries[n:]
	}
}

// remove deletes a delivered message at once, so that it is not sent again
// if the invocation then times out or crashes. The event source mapping
// deletes it too when the batch returns; a failure here only risks that.
func (s *Consumer) remove(ctx context.Context, m events.SQSMessage) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if _, err := s.client.DeleteMessage(ctx, &sqs.DeleteMessageInput{
		QueueUrl: aws.String(s.url), ReceiptHandle: aws.String(m.ReceiptHandle),
	}); err != nil {
		s.logger.WarnContext(ctx, "delivered reply not deleted; the batch's end deletes it", "message_id", m.MessageId, "error", err.Error())
	}
}

// logBatch logs one line per batch: what it did (sent; failed: tried and
// not delivered; skipped: not tried, behind a failed reply of the same user
// or after the invocation's time ran out; deferred: a busy user's beyond
// its share of the batch), the age of its oldest
// message (how far behind the sender is) and the queue's approximate depth.
func (s *Consumer) logBatch(ctx context.Context, ev events.SQSEvent, sent, failed, skipped, deferred int) {
	var oldest time.Duration
	for _, m := range ev.Records {
		if ms, err := strconv.ParseInt(m.Attributes["SentTimestamp"], 10, 64); err == nil {
			oldest = max(oldest, s.now().Sub(time.UnixMilli(ms)))
		}
	}
	attrs := []any{"messages", len(ev.Records), "sent", sent, "failed", failed, "skipped", skipped, "deferred", deferred, "oldest_age_ms", oldest.Milliseconds()}
	qctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	out, err := s.client.GetQueueAttributes(qctx, &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(s.url),
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameApproximateNumberOfMessages,
			types.QueueAttributeNameApproximateNumberOfMessagesNotVisible},
	})
	if err == nil {
		attrs = append(attrs, "depth", atoi(out.Attributes[string(types.QueueAttributeNameApproximateNumberOfMessages)]),
			"in_flight", atoi(out.Attributes[string(types.QueueAttributeNameApproximateNumberOfMessagesNotVisible)]))
	} else {
		attrs = append(attrs, "depth_error", err.Error())
	}
	s.logger.InfoContext(ctx, "reply queue", attrs...)
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
