package deploytest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/sociogram-kit/kit/config"
	"github.com/sociogram-kit/kit/internal/conformance"
	"github.com/sociogram-kit/kit/internal/testtools"
	"github.com/sociogram-kit/kit/sociogramtest"
)

// Lambda builds the project's webhook function exactly as `sam build` does
// (`make build-WebhookFunction ARTIFACTS_DIR=...` in dir, for this
// machine's architecture), runs the bootstrap under aws-lambda-rie against
// a fake Bot API, and checks its answers to the status table delivered as
// API Gateway HTTP API events (template.yaml's WebhookApi). The token must
// not appear in the function's output.
func Lambda(t *testing.T, dir string) {
	t.Helper()
	mk := tool(t, dir, "make")
	rie := tool(t, dir, "aws-lambda-rie")
	artifacts := t.TempDir()
	cmd := exec.Command(mk, "--no-print-directory", "build-WebhookFunction", "ARTIFACTS_DIR="+artifacts, "LAMBDA_ARCH="+runtime.GOARCH)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make build-WebhookFunction: %v\n%s", err, out)
	}
	api := sociogramtest.NewServer(t, conformance.Token)
	fn := testtools.StartLambda(t, rie, filepath.Join(artifacts, "bootstrap"),
		config.EnvToken+"="+conformance.Token, config.EnvAPIURL+"="+api.URL, config.EnvRateLimit+"=off")
	var n atomic.Int64
	conformance.RunStatus(t, api.API, func(t *testing.T, req conformance.Request) conformance.Response {
		return decodeHTTPAPI(t, fn.Invoke(t, httpAPIEvent(t, req, n.Add(1))))
	})
	if strings.Contains(fn.Output(), conformance.Token) {
		t.Error("the token appears in the function's output")
	}
}

// httpAPIEvent is req as an API Gateway HTTP API (payload format 2.0) event
// for the route POST /webhook: header names lower-cased and repeated values
// comma-joined, as HTTP APIs deliver them.
func httpAPIEvent(t *testing.T, req conformance.Request, id int64) []byte {
	t.Helper()
	h := map[string]string{"content-length": strconv.Itoa(len(req.Body)), "host": "deploytest.execute-api.us-east-1.amazonaws.com"}
	for k, vs := range req.Header {
		h[strings.ToLower(k)] = strings.Join(vs, ",")
	}
	now := time.Now()
	ev := events.APIGatewayV2HTTPRequest{
		Version:  "2.0",
		RouteKey: "POST /webhook",
		RawPath:  "/webhook",
		Headers:  h,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:     "POST /webhook",
			AccountID:    "123456789012",
			Stage:        "$default",
			RequestID:    fmt.Sprintf("deploytest-%d", id),
			APIID:        "deploytest",
			DomainName:   "deploytest.execute-api.us-east-1.amazonaws.com",
			DomainPrefix: "deploytest",
			Time:         now.UTC().Format("02/Jan/2006:15:04:05 -0700"),
			TimeEpoch:    now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method: req.Method, Path: "/webhook", Protocol: "HTTP/1.1", SourceIP: "192.0.2.1", UserAgent: "deploytest",
			},
		},
		Body: string(req.Body),
	}
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// decodeHTTPAPI reads the function's answer in the HTTP API response shape.
func decodeHTTPAPI(t *testing.T, out []byte) conformance.Response {
	t.Helper()
	var r events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("the function's answer %q is not an HTTP API response: %v", out, err)
	}
	body := r.Body
	if r.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(body)
		if err != nil {
			t.Fatalf("answer body is not base64: %v", err)
		}
		body = string(b)
	}
	h := http.Header{}
	for k, v := range r.Headers {
		h.Set(k, v)
	}
	return conformance.Response{Status: r.StatusCode, Header: h, Body: body}
}
