package gcfadapter

import (
	"context"
	"io"
	"log/slog"
	"net/http"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"

	"github.com/sociogram-kit/kit/config"
	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/replyqueue"
	"github.com/sociogram-kit/kit/replyqueue/pubsubqueue"
)

// EntryPoint is the name the bot is registered under: the deployed
// function's entry point, and FUNCTION_TARGET when it runs.
const EntryPoint = "Webhook"

// EnvProject names the project for trace ids in logs (set by the Terraform).
const EnvProject = "GOOGLE_CLOUD_PROJECT"

// Traced returns bot with the request's RequestIDs on its context, so that
// the core's log line for the request carries its trace and execution id.
func Traced(bot http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := WithRequestIDs(r.Context(), IDsFromHeader(r.Header))
		bot.ServeHTTP(w, r.WithContext(ctx))
	})
}

// RegisterFunctions registers the bot's two functions with
// functions-framework-go: EntryPoint ("Webhook", the bot built by WebhookFunction)
// and SenderEntryPoint ("Sender", the reply queue's sender built by SenderFunction at
// its first request). It is the whole of the init of the Go package at the
// root of a bot's module, which the Cloud Functions buildpack builds:
//
//	package function
//
//	func init() { gcfadapter.RegisterFunctions(os.Getenv, os.Stderr, bot.Register) }
//
// Call it once per process: the framework exits on a duplicate name.
//
// Neither function links the Pub/Sub client library (nor gRPC for it): the webhook
// publishes through Pub/Sub's REST API (package pubsubqueue) and the sender
// is a plain HTTP push endpoint, so a bot with the queue off carries nothing
// of Pub/Sub but that small REST publisher.
func RegisterFunctions(getenv func(string) string, w io.Writer, register func(*handler.Mux)) {
	functions.HTTP(EntryPoint, WebhookFunction(getenv, w, register).ServeHTTP)
	functions.HTTP(SenderEntryPoint, SenderFunction(getenv, w).ServeHTTP)
}

// WebhookFunction builds the webhook function's handler from the environment read
// through getenv (package config: SOCIOGRAM_BOT_TOKEN, SOCIOGRAM_API_URL,
// SOCIOGRAM_RATE_LIMIT, SOCIOGRAM_MAX_IN_FLIGHT, LOG_LEVEL; plus
// GOOGLE_CLOUD_PROJECT, and SOCIOGRAM_REPLY_TOPIC to queue replies on Pub/Sub
// instead of sending them, published over Pub/Sub's REST API with the
// runtime service account's token, or over plain HTTP to the emulator at
// PUBSUB_EMULATOR_HOST) and the bot's Register function, logging to w in
// Cloud Logging's format. A bot that declares per-user state
// (handler.NewState) keeps it in Firestore: the collection
// SOCIOGRAM_STATE_COLLECTION of the database SOCIOGRAM_STATE_DATABASE, for
// SOCIOGRAM_STATE_TTL (config.StateConfig); the embedded file and memory are
// refused (each instance has its own).
//
// It never fails: when the configuration is unusable (no token, a bad URL,
// state in memory) it
// logs one ERROR line saying why, naming the variable, and returns a handler
// that answers every request 500 and logs the same reason each time. The
// deploy then still starts; the platform sees failures it may retry once the
// secret is fixed, and the console shows the cause next to each of them.
func WebhookFunction(getenv func(string) string, w io.Writer, register func(*handler.Mux)) http.Handler {
	cfg, err := config.FromEnv(getenv)
	logger := slog.New(NewLogHandler(w, WithProject(getenv(EnvProject)), WithLevel(cfg.LogLevel)))
	var opts []handler.Option
	if err == nil {
		opts, err = stateOptions(cfg.State, getenv, logger)
	}
	if err == nil && cfg.ReplyTopic != "" {
		var q *pubsubqueue.Queue
		if q, err = replyQueue(cfg.ReplyTopic, getenv); err == nil {
			opts = append(opts, replyqueue.Options(q)...)
		}
	}
	if err == nil {
		var mux *handler.Mux
		if mux, err = cfg.NewMux(handler.NewKeyring(cfg.Tokens...), logger, register, opts...); err == nil {
			return Traced(mux)
		}
	}
	logger.Error("function not configured: every webhook will be answered 500", "error", err.Error())
	return Traced(Unavailable(logger, err))
}

// Unavailable answers every request 500 and logs err with it, at ERROR, in
// the shape of the core's request line.
func Unavailable(logger *slog.Logger, err error) http.Handler {
	msg := err.Error()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, http.StatusText(http.StatusInternalServerError)+"\n")
		logUnavailable(r.Context(), logger, msg)
	})
}

func logUnavailable(ctx context.Context, logger *slog.Logger, msg string) {
	logger.LogAttrs(ctx, slog.LevelError, "webhook",
		slog.Int("status", http.StatusInternalServerError), slog.String("error", msg))
}
