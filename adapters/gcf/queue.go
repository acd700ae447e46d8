package gcfadapter

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"cloud.google.com/go/pubsub/v2"

	"github.com/sociogram-kit/kit/config"
	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/replyqueue"
	"github.com/sociogram-kit/kit/replyqueue/pubsubqueue"
)

// SenderEntryPoint is the name the reply queue's sender is registered
// under: the entry point of the second function terraform/queue.tf deploys
// (queue_replies = true), the push endpoint of the replies subscription.
const SenderEntryPoint = "Sender"

// replyQueue returns the Pub/Sub queue for topic (projects/P/topics/T).
// Creating the client makes no call; publishing connects.
func replyQueue(topic string) (*pubsubqueue.Queue, error) {
	project, _, _ := strings.Cut(strings.TrimPrefix(topic, "projects/"), "/")
	c, err := pubsub.NewClient(context.Background(), project)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", config.EnvReplyTopic, err)
	}
	return pubsubqueue.New(c.Publisher(topic)), nil
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
