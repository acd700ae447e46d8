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

// startTimeout bounds the cold start's configuration and secret read.
const startTimeout = 5 * time.Second

var errNoToken = errors.New("no bot token: set " + EnvTokenSecret +
	" (the ARN or name of a Secrets Manager secret holding the token) or " + app.EnvToken)

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
	logger := slog.New(lambdaadapter.LogHandler(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: cfg.LogLevel})))
	slog.SetDefault(logger)
	if err != nil {
		return logger, nil, err
	}
	keys := handler.NewKeyring(cfg.Tokens...)
	var opts []handler.Option
	if secret := getenv(EnvTokenSecret); secret != "" {
		v, err := loadSecret(ctx, getenv, keys, secret, logger)
		if err != nil {
			return logger, nil, err
		}
		opts = append(opts, handler.WithVerifier(v))
	} else if keys.Len() == 0 {
		return logger, nil, errNoToken
	}
	if cfg.ReplyQueueURL != "" {
		q, err := replyQueue(getenv, cfg.ReplyQueueURL)
		if err != nil {
			return logger, nil, err
		}
		opts = append(opts, replyqueue.Options(q)...)
	}
	b, err := cfg.NewBot(keys, logger, opts...)
	if err != nil {
		return logger, nil, err
	}
	return logger, lambdaadapter.New(b), nil
}

// replyQueue is the SQS reply queue at url. No network call is made here.
func replyQueue(getenv func(string) string, url string) (*sqsqueue.Queue, error) {
	awsCfg, err := lambdaadapter.AWSConfig(getenv)
	if err != nil {
		return nil, err
	}
	return sqsqueue.New(sqs.NewFromConfig(awsCfg), url), nil
}

// loadSecret reads the token from Secrets Manager into keys and returns the
// verifier that re-reads it on a key mismatch.
func loadSecret(ctx context.Context, getenv func(string) string, keys *handler.Keyring, secret string, logger *slog.Logger) (*lambdaadapter.RefreshingVerifier, error) {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	awsCfg, err := lambdaadapter.AWSConfig(getenv)
	if err != nil {
		return nil, err
	}
	src := lambdaadapter.SecretTokens(secretsmanager.NewFromConfig(awsCfg), secret)
	v := lambdaadapter.NewRefreshingVerifier(keys, src, lambdaadapter.WithRefreshLogger(logger))
	if err := v.Load(ctx); err != nil {
		return nil, err
	}
	return v, nil
}
