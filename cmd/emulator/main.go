// Command emulator is a local stand-in for the Sociogram platform, for one
// bot: a chat page that sends webhooks to the bot, and the Bot API the bot
// replies through. `make run` starts it beside bin/webhook.
//
// Environment: SOCIOGRAM_BOT_TOKEN (required: the token webhooks carry and
// API calls must carry), EMULATOR_ADDR (default 127.0.0.1:8090), BOT_URL
// (where webhooks go, default http://127.0.0.1:8080/webhook; the page can
// change it). Point the bot at the emulator with
// SOCIOGRAM_API_URL=http://<EMULATOR_ADDR>.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/sociogram-kit/kit/config"
	"github.com/sociogram-kit/kit/emulator"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "emulator:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	token := getenv(config.EnvToken)
	if token == "" {
		return config.ErrNoToken
	}
	botURL := envOr(getenv, "BOT_URL", emulator.DefaultBotURL)
	emu, err := emulator.New(token, emulator.WithBotURL(botURL),
		emulator.WithUser(12345, "Alice"), emulator.WithUser(67890, "Bob"))
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", envOr(getenv, "EMULATOR_ADDR", "127.0.0.1:8090"))
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, "emulator: chat page     %s/\n", base)
	fmt.Fprintf(stdout, "emulator: Bot API       %s%s (give the bot SOCIOGRAM_API_URL=%s)\n", base, emulator.SendPath, base)
	fmt.Fprintf(stdout, "emulator: webhooks go to %s\n", botURL)
	srv := &http.Server{Handler: emu, ReadHeaderTimeout: 5 * time.Second,
		BaseContext: func(net.Listener) context.Context { return ctx }} // ends long-polls on Ctrl-C
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}
