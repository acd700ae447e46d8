package httpadapter

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Paths served.
const (
	WebhookPath = "/webhook"
	HealthPath  = "/healthz"
)

// Server timeouts. WriteTimeout leaves room for the core's 10 s webhook
// deadline plus writing the answer.
const (
	ReadHeaderTimeout = 5 * time.Second
	ReadTimeout       = 15 * time.Second
	WriteTimeout      = 20 * time.Second
	IdleTimeout       = 90 * time.Second
	// ShutdownTimeout bounds how long Serve waits for in-flight webhooks
	// (and their replies) after the context is cancelled.
	ShutdownTimeout = 25 * time.Second
)

// Handler routes /webhook to bot and answers GET /healthz, and GET /queue
// when given WithQueueStats.
func Handler(bot http.Handler, opts ...Option) http.Handler {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	mux := http.NewServeMux()
	mux.Handle(WebhookPath, bot)
	mux.HandleFunc("GET "+HealthPath, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
	if o.stats != nil {
		mux.HandleFunc("GET "+QueuePath, serveQueue(o.stats))
	}
	return mux
}

// NewServer returns an http.Server for bot with the timeouts above; opts go
// to Handler.
func NewServer(bot http.Handler, logger *slog.Logger, opts ...Option) *http.Server {
	return &http.Server{
		Handler:           Handler(bot, opts...),
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}

// Serve serves srv on ln until ctx is cancelled, then shuts down gracefully:
// it stops accepting, lets in-flight webhooks finish (their replies
// included) for up to ShutdownTimeout, and returns. It returns nil after a
// clean shutdown.
func Serve(ctx context.Context, srv *http.Server, ln net.Listener) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	return err
}
