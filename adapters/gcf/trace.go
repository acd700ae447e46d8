package gcfadapter

import (
	"context"
	"net/http"
	"strconv"
	"strings"
)

// Headers the adapter reads. Both are set by the platform in front of the
// function, but anything may reach a public function, so their values are
// validated before they go into a log line.
const (
	HeaderTraceContext = "X-Cloud-Trace-Context"
	HeaderExecutionID  = "Function-Execution-Id"
)

// maxExecutionID bounds the execution id copied into logs.
const maxExecutionID = 100

// RequestIDs is what ties a log line to its request in Cloud Logging.
type RequestIDs struct {
	Trace       string // 32 lower-case hex digits, or ""
	SpanID      string // 16 hex digits (converted from the header's decimal), or ""
	Sampled     bool
	ExecutionID string
}

// IDsFromHeader reads the request ids from h. Malformed values are dropped,
// never passed on.
func IDsFromHeader(h http.Header) RequestIDs {
	ids := ParseTraceContext(h.Get(HeaderTraceContext))
	ids.ExecutionID = cleanExecutionID(h.Get(HeaderExecutionID))
	return ids
}

// ParseTraceContext parses an X-Cloud-Trace-Context value,
// "TRACE_ID/SPAN_ID;o=OPTIONS", where TRACE_ID is 32 hex digits, SPAN_ID a
// decimal 64-bit number and o=1 marks a sampled trace. SPAN_ID and the
// options are optional. An invalid trace id yields no ids at all; an invalid
// span id or option is ignored.
func ParseTraceContext(v string) RequestIDs {
	var ids RequestIDs
	rest, opts, _ := strings.Cut(v, ";")
	trace, span, hasSpan := strings.Cut(rest, "/")
	trace = strings.ToLower(strings.TrimSpace(trace))
	if !isHex(trace, 32) || strings.Trim(trace, "0") == "" {
		return ids
	}
	ids.Trace = trace
	if hasSpan {
		if n, err := strconv.ParseUint(strings.TrimSpace(span), 10, 64); err == nil && n != 0 {
			ids.SpanID = strconv.FormatUint(n, 16)
			ids.SpanID = strings.Repeat("0", 16-len(ids.SpanID)) + ids.SpanID
		}
	}
	ids.Sampled = strings.TrimSpace(opts) == "o=1"
	return ids
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// cleanExecutionID keeps an execution id of at most maxExecutionID letters,
// digits, '-', '_' and '.', and drops anything else.
func cleanExecutionID(v string) string {
	if len(v) > maxExecutionID {
		return ""
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'
		if !ok {
			return ""
		}
	}
	return v
}

type idsKey struct{}

// WithRequestIDs returns ctx carrying ids, for the log handler.
func WithRequestIDs(ctx context.Context, ids RequestIDs) context.Context {
	return context.WithValue(ctx, idsKey{}, ids)
}

// RequestIDsFrom returns the ids on ctx, if any.
func RequestIDsFrom(ctx context.Context) (RequestIDs, bool) {
	ids, ok := ctx.Value(idsKey{}).(RequestIDs)
	return ids, ok
}
