// Command fakeapi is the test kit's fake Sociogram Bot API as a program: it
// accepts send-message calls carrying SOCIOGRAM_BOT_TOKEN and prints every
// reply it receives (bin/fakeapi), for trying a bot without the emulator.
// It checks each call as the emulator does (package platform) and prints
// why it rejected one; it enforces no rate limits.
//
// Environment: SOCIOGRAM_BOT_TOKEN (required), FAKE_API_ADDR (default
// 127.0.0.1:8081).
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/sociogram-kit/kit/sociogramtest"
)

func main() {
	token := os.Getenv("SOCIOGRAM_BOT_TOKEN")
	if token == "" {
		fmt.Fprintln(os.Stderr, "fakeapi: SOCIOGRAM_BOT_TOKEN is not set: set it to the token the bot sends with")
		os.Exit(1)
	}
	addr := os.Getenv("FAKE_API_ADDR")
	if addr == "" {
		addr = "127.0.0.1:8081"
	}
	logger := log.New(os.Stdout, "fakeapi: ", log.Ltime)
	srv := &http.Server{Addr: addr, Handler: sociogramtest.NewAPI(token, logger.Printf)}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() { <-ctx.Done(); srv.Close() }()
	logger.Printf("fake Bot API on http://%s/bot/send-message", addr)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(os.Stderr, "fakeapi:", err)
		os.Exit(1)
	}
}
