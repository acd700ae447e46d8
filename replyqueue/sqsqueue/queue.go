package sqsqueue

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sociogram-kit/kit/replyqueue"
)

// Queue queues replies in an SQS FIFO queue. It implements replyqueue.Queue.
type Queue struct {
	client *sqs.Client
	url    string
}

// New returns the Queue at url (a FIFO queue: its name ends in .fifo).
func New(client *sqs.Client, url string) *Queue { return &Queue{client: client, url: url} }

// Enqueue sends r with its user as message group and its ID as
// deduplication id; it returns once SQS has stored it.
func (q *Queue) Enqueue(ctx context.Context, r replyqueue.Reply) error {
	_, err := q.client.SendMessage(ctx, &sqs.SendMessageInput{
		QueueUrl:               aws.String(q.url),
		MessageBody:            aws.String(string(r.Body)),
		MessageGroupId:         aws.String(r.GroupKey()),
		MessageDeduplicationId: aws.String(r.ID),
	})
	if err != nil {
		return fmt.Errorf("sqs: %w", err)
	}
	return nil
}
