package sqsqueue

import (
	"context"
	"fmt"
	"sort"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// MaxReplay is how many messages one Replay moves at most; run it again for
// more.
const MaxReplay = 10000

// Replay moves the messages of the dead-letter queue at dlqURL back to the
// reply queue at queueURL, and returns how many it moved. It first receives
// them all (hidden for 15 minutes meanwhile), then queues them again in the
// order they were first queued (their SentTimestamp, which a move to the
// dead-letter queue keeps: a dead-letter queue itself does not keep a
// group's order), each with its message group (its user) and a
// deduplication id derived from its dead-letter message id, so a replay
// interrupted between send and delete and run again queues it once; each
// is deleted from the dead-letter queue once queued again.
func Replay(ctx context.Context, c *sqs.Client, dlqURL, queueURL string) (int, error) {
	var all []types.Message
	for len(all) < MaxReplay {
		out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(dlqURL), MaxNumberOfMessages: 10, VisibilityTimeout: 900,
			MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
		})
		if err != nil {
			return 0, fmt.Errorf("sqs: receiving from the dead-letter queue: %w", err)
		}
		if len(out.Messages) == 0 {
			break
		}
		all = append(all, out.Messages...)
	}
	sent := func(m types.Message) int64 {
		n, _ := strconv.ParseInt(m.Attributes[string(types.MessageSystemAttributeNameSentTimestamp)], 10, 64)
		return n
	}
	sort.SliceStable(all, func(i, j int) bool { return sent(all[i]) < sent(all[j]) })
	for i, m := range all {
		if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{
			QueueUrl: aws.String(queueURL), MessageBody: m.Body,
			MessageGroupId:         aws.String(m.Attributes[string(types.MessageSystemAttributeNameMessageGroupId)]),
			MessageDeduplicationId: aws.String("replay-" + aws.ToString(m.MessageId)),
		}); err != nil {
			return i, fmt.Errorf("sqs: queueing message %s again: %w", aws.ToString(m.MessageId), err)
		}
		if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(dlqURL), ReceiptHandle: m.ReceiptHandle}); err != nil {
			return i + 1, fmt.Errorf("sqs: deleting replayed message %s: %w", aws.ToString(m.MessageId), err)
		}
	}
	return len(all), nil
}
