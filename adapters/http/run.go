package httpadapter

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/sociogram-kit/kit/config"
	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/replyqueue"
)

// DrainTimeout bounds how long Run waits, after the server has stopped, for
// the local reply queue to empty (at one reply a second once the first 60 of
// a minute are out).
const DrainTimeout = 60 * time.Second

// Run serves a bot over plain HTTP until ctx is cancelled; it is the whole of
// a plain-HTTP main:
//
//	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
//	defer stop()
//	if err := httpadapter.Run(ctx, os.Getenv, os.Stderr, bot.Register); err != nil { ... }
//
// It reads the configuration through getenv (package config: the token,
// SOCIOGRAM_API_URL, SOCIOGRAM_RATE_LIMIT, SOCIOGRAM_MAX_IN_FLIGHT,
// LOG_LEVEL, SOCIOGRAM_REPLY_QUEUE, HOST, PORT), logs JSON lines to w, builds
// the bot with register (the bot's Register function) and serves it at
// WebhookPath on HOST:PORT. With SOCIOGRAM_REPLY_QUEUE=local, webhooks are
// answered once their replies are queued, GET /queue shows the queue's
// numbers, and the queue is drained (for up to DrainTimeout) after the
// server has stopped. A bot that declares per-user state (handler.NewState)
// keeps it in the embedded file SOCIOGRAM_STATE_FILE (default
// .sociogram/state.db), or in memory with SOCIOGRAM_STATE=memory. With
// SOCIOGRAM_DEV=1 it also serves the development endpoints (DevHandler),
// gives the bot a DevClock, and answers each webhook with what happened to
// it (handler.WithDiagnostics: the route taken, or why there was no reply),
// which the emulator shows. A cancelled ctx stops the server gracefully (see
// Serve); Run then returns nil. A configuration error names its variable.
func Run(ctx context.Context, getenv func(string) string, w io.Writer, register func(*handler.Mux)) error {
	cfg, err := config.FromEnv(getenv)
	if err != nil {
		return err
	}
	if len(cfg.Tokens) == 0 {
		return config.ErrNoToken
	}
	dev, err := config.Dev(getenv)
	if err != nil {
		return err
	}
	logger := cfg.NewLogger(w)
	keys := handler.NewKeyring(cfg.Tokens...)
	var opts []handler.Option
	var srvOpts []Option
	var queue *replyqueue.Local
	if cfg.ReplyQueue == config.ReplyQueueLocal {
		queue = replyqueue.NewLocal(cfg.NewClient(keys), replyqueue.WithLogger(logger))
		opts = replyqueue.Options(queue)
		srvOpts = append(srvOpts, WithQueueStats(queue.Stats))
	}
	stateOpts, store, state, err := openState(cfg.State, logger)
	if err != nil {
		return err
	}
	defer state.Close()
	wrap := func(h http.Handler) http.Handler { return h }
	if dev {
		var clock handler.Option
		clock, wrap = enableDev(keys, store, logger)
		stateOpts = append(stateOpts, clock, handler.WithDiagnostics()) // the emulator shows why no reply came
	}
	mux, err := cfg.NewMux(keys, logger, register, append(opts, stateOpts...)...)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr())
	if err != nil {
		return fmt.Errorf("cannot listen on %s (set %s and %s): %w", cfg.Addr(), config.EnvHost, config.EnvPort, err)
	}
	logger.Info("listening", "webhook", "http://"+ln.Addr().String()+WebhookPath,
		"api", cfg.APIURL, "rate_limit", cfg.RateLimit)
	srv := NewServer(mux, logger, srvOpts...)
	srv.Handler = wrap(srv.Handler)
	err = Serve(ctx, srv, ln)
	if queue != nil {
		logger.Info("draining the reply queue", "depth", queue.Stats().Depth, "timeout", DrainTimeout.String())
		dctx, cancel := context.WithTimeout(context.Background(), DrainTimeout)
		defer cancel()
		err = errors.Join(err, queue.Close(dctx))
	}
	logger.Info("stopped")
	return err
}
