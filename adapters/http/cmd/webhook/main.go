// Command webhook serves the example bot over plain HTTP.
//
// Environment: SOCIOGRAM_BOT_TOKEN (required), SOCIOGRAM_API_URL,
// SOCIOGRAM_RATE_LIMIT, PORT (default 8080), HOST (default 127.0.0.1),
// LOG_LEVEL (debug|info|warn|error, default info).
package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"

	httpadapter "github.com/sociogram-kit/kit/adapters/http"
	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/internal/app"
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
	b, err := cfg.NewBot(handler.NewKeyring(cfg.Tokens...), logger)
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
	err = httpadapter.Serve(ctx, httpadapter.NewServer(b, logger), ln)
	logger.Info("stopped")
	return err
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}
