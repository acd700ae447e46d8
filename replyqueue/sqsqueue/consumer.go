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

// NewConsumer returns a Consumer for the queue at url that delivers with d and
// deletes delivered messages with client.
func NewConsumer(client *sqs.Client, url string, d *replyqueue.Deliverer, logger *slog.Logger) *Consumer {
	return &Consumer{client: client, url: url, deliver: d, logger: logger, now: time.Now}
}

// Handle delivers one batch in order and returns the messages to keep
// queued. See the package documentation.
func (s *Consumer) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	var resp events.SQSEventResponse
	held := map[string]bool{} // message groups with a failed message in this batch
	var sent, failed, skipped int
	for _, m := range ev.Records {
		group := m.Attributes["MessageGroupId"]
		if held[group] || ctx.Err() != nil {
			skipped++
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
			continue
		}
		out, err := s.deliver.Deliver(ctx, []byte(m.Body))
		if out == replyqueue.Retry {
			held[group] = true
			failed++
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
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
		s.remove(ctx, m)
	}
	s.logBatch(ctx, ev, sent, failed, skipped)
	return resp, nil
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
// or after the invocation's time ran out), the age of its oldest
// message (how far behind the sender is) and the queue's approximate depth.
func (s *Consumer) logBatch(ctx context.Context, ev events.SQSEvent, sent, failed, skipped int) {
	var oldest time.Duration
	for _, m := range ev.Records {
		if ms, err := strconv.ParseInt(m.Attributes["SentTimestamp"], 10, 64); err == nil {
			oldest = max(oldest, s.now().Sub(time.UnixMilli(ms)))
		}
	}
	attrs := []any{"messages", len(ev.Records), "sent", sent, "failed", failed, "skipped", skipped, "oldest_age_ms", oldest.Milliseconds()}
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
