// Command sender sends the bot's queued replies on AWS Lambda
// (provided.al2023): the SenderFunction of template.yaml (QueueReplies=on),
// triggered by the SQS FIFO reply queue's event source mapping with
// ReportBatchItemFailures and run with reserved concurrency 1.
//
// Environment: SOCIOGRAM_REPLY_QUEUE_URL (required: the queue, to delete
// each reply as soon as it is sent and to log the queue's depth),
// SOCIOGRAM_BOT_TOKEN_SECRET or SOCIOGRAM_BOT_TOKEN (as the webhook's
// bootstrap), SOCIOGRAM_API_URL, LOG_LEVEL.
//
// Build: make build-SenderFunction (as sam build does) or make build-lambda.
package main

import (
	"context"
	"errors"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	lambdaadapter "github.com/sociogram-kit/kit/adapters/lambda"
	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/internal/app"
	"github.com/sociogram-kit/kit/replyqueue"
	"github.com/sociogram-kit/kit/replyqueue/sqsqueue"
)

var errNoQueue = errors.New(app.EnvReplyQueueURL + " is not set: the sender needs the reply queue's URL")

func main() {
	logger, s, err := setup(context.Background(), os.Getenv)
	if err != nil {
		logger.Error("cannot start: "+err.Error(), "error", err)
		os.Exit(1)
	}
	lambda.Start(s.Handle)
}

// setup builds the sender at cold start. Its pacer starts here, so the first
// send of a new instance waits one interval: with one instance at a time,
// the bot-wide spacing holds across instances.
func setup(ctx context.Context, getenv func(string) string) (*slog.Logger, *sqsqueue.Sender, error) {
	cfg, err := app.FromEnv(getenv)
	logger := lambdaadapter.NewLogger(os.Stdout, cfg.LogLevel)
	slog.SetDefault(logger)
	if err != nil {
		return logger, nil, err
	}
	if cfg.ReplyQueueURL == "" {
		return logger, nil, errNoQueue
	}
	awsCfg, err := lambdaadapter.AWSConfig(getenv)
	if err != nil {
		return logger, nil, err
	}
	keys := handler.NewKeyring(cfg.Tokens...)
	if _, err := lambdaadapter.LoadTokens(ctx, getenv, keys, logger); err != nil {
		return logger, nil, err
	}
	d := replyqueue.NewDeliverer(cfg.NewClient(keys), replyqueue.NewPacer(nil, 0))
	return logger, sqsqueue.NewSender(sqs.NewFromConfig(awsCfg), cfg.ReplyQueueURL, d, logger), nil
}
