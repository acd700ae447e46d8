package lambdaadapter

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/sociogram-kit/kit/config"
	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/replyqueue"
	"github.com/sociogram-kit/kit/replyqueue/sqsqueue"
)

// WebhookFunction builds the webhook function (template.yaml's
// WebhookFunction) at cold start, before the first invocation; it is the
// whole of a Lambda main:
//
//	h, logger, err := lambdaadapter.WebhookFunction(context.Background(), os.Getenv, os.Stdout, bot.Register)
//	if err != nil {
//		logger.Error("cannot start: "+err.Error(), "error", err)
//		os.Exit(1)
//	}
//	slog.SetDefault(logger)
//	lambda.Start(h)
//
// It reads the configuration through getenv (package config, plus
// SOCIOGRAM_BOT_TOKEN_SECRET: the token is read from Secrets Manager once
// and re-read when a webhook's key stops matching), builds the bot with
// register (the bot's Register function) and, with SOCIOGRAM_REPLY_QUEUE_URL
// set, queues replies in that SQS FIFO queue instead of sending them. A bot
// that declares per-user state (handler.NewState) keeps it in the DynamoDB
// table SOCIOGRAM_STATE_TABLE, for SOCIOGRAM_STATE_TTL (config.StateConfig);
// the embedded file and memory are refused (each instance has its own). The
// logger (JSON lines to w, with the request id) is usable even when err is
// not nil, to report err.
func WebhookFunction(ctx context.Context, getenv func(string) string, w io.Writer, register func(*handler.Mux)) (*Function, *slog.Logger, error) {
	return webhookFunction(ctx, getenv, w, register, AWSConfig)
}

// webhookFunction is WebhookFunction with the AWS configuration built by
// load: once, by the first of the token's secret, the state's table and the
// reply queue that needs it, and shared by all three.
func webhookFunction(ctx context.Context, getenv func(string) string, w io.Writer, register func(*handler.Mux), load awsLoader) (*Function, *slog.Logger, error) {
	cfg, err := config.FromEnv(getenv)
	logger := NewLogger(w, cfg.LogLevel)
	if err != nil {
		return nil, logger, err
	}
	clients := newAWSClients(getenv, load)
	keys := handler.NewKeyring(cfg.Tokens...)
	var opts []handler.Option
	v, err := loadTokens(ctx, getenv(EnvTokenSecret), keys, logger, clients.secretsManager)
	if err != nil {
		return nil, logger, err
	}
	if v != nil {
		opts = append(opts, handler.WithVerifier(v))
	}
	stateOpts, err := stateOptions(cfg.State, clients.dynamoDB, logger)
	if err != nil {
		return nil, logger, err
	}
	opts = append(opts, stateOpts...)
	if cfg.ReplyQueueURL != "" {
		client, err := clients.sqs()
		if err != nil {
			return nil, logger, fmt.Errorf("%s=%s: %w", config.EnvReplyQueueURL, cfg.ReplyQueueURL, err)
		}
		opts = append(opts, replyqueue.Options(sqsqueue.New(client, cfg.ReplyQueueURL))...)
	}
	mux, err := cfg.NewMux(keys, logger, register, opts...)
	if err != nil {
		return nil, logger, err
	}
	return New(mux), logger, nil
}

// errNoQueue: the sender function was started without its queue.
var errNoQueue = errors.New(config.EnvReplyQueueURL + " is not set: the sender needs the reply queue's URL")

// SenderFunction builds the reply queue's sender function (template.yaml's
// SenderFunction, QueueReplies=on) at cold start; a main passes the result
// to lambda.Start as WebhookFunction's does. It needs SOCIOGRAM_REPLY_QUEUE_URL and
// the token (SOCIOGRAM_BOT_TOKEN_SECRET or SOCIOGRAM_BOT_TOKEN), and sends
// with SOCIOGRAM_API_URL. Its pacer starts here, so the first send of a new
// instance waits one interval: with one instance at a time (reserved
// concurrency 1), the bot-wide spacing holds across instances. The sender
// does not depend on the bot's handlers.
func SenderFunction(ctx context.Context, getenv func(string) string, w io.Writer) (lambda.Handler, *slog.Logger, error) {
	return senderFunction(ctx, getenv, w, AWSConfig)
}

// senderFunction is SenderFunction with the AWS configuration built by load,
// once, shared by the token's secret and the queue.
func senderFunction(ctx context.Context, getenv func(string) string, w io.Writer, load awsLoader) (lambda.Handler, *slog.Logger, error) {
	cfg, err := config.FromEnv(getenv)
	logger := NewLogger(w, cfg.LogLevel)
	if err != nil {
		return nil, logger, err
	}
	if cfg.ReplyQueueURL == "" {
		return nil, logger, errNoQueue
	}
	clients := newAWSClients(getenv, load)
	client, err := clients.sqs()
	if err != nil {
		return nil, logger, fmt.Errorf("%s=%s: %w", config.EnvReplyQueueURL, cfg.ReplyQueueURL, err)
	}
	keys := handler.NewKeyring(cfg.Tokens...)
	if _, err := loadTokens(ctx, getenv(EnvTokenSecret), keys, logger, clients.secretsManager); err != nil {
		return nil, logger, err
	}
	d := replyqueue.NewDeliverer(cfg.NewClient(keys), replyqueue.NewPacer(nil, 0))
	c := sqsqueue.NewConsumer(client, cfg.ReplyQueueURL, d, logger)
	return lambda.NewHandler(c.Handle), logger, nil
}
