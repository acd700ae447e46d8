package sqsqueue

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
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
}

// Option configures a Consumer.
type Option func(*Consumer)

// WithClock sets the clock the Consumer reads (the wall clock by default);
// give it the clock of the Deliverer's Pacer.
func WithClock(c botapi.Clock) Option { return func(s *Consumer) { s.now = c.Now } }

// NewConsumer returns a Consumer for the queue at url that delivers with d and
// deletes delivered messages with client.
func NewConsumer(client *sqs.Client, url string, d *replyqueue.Deliverer, logger *slog.Logger, opts ...Option) *Consumer {
	s := &Consumer{client: client, url: url, deliver: d, logger: logger, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Fair share of one sender. FIFO hands out as many messages of one group as
// it can, so a batch may hold nothing but one user's backlog; Handle then
// sends only a few of them and defers the rest, so that the group is not
// visible for a while and the next batch holds the other users' replies.
// Busy and quiet are the Pacer's (replyqueue.Pacer.Busy).
const (
	// BusyPerBatch is how many replies of a busy user (botapi.LightSends or
	// more sends in the last botapi.BotWindow) one batch sends; the user's
	// later replies in the batch are deferred. A quiet user's replies are
	// never deferred: a lone user's few replies still go out a second apart.
	BusyPerBatch = 2
	// DeferFor is how long a deferred reply stays invisible: long enough
	// for the next batch to be taken from the other groups, short enough
	// that a busy user alone still gets about BusyPerBatch replies every
	// three seconds. Each deferral counts as a receive of the message (see
	// the redrive policy's maxReceiveCount in template.yaml).
	DeferFor = time.Second
	// MaxBusyWait is how long a batch waits for a busy user's slot: more
	// than the Pacer's bucket takes to fill after quiet users emptied it.
	// A busy user whose slot is further away (others have spent the
	// platform's minute) is deferred until then instead, so that the batch
	// ends and the next one can bring other users' replies.
	MaxBusyWait = 8 * time.Second
	// maxDefer caps how long a deferral keeps a user's replies back.
	maxDefer = botapi.BotWindow
)

// Handle delivers one batch and returns the messages to keep queued. It
// takes the batch's quiet users first, then the busy ones, each user's
// messages in order and the users in turn. See the package documentation.
func (s *Consumer) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	var resp events.SQSEventResponse
	fail := func(m events.SQSMessage) {
		resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
	}
	pacer := s.deliver.Pacer()
	groups := map[string][]events.SQSMessage{}
	var quiet, busy []string
	for _, m := range ev.Records {
		g := m.Attributes["MessageGroupId"]
		if _, ok := groups[g]; !ok {
			if pacer.Busy(uid(g)) {
				busy = append(busy, g)
			} else {
				quiet = append(quiet, g)
			}
		}
		groups[g] = append(groups[g], m)
	}
	// A busy user's wait for its slot must not hold up the quiet users.
	order := append(quiet, busy...)
	held := map[string]bool{}               // groups with a failed message in this batch
	deferring := map[string]time.Duration{} // busy groups handed back, for how long
	batchSent := map[string]int{}
	var handBack []events.SQSMessage
	var sent, failed, skipped int
	for round := 0; ; round++ {
		more := false
		for _, group := range order {
			if round >= len(groups[group]) {
				continue
			}
			more = true
			m := groups[group][round]
			if _, d := deferring[group]; !held[group] && !d && pacer.Busy(uid(group)) {
				if batchSent[group] >= BusyPerBatch {
					deferring[group] = DeferFor
				} else if wait := pacer.Delay(uid(group)); wait > MaxBusyWait {
					deferring[group] = min(wait, maxDefer)
				}
			}
			_, deferred := deferring[group]
			switch {
			case held[group] || ctx.Err() != nil:
				skipped++
				fail(m)
				continue
			case deferred:
				handBack = append(handBack, m)
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
			s.remove(ctx, m)
		}
		if !more {
			break
		}
	}
	s.shorten(ctx, handBack, deferring)
	s.logBatch(ctx, ev, sent, failed, skipped, len(handBack))
	return resp, nil
}

// uid is the user of a message group (0, never busy, if it is not one).
func uid(group string) int64 {
	n, _ := strconv.ParseInt(group, 10, 64)
	return n
}

// shorten hands deferred messages back early: the first deferred message
// of each group stays in flight for its group's deferral (DeferFor, or
// until the user's slot; instead of the queue's visibility timeout), which
// keeps its whole group from being handed out (FIFO), and the group's later
// ones are visible again at once, behind it. Should this fail, they come
// back after the visibility timeout, later but still in order.
func (s *Consumer) shorten(ctx context.Context, deferred []events.SQSMessage, deferring map[string]time.Duration) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	first := map[string]bool{}
	var entries []types.ChangeMessageVisibilityBatchRequestEntry
	for i, m := range deferred {
		var secs int32
		if g := m.Attributes["MessageGroupId"]; !first[g] {
			first[g], secs = true, int32((deferring[g]+time.Second-1)/time.Second)
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
