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
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	lambdaadapter "github.com/sociogram-kit/kit/adapters/lambda"
	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/internal/app"
	"github.com/sociogram-kit/kit/replyqueue"
	"github.com/sociogram-kit/kit/replyqueue/sqsqueue"
)

// EnvTokenSecret names the Secrets Manager secret that holds the token.
const EnvTokenSecret = "SOCIOGRAM_BOT_TOKEN_SECRET"

const startTimeout = 5 * time.Second

var (
	errNoQueue = errors.New(app.EnvReplyQueueURL + " is not set: the sender needs the reply queue's URL")
	errNoToken = errors.New("no bot token: set " + EnvTokenSecret + " or " + app.EnvToken)
)

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
	logger := slog.New(lambdaadapter.LogHandler(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: cfg.LogLevel})))
	slog.SetDefault(logger)
	if err != nil {
		return logger, nil, err
	}
	if cfg.ReplyQueueURL == "" {
		return logger, nil, errNoQueue
	}
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	awsCfg, err := lambdaadapter.AWSConfig(getenv)
	if err != nil {
		return logger, nil, err
	}
	keys := handler.NewKeyring(cfg.Tokens...)
	if secret := getenv(EnvTokenSecret); secret != "" {
		src := lambdaadapter.SecretTokens(secretsmanager.NewFromConfig(awsCfg), secret)
		if err := lambdaadapter.NewRefreshingVerifier(keys, src).Load(ctx); err != nil {
			return logger, nil, err
		}
	} else if keys.Len() == 0 {
		return logger, nil, errNoToken
	}
	d := replyqueue.NewDeliverer(cfg.NewClient(keys), replyqueue.NewPacer(nil, 0))
	return logger, sqsqueue.NewSender(sqs.NewFromConfig(awsCfg), cfg.ReplyQueueURL, d, logger), nil
}
