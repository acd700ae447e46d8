package lambdaadapter_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	lambdaadapter "github.com/sociogram-kit/kit/adapters/lambda"
	"github.com/sociogram-kit/kit/config"
	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/internal/conformance"
	"github.com/sociogram-kit/kit/internal/fixture"
	"github.com/sociogram-kit/kit/sociogramtest"
)

// newAdapter builds the fixture bot as the bootstrap does, talking to api.
func newAdapter(t *testing.T, apiURL string, logs *bytes.Buffer) *lambdaadapter.Function {
	t.Helper()
	cfg, err := config.FromEnv(func(k string) string {
		return map[string]string{config.EnvToken: conformance.Token, config.EnvAPIURL: apiURL, config.EnvRateLimit: "off"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(lambdaadapter.LogHandler(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	b, err := cfg.NewMux(handler.NewKeyring(cfg.Tokens...), logger, fixture.Register)
	if err != nil {
		t.Fatal(err)
	}
	return lambdaadapter.New(b)
}

// invocationContext is what the Lambda runtime gives a handler: a deadline
// and the request id.
func invocationContext(t testing.TB, id string) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	t.Cleanup(cancel)
	return lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: id})
}

// deliverInProcess calls the handler's Invoke directly with src's event.
func deliverInProcess(h *lambdaadapter.Function, src lambdaadapter.Source, b64 bool) conformance.Deliver {
	n := 0
	return func(t *testing.T, req conformance.Request) conformance.Response {
		n++
		out, err := h.Invoke(invocationContext(t, fmt.Sprintf("req-%d", n)), buildEvent(t, src, req, b64))
		if err != nil {
			t.Fatalf("Invoke: %v", err)
		}
		return decodeResponse(t, src, out)
	}
}

// TestConformanceInProcess runs the whole table for each source, with plain
// and base64-encoded bodies, through Invoke and the real Bot API client.
func TestConformanceInProcess(t *testing.T) {
	api := sociogramtest.NewServer(t, conformance.Token)
	var logs bytes.Buffer
	h := newAdapter(t, api.URL, &logs)
	for _, src := range sources {
		for _, b64 := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/base64=%v", src, b64), func(t *testing.T) {
				conformance.Run(t, api.API, deliverInProcess(h, src, b64))
			})
		}
	}
	if bytes.Contains(logs.Bytes(), []byte(conformance.Token)) {
		t.Error("the token appears in the logs")
	}
}

// deliverEmulated invokes a built bootstrap under the emulator with src's
// event.
func deliverEmulated(e *emulator, src lambdaadapter.Source, b64 bool) conformance.Deliver {
	return func(t *testing.T, req conformance.Request) conformance.Response {
		return decodeResponse(t, src, e.invoke(t, buildEvent(t, src, req, b64)))
	}
}

// TestConformanceEmulator runs the whole table for each source, plain and
// base64, against the fixture bot's bootstrap under aws-lambda-rie, whose
// replies reach the fake Bot API on loopback.
func TestConformanceEmulator(t *testing.T) {
	api := sociogramtest.NewServer(t, conformance.Token)
	e := startEmulator(t, buildBootstrap(t), envList(map[string]string{
		config.EnvToken: conformance.Token, config.EnvAPIURL: api.URL, config.EnvRateLimit: "off", config.EnvLogLevel: "debug",
	})...)
	for _, src := range sources {
		for _, b64 := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/base64=%v", src, b64), func(t *testing.T) {
				conformance.Run(t, api.API, deliverEmulated(e, src, b64))
			})
		}
	}
	out := e.output()
	if bytes.Contains([]byte(out), []byte(conformance.Token)) {
		t.Error("the token appears in the function's output")
	}
	checkInvocationLogs(t, out)
}
