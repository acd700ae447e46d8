package gcfadapter_test

import (
	"net/http"
	"strings"
	"testing"

	gcfadapter "github.com/sociogram-kit/kit/adapters/gcf"
)

const traceID = "105445aa7843bc8bf206b12000100000"

func TestParseTraceContext(t *testing.T) {
	for _, c := range []struct {
		in   string
		want gcfadapter.RequestIDs
	}{
		{traceID + "/1;o=1", gcfadapter.RequestIDs{Trace: traceID, SpanID: "0000000000000001", Sampled: true}},
		{traceID + "/12345678901234567890;o=0", gcfadapter.RequestIDs{Trace: traceID, SpanID: "ab54a98ceb1f0ad2"}},
		{traceID, gcfadapter.RequestIDs{Trace: traceID}},
		{strings.ToUpper(traceID) + "/0", gcfadapter.RequestIDs{Trace: traceID}},
		{traceID + "/notanumber;o=1", gcfadapter.RequestIDs{Trace: traceID, Sampled: true}},
		{traceID + "/99999999999999999999", gcfadapter.RequestIDs{Trace: traceID}}, // over 64 bits
		{"", gcfadapter.RequestIDs{}},
		{"abc/1;o=1", gcfadapter.RequestIDs{}},
		{strings.Repeat("0", 32) + "/1", gcfadapter.RequestIDs{}},
		{strings.Repeat("g", 32), gcfadapter.RequestIDs{}},
		{traceID + "0", gcfadapter.RequestIDs{}},
		{`"}` + traceID, gcfadapter.RequestIDs{}},
	} {
		if got := gcfadapter.ParseTraceContext(c.in); got != c.want {
			t.Errorf("ParseTraceContext(%q) = %+v, want %+v", c.in, got, c.want)
		}
	}
}

func TestIDsFromHeaderExecutionID(t *testing.T) {
	for in, want := range map[string]string{
		"4s9tjf7bw6ds":           "4s9tjf7bw6ds",
		"a-b_c.D9":               "a-b_c.D9",
		"":                       "",
		"has space":              "",
		`x"}`:                    "",
		"line\nbreak":            "",
		strings.Repeat("a", 101): "",
		strings.Repeat("a", 100): strings.Repeat("a", 100),
	} {
		h := http.Header{}
		h.Set(gcfadapter.HeaderExecutionID, in)
		if got := gcfadapter.IDsFromHeader(h).ExecutionID; got != want {
			t.Errorf("execution id %q -> %q, want %q", in, got, want)
		}
	}
}

// FuzzParseTraceContext: the header comes from anyone who can reach the
// function; whatever it holds, what reaches the logs is well-formed.
func FuzzParseTraceContext(f *testing.F) {
	for _, s := range []string{traceID + "/1;o=1", traceID, "", "/;", traceID + "/18446744073709551615;o=1", "x/y;z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ids := gcfadapter.ParseTraceContext(s)
		if ids.Trace == "" {
			if ids != (gcfadapter.RequestIDs{}) {
				t.Fatalf("ids without a trace: %+v", ids)
			}
			return
		}
		if len(ids.Trace) != 32 || strings.Trim(ids.Trace, "0123456789abcdef") != "" {
			t.Fatalf("bad trace %q", ids.Trace)
		}
		if ids.SpanID != "" && (len(ids.SpanID) != 16 || strings.Trim(ids.SpanID, "0123456789abcdef") != "") {
			t.Fatalf("bad span %q", ids.SpanID)
		}
	})
}
