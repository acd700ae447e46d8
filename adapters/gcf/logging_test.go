package gcfadapter_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	gcfadapter "github.com/sociogram-kit/kit/adapters/gcf"
)

// decodeLines parses every JSON line of buf.
func decodeLines(t *testing.T, buf string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(buf), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("not a JSON line: %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

func TestLogHandlerRequestFields(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(gcfadapter.NewLogHandler(&buf, gcfadapter.WithProject("my-proj")))
	ctx := gcfadapter.WithRequestIDs(context.Background(), gcfadapter.RequestIDs{Trace: traceID, SpanID: "0000000000000001", Sampled: true, ExecutionID: "exec-1"})
	log.LogAttrs(ctx, slog.LevelWarn, "webhook", slog.Int("status", 401))
	log.With("a", 1).WithGroup("g").InfoContext(ctx, "grouped", "k", "v")
	log.Info("no request")

	lines := decodeLines(t, buf.String())
	if len(lines) != 3 {
		t.Fatalf("got %d lines: %s", len(lines), buf.String())
	}
	for i, l := range lines[:2] {
		if l[gcfadapter.FieldTrace] != "projects/my-proj/traces/"+traceID {
			t.Errorf("line %d trace = %v", i, l[gcfadapter.FieldTrace])
		}
		if l[gcfadapter.FieldSpanID] != "0000000000000001" || l[gcfadapter.FieldTraceSampled] != true {
			t.Errorf("line %d span/sampled = %v %v", i, l[gcfadapter.FieldSpanID], l[gcfadapter.FieldTraceSampled])
		}
		labels, _ := l[gcfadapter.FieldLabels].(map[string]any)
		if labels[gcfadapter.LabelExecutionID] != "exec-1" {
			t.Errorf("line %d labels = %v", i, l[gcfadapter.FieldLabels])
		}
		if _, ok := l["level"]; ok {
			t.Errorf("line %d still has slog's level key", i)
		}
		if _, ok := l["msg"]; ok {
			t.Errorf("line %d still has slog's msg key", i)
		}
	}
	if l := lines[0]; l["severity"] != "WARNING" || l["message"] != "webhook" || l["status"] != float64(401) {
		t.Errorf("line 0 = %v", l)
	}
	if l := lines[1]; l["severity"] != "INFO" || l["message"] != "grouped" || l["a"] != float64(1) {
		t.Errorf("line 1 = %v", l)
	} else if g, _ := l["g"].(map[string]any); g["k"] != "v" || len(g) != 1 {
		t.Errorf("group g = %v, want only k (request fields at the top level)", l["g"])
	}
	if l := lines[2]; l[gcfadapter.FieldTrace] != nil || l[gcfadapter.FieldLabels] != nil || l["message"] != "no request" {
		t.Errorf("line without request ids = %v", l)
	}
}

func TestLogHandlerWithoutProject(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(gcfadapter.NewLogHandler(&buf))
	ctx := gcfadapter.WithRequestIDs(context.Background(), gcfadapter.RequestIDs{Trace: traceID})
	log.InfoContext(ctx, "x")
	l := decodeLines(t, buf.String())[0]
	if l[gcfadapter.FieldTrace] != traceID || l[gcfadapter.FieldSpanID] != nil || l[gcfadapter.FieldLabels] != nil {
		t.Errorf("line = %v", l)
	}
}

func TestSeverity(t *testing.T) {
	for l, want := range map[slog.Level]string{
		slog.LevelDebug - 4: "DEBUG", slog.LevelDebug: "DEBUG", slog.LevelInfo: "INFO", slog.LevelInfo + 2: "INFO",
		slog.LevelWarn: "WARNING", slog.LevelError: "ERROR", slog.LevelError + 4: "CRITICAL",
	} {
		if got := gcfadapter.Severity(l); got != want {
			t.Errorf("Severity(%v) = %q, want %q", l, got, want)
		}
	}
}

func TestLogHandlerLevel(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(gcfadapter.NewLogHandler(&buf, gcfadapter.WithLevel(slog.LevelWarn)))
	log.Info("hidden")
	log.Debug("hidden")
	log.Error("shown")
	lines := decodeLines(t, buf.String())
	if len(lines) != 1 || lines[0]["severity"] != "ERROR" {
		t.Errorf("lines = %v", lines)
	}
}
