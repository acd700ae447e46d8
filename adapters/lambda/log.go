package lambdaadapter

import (
	"context"
	"io"
	"log/slog"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

// Log attribute keys added by LogHandler.
const (
	LogKeyRequestID = "request_id"
	LogKeySource    = "source"
	LogKeyColdStart = "cold_start"
)

type invocationKey struct{}

// invocation is what Invoke knows about the current invocation.
type invocation struct {
	source    Source
	coldStart bool
}

func withInvocation(ctx context.Context, inv invocation) context.Context {
	return context.WithValue(ctx, invocationKey{}, inv)
}

// LogHandler wraps h so that records logged with an invocation's context
// (InfoContext and friends, as the core does) carry the Lambda request id,
// the event source and, on the process's first invocation, cold_start=true.
func LogHandler(h slog.Handler) slog.Handler { return &logHandler{h} }

type logHandler struct{ slog.Handler }

func (h *logHandler) Handle(ctx context.Context, r slog.Record) error {
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		r.AddAttrs(slog.String(LogKeyRequestID, lc.AwsRequestID))
	}
	if inv, ok := ctx.Value(invocationKey{}).(invocation); ok {
		r.AddAttrs(slog.String(LogKeySource, inv.source.String()))
		if inv.coldStart {
			r.AddAttrs(slog.Bool(LogKeyColdStart, true))
		}
	}
	return h.Handler.Handle(ctx, r)
}

func (h *logHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &logHandler{h.Handler.WithAttrs(attrs)}
}

func (h *logHandler) WithGroup(name string) slog.Handler {
	return &logHandler{h.Handler.WithGroup(name)}
}

// NewLogger is the functions' logger: JSON lines at level, each carrying the
// invocation's request id and marking the cold start (see LogHandler).
func NewLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(LogHandler(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level})))
}
