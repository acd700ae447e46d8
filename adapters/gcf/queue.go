package gcfadapter

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"

	"github.com/sociogram-kit/kit/config"
	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/replyqueue"
	"github.com/sociogram-kit/kit/replyqueue/pubsubqueue"
)

// SenderEntryPoint is the name the reply queue's sender is registered
// under: the entry point of the second function terraform/queue.tf deploys
// (queue_replies = true), the push endpoint of the replies subscription.
const SenderEntryPoint = "Sender"

// replyQueue returns the Pub/Sub queue for topic (projects/P/topics/T):
// Pub/Sub's REST API with the runtime service account's token, or the
// emulator named by PUBSUB_EMULATOR_HOST. It makes no network call; the
// first publish fetches the token.
func replyQueue(topic string, getenv func(string) string) (*pubsubqueue.Queue, error) {
	var opts []pubsubqueue.QueueOption
	if host := getenv(pubsubqueue.EnvEmulatorHost); host != "" {
		opts = append(opts, pubsubqueue.WithEmulator(host))
	}
	q, err := pubsubqueue.New(topic, opts...)
	if errors.Is(err, pubsubqueue.ErrBadTopic) {
		return nil, fmt.Errorf("%s: %w", config.EnvReplyTopic, err)
	}
	return q, err // a bad PUBSUB_EMULATOR_HOST names itself
}

// SenderFunction returns the sender function's handler, built from the
// environment (SOCIOGRAM_BOT_TOKEN, SOCIOGRAM_API_URL, LOG_LEVEL,
// GOOGLE_CLOUD_PROJECT) at its first request, so that the webhook function,
// which registers it too but never calls it, neither builds nor logs
// anything for it. Its pacer starts with that first request. An unusable
// configuration answers 500 (Pub/Sub retries, then dead-letters) and logs why.
func SenderFunction(getenv func(string) string, w io.Writer) http.Handler {
	var once sync.Once
	var h http.Handler
	return Traced(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		once.Do(func() { h = newSender(getenv, w) })
		h.ServeHTTP(rw, r)
	}))
}

func newSender(getenv func(string) string, w io.Writer) http.Handler {
	cfg, err := config.FromEnv(getenv)
	logger := slog.New(NewLogHandler(w, WithProject(getenv(EnvProject)), WithLevel(cfg.LogLevel)))
	if err == nil && len(cfg.Tokens) == 0 {
		err = config.ErrNoToken
	}
	if err != nil {
		logger.Error("sender not configured: every queued reply will be retried", "error", err.Error())
		return Unavailable(logger, err)
	}
	keys := handler.NewKeyring(cfg.Tokens...)
	d := replyqueue.NewDeliverer(cfg.NewClient(keys), replyqueue.NewPacer(nil, 0))
	return pubsubqueue.NewPushHandler(d, logger)
}
