package gcfadapter_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/GoogleCloudPlatform/functions-framework-go/funcframework"

	gcfadapter "github.com/sociogram-kit/kit/adapters/gcf"
	"github.com/sociogram-kit/kit/config"
	"github.com/sociogram-kit/kit/internal/conformance"
	"github.com/sociogram-kit/kit/internal/fixture"
	"github.com/sociogram-kit/kit/internal/testtools"
	"github.com/sociogram-kit/kit/sociogramtest"
)

// traced is a valid webhook carrying the platform's request ids.
func traced(execID string) (http.Header, []byte) {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("X-App-Key", conformance.Token)
	h.Set(gcfadapter.HeaderTraceContext, traceID+"/7;o=1")
	h.Set(gcfadapter.HeaderExecutionID, execID)
	return h, sociogramtest.ChatMessage(12345, "hello")
}

// checkRequestLine finds the core's line for the request with execID in the
// logs and checks it is Cloud Logging's structured JSON with its trace.
func checkRequestLine(t *testing.T, logs, execID, project string) {
	t.Helper()
	for _, l := range decodeLines(t, logs) {
		labels, _ := l[gcfadapter.FieldLabels].(map[string]any)
		if labels[gcfadapter.LabelExecutionID] != execID {
			continue
		}
		want := map[string]any{
			"severity": "INFO", "message": "webhook", "status": float64(200), "event": "chat-message", "uid": float64(12345),
			gcfadapter.FieldTrace: "projects/" + project + "/traces/" + traceID, gcfadapter.FieldSpanID: "0000000000000007",
			gcfadapter.FieldTraceSampled: true,
		}
		for k, v := range want {
			if l[k] != v {
				t.Errorf("log %s = %v, want %v (line %v)", k, l[k], v, l)
			}
		}
		return
	}
	t.Errorf("no log line with execution id %s in:\n%s", execID, logs)
}

// frameworkStarted records that this process registered and started the
// framework.
var frameworkStarted atomic.Bool

// TestConformanceFunctionsFramework registers the bot with
// functions-framework-go, as a root package's init does, and runs the
// table through the framework's own server for FUNCTION_TARGET=Webhook, in
// this process. The framework has no way to stop its server: it lives until
// the test binary exits, so the registration happens once, here.
func TestConformanceFunctionsFramework(t *testing.T) {
	if frameworkStarted.Swap(true) {
		t.Skip("functions-framework-go cannot register Webhook twice in one process (go test -count > 1): ran on the first count")
	}
	api := sociogramtest.NewServer(t, conformance.Token)
	env := map[string]string{
		config.EnvToken: conformance.Token, config.EnvAPIURL: api.URL, config.EnvRateLimit: "off",
		config.EnvLogLevel: "debug", gcfadapter.EnvProject: "test-proj",
	}
	logs := &testtools.Buffer{}
	gcfadapter.RegisterFunctions(func(k string) string { return env[k] }, logs, fixture.Register)
	t.Setenv("FUNCTION_TARGET", gcfadapter.EntryPoint)
	port := fmt.Sprint(testtools.FreePort(t))
	go funcframework.StartHostPort("127.0.0.1", port)
	base := "http://127.0.0.1:" + port + "/"
	testtools.WaitHTTP(t, base, 10*time.Second)

	conformance.Run(t, api.API, conformance.DeliverHTTP(base))

	h, body := traced("ff-exec-1")
	if r := conformance.Send(t, base, conformance.Request{Method: http.MethodPost, Header: h, Body: body}); r.Status != 200 {
		t.Fatalf("traced webhook: %d %q", r.Status, r.Body)
	}
	checkRequestLine(t, logs.String(), "ff-exec-1", "test-proj")
	if strings.Contains(logs.String(), conformance.Token) {
		t.Error("the token appears in the logs")
	}
}

func gcfEnv(apiURL string, port int) []string {
	return []string{
		"SOCIOGRAM_BOT_TOKEN=" + conformance.Token, "SOCIOGRAM_API_URL=" + apiURL,
		"SOCIOGRAM_RATE_LIMIT=off", fmt.Sprintf("PORT=%d", port), "LOG_LEVEL=debug",
		"GOOGLE_CLOUD_PROJECT=bin-proj",
	}
}

// TestConformanceBinary runs the table against bin/gcf built on the fixture
// bot (internal/fixture/cmd/gcf, blank-importing internal/fixture/function).
func TestConformanceBinary(t *testing.T) {
	api := sociogramtest.NewServer(t, conformance.Token)
	bin := testtools.Build(t, testtools.FixtureGCF)
	port := testtools.FreePort(t)
	p := testtools.Start(t, bin, gcfEnv(api.URL, port))
	base := fmt.Sprintf("http://127.0.0.1:%d/", port)
	testtools.WaitHTTP(t, base, 10*time.Second)

	conformance.Run(t, api.API, conformance.DeliverHTTP(base))

	h, body := traced("bin-exec-1")
	if r := conformance.Send(t, base, conformance.Request{Method: http.MethodPost, Header: h, Body: body}); r.Status != 200 {
		t.Fatalf("traced webhook: %d %q", r.Status, r.Body)
	}
	waitFor(t, p, "bin-exec-1")
	checkRequestLine(t, jsonLines(p.Output()), "bin-exec-1", "bin-proj")
	if strings.Contains(p.Output(), conformance.Token) {
		t.Error("the token appears in bin/gcf's output")
	}
}

// TestBinaryWithoutToken: with no token the fixture's bin/gcf starts, logs an ERROR
// naming SOCIOGRAM_BOT_TOKEN, and answers every webhook 500.
func TestBinaryWithoutToken(t *testing.T) {
	api := sociogramtest.NewServer(t, conformance.Token)
	bin := testtools.Build(t, testtools.FixtureGCF)
	port := testtools.FreePort(t)
	env := gcfEnv(api.URL, port)[1:]
	p := testtools.Start(t, bin, env)
	base := fmt.Sprintf("http://127.0.0.1:%d/", port)
	testtools.WaitHTTP(t, base, 10*time.Second)

	h, body := traced("no-token-1")
	if r := conformance.Send(t, base, conformance.Request{Method: http.MethodPost, Header: h, Body: body}); r.Status != 500 {
		t.Errorf("status = %d, want 500", r.Status)
	}
	conformance.CheckReplies(t, api.API, nil)
	waitFor(t, p, "no-token-1")
	var startup, request bool
	for _, l := range decodeLines(t, jsonLines(p.Output())) {
		msg, _ := l["error"].(string)
		if l["severity"] != "ERROR" || !strings.Contains(msg, config.EnvToken) {
			continue
		}
		labels, _ := l[gcfadapter.FieldLabels].(map[string]any)
		if labels[gcfadapter.LabelExecutionID] == "no-token-1" && l["status"] == float64(500) {
			request = true
		} else if l["message"] != "webhook" {
			startup = true
		}
	}
	if !startup || !request {
		t.Errorf("want an ERROR line naming %s at startup (%v) and with the request (%v):\n%s", config.EnvToken, startup, request, p.Output())
	}
}

// jsonLines keeps the lines of out that are JSON objects (the framework and
// main print a few plain lines).
func jsonLines(out string) string {
	var b strings.Builder
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "{") {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

// waitFor waits until the process has logged s: the log line is written
// after the answer, so it may trail it by a moment.
func waitFor(t *testing.T, p *testtools.Proc, s string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(p.Output(), s) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
}
