package gcfadapter

import (
	"context"
	"io"
	"log/slog"
)

// Fields of Cloud Logging's structured JSON
// (https://cloud.google.com/logging/docs/structured-logging).
const (
	FieldSeverity     = "severity"
	FieldMessage      = "message"
	FieldTrace        = "logging.googleapis.com/trace"
	FieldSpanID       = "logging.googleapis.com/spanId"
	FieldTraceSampled = "logging.googleapis.com/trace_sampled"
	FieldLabels       = "logging.googleapis.com/labels"
	LabelExecutionID  = "execution_id"
)

// LogOption configures NewLogHandler.
type LogOption func(*logConfig)

type logConfig struct {
	project string
	level   slog.Leveler
}

// WithProject sets the Google Cloud project the trace ids belong to, making
// the trace field "projects/PROJECT/traces/TRACE", the form Cloud Logging
// links to Cloud Trace and groups a request's lines by. Without it the field
// holds the bare trace id.
func WithProject(id string) LogOption { return func(c *logConfig) { c.project = id } }

// WithLevel sets the minimum level logged (default info).
func WithLevel(l slog.Leveler) LogOption { return func(c *logConfig) { c.level = l } }

// NewLogHandler returns a slog handler writing one JSON object per line in
// Cloud Logging's structured format: "severity" (DEBUG, INFO, WARNING, ERROR,
// CRITICAL) instead of slog's "level", "message" instead of "msg", and, when
// the record's context carries RequestIDs (see Handler), the trace, span,
// sampled flag and the execution id as the label "execution_id".
func NewLogHandler(w io.Writer, opts ...LogOption) slog.Handler {
	c := logConfig{level: slog.LevelInfo}
	for _, o := range opts {
		o(&c)
	}
	base := slog.NewJSONHandler(w, &slog.HandlerOptions{Level: c.level, ReplaceAttr: replaceBuiltins})
	return &logHandler{base: base, inner: base, project: c.project}
}

// replaceBuiltins renames slog's level and message keys to Cloud Logging's.
func replaceBuiltins(groups []string, a slog.Attr) slog.Attr {
	if len(groups) > 0 {
		return a
	}
	switch a.Key {
	case slog.LevelKey:
		l, _ := a.Value.Any().(slog.Level)
		return slog.String(FieldSeverity, Severity(l))
	case slog.MessageKey:
		a.Key = FieldMessage
	}
	return a
}

// Severity maps a slog level to Cloud Logging's severity names.
func Severity(l slog.Level) string {
	switch {
	case l < slog.LevelInfo:
		return "DEBUG"
	case l < slog.LevelWarn:
		return "INFO"
	case l < slog.LevelError:
		return "WARNING"
	case l < slog.LevelError+4:
		return "ERROR"
	}
	return "CRITICAL"
}

// logHandler adds the request's ids at the top level of each record, even
// under groups: it keeps the handler without groups or attributes (base) and
// the steps applied since (ops), and replays them over the ids when a group
// is open.
type logHandler struct {
	base    slog.Handler
	inner   slog.Handler
	ops     []func(slog.Handler) slog.Handler
	grouped bool
	project string
}

func (h *logHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.inner.Enabled(ctx, l)
}

func (h *logHandler) Handle(ctx context.Context, r slog.Record) error {
	ids, ok := RequestIDsFrom(ctx)
	if !ok {
		return h.inner.Handle(ctx, r)
	}
	attrs := h.idAttrs(ids)
	if len(attrs) == 0 {
		return h.inner.Handle(ctx, r)
	}
	if !h.grouped {
		r = r.Clone()
		r.AddAttrs(attrs...)
		return h.inner.Handle(ctx, r)
	}
	inner := h.base.WithAttrs(attrs)
	for _, op := range h.ops {
		inner = op(inner)
	}
	return inner.Handle(ctx, r)
}

func (h *logHandler) idAttrs(ids RequestIDs) []slog.Attr {
	attrs := make([]slog.Attr, 0, 4)
	if ids.Trace != "" {
		trace := ids.Trace
		if h.project != "" {
			trace = "projects/" + h.project + "/traces/" + ids.Trace
		}
		attrs = append(attrs, slog.String(FieldTrace, trace))
		if ids.SpanID != "" {
			attrs = append(attrs, slog.String(FieldSpanID, ids.SpanID))
		}
		if ids.Sampled {
			attrs = append(attrs, slog.Bool(FieldTraceSampled, true))
		}
	}
	if ids.ExecutionID != "" {
		attrs = append(attrs, slog.Group(FieldLabels, slog.String(LabelExecutionID, ids.ExecutionID)))
	}
	return attrs
}

func (h *logHandler) with(op func(slog.Handler) slog.Handler, grouped bool) *logHandler {
	c := *h
	c.inner = op(h.inner)
	c.ops = append(h.ops[:len(h.ops):len(h.ops)], op)
	c.grouped = h.grouped || grouped
	return &c
}

func (h *logHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}
	return h.with(func(in slog.Handler) slog.Handler { return in.WithAttrs(attrs) }, false)
}

func (h *logHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	return h.with(func(in slog.Handler) slog.Handler { return in.WithGroup(name) }, true)
}
