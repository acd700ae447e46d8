// Command webhook serves the example bot over plain HTTP.
//
// Environment: SOCIOGRAM_BOT_TOKEN (required), SOCIOGRAM_API_URL,
// SOCIOGRAM_RATE_LIMIT, PORT (default 8080), HOST (default 127.0.0.1),
// LOG_LEVEL (debug|info|warn|error, default info), SOCIOGRAM_REPLY_QUEUE
// (local: answer webhooks once their replies are queued in memory and send
// them paced in the background; the queue is drained on shutdown, and GET
// /queue shows its numbers).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	httpadapter "github.com/sociogram-kit/kit/adapters/http"
	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/internal/app"
	"github.com/sociogram-kit/kit/replyqueue"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Getenv, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "webhook:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, getenv func(string) string, stderr io.Writer) error {
	cfg, err := app.FromEnv(getenv)
	if err != nil {
		return err
	}
	logger := cfg.NewLogger(stderr)
	keys := handler.NewKeyring(cfg.Tokens...)
	var opts []handler.Option
	var srvOpts []httpadapter.Option
	var queue *replyqueue.Local
	if cfg.ReplyQueue == app.ReplyQueueLocal && keys.Len() > 0 {
		queue = replyqueue.NewLocal(cfg.NewClient(keys), replyqueue.WithLogger(logger))
		opts = replyqueue.Options(queue)
		srvOpts = append(srvOpts, httpadapter.WithQueueStats(queue.Stats))
	}
	b, err := cfg.NewBot(keys, logger, opts...)
	if err != nil {
		return err
	}
	addr := net.JoinHostPort(envOr(getenv, "HOST", "127.0.0.1"), envOr(getenv, "PORT", "8080"))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	logger.Info("listening", "webhook", "http://"+ln.Addr().String()+httpadapter.WebhookPath,
		"api", cfg.APIURL, "rate_limit", cfg.RateLimit)
	err = httpadapter.Serve(ctx, httpadapter.NewServer(b, logger, srvOpts...), ln)
	if queue != nil {
		logger.Info("draining the reply queue", "depth", queue.Stats().Depth, "timeout", DrainTimeout.String())
		dctx, cancel := context.WithTimeout(context.Background(), DrainTimeout)
		defer cancel()
		err = errors.Join(err, queue.Close(dctx))
	}
	logger.Info("stopped")
	return err
}

// DrainTimeout bounds how long a shutdown waits for the local reply queue to
// empty after the server has stopped (at one reply a second once the first
// 60 of a minute are out).
const DrainTimeout = 60 * time.Second

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}
