// Command floor is the hand-written floor bin/webhook is measured against:
// the example bot over plain net/http with nothing from the kit (package
// bench/internal/floorbot: constant-time X-App-Key check, encoding/json, one
// reply through a keep-alive client, one JSON log line per webhook to stderr
// with log/slog's JSONHandler, as the kit's request line).
//
// Environment, as bin/webhook: SOCIOGRAM_BOT_TOKEN, SOCIOGRAM_API_URL, PORT
// (HOST is always 127.0.0.1); SOCIOGRAM_BENCH_EXIT_FIFO for the instruction
// counts (package bench/internal/benchexit). It has no rate spacing and no
// retries.
package main

import (
	"fmt"
	"log/slog"
	"net/http"
	"os"

	"github.com/sociogram-kit/kit/bench/internal/benchexit"
	"github.com/sociogram-kit/kit/bench/internal/floorbot"
)

func main() {
	token := os.Getenv("SOCIOGRAM_BOT_TOKEN")
	if token == "" {
		fmt.Fprintln(os.Stderr, "floor: SOCIOGRAM_BOT_TOKEN is not set")
		os.Exit(1)
	}
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	http.Handle("POST /webhook", floorbot.New(token, os.Getenv("SOCIOGRAM_API_URL"), logger))
	benchexit.Go(func() {
		fmt.Fprintln(os.Stderr, http.ListenAndServe("127.0.0.1:"+port, nil))
		os.Exit(1)
	})
}
