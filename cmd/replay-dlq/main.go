// Command replay-dlq moves the replies that failed too often back from the
// dead-letter queue to the reply queue, once the cause (a wrong token, a
// Bot API outage) is fixed. The sender then delivers them, in order per
// user, at the platform's pace.
//
//	replay-dlq -sqs-dlq URL -sqs-queue URL            # AWS (template.yaml outputs)
//	replay-dlq -pubsub-dlq SUBSCRIPTION -pubsub-topic TOPIC   # GCP (terraform outputs)
//
// AWS credentials and region come from the usual AWS_* environment or
// profile (AWS_ENDPOINT_URL too); Google credentials from Application
// Default Credentials.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"time"

	"cloud.google.com/go/pubsub/v2"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sociogram-kit/kit/replyqueue/pubsubqueue/pubsubreplay"
	"github.com/sociogram-kit/kit/replyqueue/sqsqueue"
)

// errUsage is a command line that names no complete pair of queues.
var errUsage = errors.New("give -sqs-dlq and -sqs-queue, or -pubsub-dlq and -pubsub-topic")

// Exit statuses: 0 done (or -h), 1 the replay failed (what was moved before
// is reported), 2 a bad command line.
func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	n, err := run(ctx, os.Args[1:])
	switch {
	case errors.Is(err, flag.ErrHelp):
		return
	case errors.As(err, new(*flagError)): // the flag package has said why
		os.Exit(2)
	case errors.Is(err, errUsage):
		fmt.Fprintln(os.Stderr, "replay-dlq:", err)
		os.Exit(2)
	}
	fmt.Fprintf(os.Stderr, "replay-dlq: %d replies queued again\n", n)
	if err != nil {
		fmt.Fprintln(os.Stderr, "replay-dlq:", err)
		os.Exit(1)
	}
}

// flagError is a flag the flag package refused (it has printed the usage).
type flagError struct{ err error }

func (e *flagError) Error() string { return e.err.Error() }

func run(ctx context.Context, args []string) (int, error) {
	fs := flag.NewFlagSet("replay-dlq", flag.ContinueOnError)
	sqsDLQ := fs.String("sqs-dlq", "", "URL of the SQS dead-letter queue (output ReplyDeadLetterQueueUrl)")
	sqsQueue := fs.String("sqs-queue", "", "URL of the SQS reply queue (output ReplyQueueUrl)")
	psDLQ := fs.String("pubsub-dlq", "", "the dead-letter subscription, projects/P/subscriptions/S (output reply_dead_letter_subscription)")
	psTopic := fs.String("pubsub-topic", "", "the reply topic, projects/P/topics/T (output reply_topic)")
	idle := fs.Duration("idle", 10*time.Second, "Pub/Sub: stop after this long without a message")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, err
		}
		return 0, &flagError{err}
	}
	if fs.NArg() > 0 {
		return 0, fmt.Errorf("%w (unexpected argument %q)", errUsage, fs.Arg(0))
	}
	switch {
	case *sqsDLQ != "" && *sqsQueue != "" && *psDLQ == "" && *psTopic == "":
		cfg, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			return 0, err
		}
		return sqsqueue.Replay(ctx, sqs.NewFromConfig(cfg), *sqsDLQ, *sqsQueue)
	case *psDLQ != "" && *psTopic != "" && *sqsDLQ == "" && *sqsQueue == "":
		project, _, _ := strings.Cut(strings.TrimPrefix(*psTopic, "projects/"), "/")
		c, err := pubsub.NewClient(ctx, project)
		if err != nil {
			return 0, err
		}
		defer c.Close()
		return pubsubreplay.Replay(ctx, c, *psDLQ, *psTopic, *idle)
	}
	return 0, errUsage
}
