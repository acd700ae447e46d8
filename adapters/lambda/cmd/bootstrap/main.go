// Command bootstrap runs the example bot on AWS Lambda (provided.al2023),
// behind an API Gateway REST or HTTP API or a Function URL.
//
// Environment: SOCIOGRAM_BOT_TOKEN_SECRET (the ARN or name of a Secrets
// Manager secret holding the token; read once per cold start and re-read
// when a webhook's key stops matching) or SOCIOGRAM_BOT_TOKEN (the token
// itself, for simple setups); SOCIOGRAM_API_URL, SOCIOGRAM_RATE_LIMIT,
// LOG_LEVEL (debug|info|warn|error), SOCIOGRAM_REPLY_QUEUE_URL (when set,
// replies go into that SQS FIFO queue, drained by cmd/sender, and webhooks
// are answered once their replies are queued).
//
// Build: CGO_ENABLED=0 GOOS=linux GOARCH=arm64 go build -tags lambda.norpc
// -trimpath -ldflags='-s -w' -o bootstrap ./adapters/lambda/cmd/bootstrap
package main

import (
	"context"
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

func main() {
	logger, h, err := setup(context.Background(), os.Getenv)
	if err != nil {
		logger.Error("cannot start: "+err.Error(), "error", err)
		os.Exit(1)
	}
	lambda.Start(h)
}

// setup builds the handler at cold start, before the first invocation. It
// always returns a usable logger.
func setup(ctx context.Context, getenv func(string) string) (*slog.Logger, *lambdaadapter.Handler, error) {
	cfg, err := app.FromEnv(getenv)
	logger := lambdaadapter.NewLogger(os.Stdout, cfg.LogLevel)
	slog.SetDefault(logger)
	if err != nil {
		return logger, nil, err
	}
	keys := handler.NewKeyring(cfg.Tokens...)
	var opts []handler.Option
	v, err := lambdaadapter.LoadTokens(ctx, getenv, keys, logger)
	if err != nil {
		return logger, nil, err
	}
	if v != nil {
		opts = append(opts, handler.WithVerifier(v))
	}
	if cfg.ReplyQueueURL != "" {
		awsCfg, err := lambdaadapter.AWSConfig(getenv)
		if err != nil {
			return logger, nil, err
		}
		opts = append(opts, replyqueue.Options(sqsqueue.New(sqs.NewFromConfig(awsCfg), cfg.ReplyQueueURL))...)
	}
	b, err := cfg.NewBot(keys, logger, opts...)
	if err != nil {
		return logger, nil, err
	}
	return logger, lambdaadapter.New(b), nil
}
