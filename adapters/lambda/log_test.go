package lambdaadapter_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/sociogram-kit/kit/internal/conformance"
	"github.com/sociogram-kit/kit/sociogramtest"
)

type logLine struct {
	Msg       string `json:"msg"`
	Status    int    `json:"status"`
	RequestID string `json:"request_id"`
	Source    string `json:"source"`
	ColdStart *bool  `json:"cold_start"`
}

// webhookLines returns the core's per-request log lines in out.
func webhookLines(t *testing.T, out string) []logLine {
	t.Helper()
	var lines []logLine
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var l logLine
		if json.Unmarshal(sc.Bytes(), &l) == nil && l.Msg == "webhook" {
			lines = append(lines, l)
		}
	}
	return lines
}

// checkInvocationLogs checks the emulator's output: every webhook line
// carries the request id the emulator announced, and only the first is
// marked as the cold start.
func checkInvocationLogs(t *testing.T, out string) {
	t.Helper()
	lines := webhookLines(t, out)
	if len(lines) == 0 {
		t.Fatal("no webhook log lines in the emulator's output")
	}
	for i, l := range lines {
		if l.RequestID == "" || !strings.Contains(out, "START RequestId: "+l.RequestID) {
			t.Errorf("line %d: request_id %q is not one the emulator started", i, l.RequestID)
		}
		if cold := l.ColdStart != nil && *l.ColdStart; cold != (i == 0) {
			t.Errorf("line %d: cold_start = %v, want %v", i, cold, i == 0)
		}
		if l.Source == "" {
			t.Errorf("line %d: no source", i)
		}
	}
}

func TestLogsCarryRequestIDAndColdStart(t *testing.T) {
	api := sociogramtest.NewServer(t, conformance.Token)
	var logs bytes.Buffer
	h := newAdapter(t, api.URL, &logs)
	req := conformance.Cases()[0].Req
	for i, id := range []string{"first-id", "second-id"} {
		src := sources[i]
		if _, err := h.Invoke(invocationContext(t, id), buildEvent(t, src, req, false)); err != nil {
			t.Fatal(err)
		}
	}
	lines := webhookLines(t, logs.String())
	if len(lines) != 2 {
		t.Fatalf("got %d webhook lines, want 2:\n%s", len(lines), logs.String())
	}
	want := []logLine{
		{Msg: "webhook", Status: 200, RequestID: "first-id", Source: "rest-api"},
		{Msg: "webhook", Status: 200, RequestID: "second-id", Source: "http-api"},
	}
	for i, l := range lines {
		cold := l.ColdStart != nil && *l.ColdStart
		if l.RequestID != want[i].RequestID || l.Source != want[i].Source || l.Status != want[i].Status || cold != (i == 0) {
			t.Errorf("line %d = %+v (cold %v), want %+v (cold %v)", i, l, cold, want[i], i == 0)
		}
	}
}
