// Command gcffloor is the hand-written floor bin/gcf is measured against: the
// floor's bot (package bench/internal/floorbot) registered as the function
// "Webhook" on functions-framework-go and served by it, as a Cloud Function
// written by hand without the kit would be, with this small main in place of
// the one the buildpack generates. Its log line per webhook is Cloud
// Logging's structured JSON on stderr ("severity" and "message" instead of
// slog's "level" and "msg"), like the kit's.
//
// Environment, as bin/gcf: SOCIOGRAM_BOT_TOKEN, SOCIOGRAM_API_URL,
// FUNCTION_TARGET (default Webhook), HOST (default 127.0.0.1), PORT (default
// 8080); SOCIOGRAM_BENCH_EXIT_FIFO for the instruction counts (package
// bench/internal/benchexit).
package main

import (
	"fmt"
	"log/slog"
	"os"

	"github.com/GoogleCloudPlatform/functions-framework-go/funcframework"
	"github.com/GoogleCloudPlatform/functions-framework-go/functions"

	"github.com/sociogram-kit/kit/bench/internal/benchexit"
	"github.com/sociogram-kit/kit/bench/internal/floorbot"
)

func init() {
	logger := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{ReplaceAttr: cloudLogging}))
	bot := floorbot.New(os.Getenv("SOCIOGRAM_BOT_TOKEN"), os.Getenv("SOCIOGRAM_API_URL"), logger)
	functions.HTTP("Webhook", bot.ServeHTTP)
}

// cloudLogging renames slog's level and message to Cloud Logging's fields.
func cloudLogging(groups []string, a slog.Attr) slog.Attr {
	if len(groups) > 0 {
		return a
	}
	switch a.Key {
	case slog.LevelKey:
		sev := "INFO"
		switch l := a.Value.Any().(slog.Level); {
		case l >= slog.LevelError:
			sev = "ERROR"
		case l >= slog.LevelWarn:
			sev = "WARNING"
		case l < slog.LevelInfo:
			sev = "DEBUG"
		}
		return slog.String("severity", sev)
	case slog.MessageKey:
		a.Key = "message"
	}
	return a
}

func main() {
	if os.Getenv("SOCIOGRAM_BOT_TOKEN") == "" {
		fmt.Fprintln(os.Stderr, "gcffloor: SOCIOGRAM_BOT_TOKEN is not set")
		os.Exit(1)
	}
	if os.Getenv("FUNCTION_TARGET") == "" {
		os.Setenv("FUNCTION_TARGET", "Webhook")
	}
	host, port := os.Getenv("HOST"), os.Getenv("PORT")
	if host == "" {
		host = "127.0.0.1"
	}
	if port == "" {
		port = "8080"
	}
	benchexit.Go(func() {
		fmt.Fprintln(os.Stderr, "gcffloor:", funcframework.StartHostPort(host, port))
		os.Exit(1)
	})
}
