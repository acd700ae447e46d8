package lambdaadapter_test

import (
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	lambdaadapter "github.com/sociogram-kit/kit/adapters/lambda"
	"github.com/sociogram-kit/kit/internal/conformance"
)

// AWS's own event samples, copied from aws-lambda-go's events/testdata
// (kept beside the event conversion, internal/httpevent).
var (
	//go:embed internal/httpevent/testdata/apigw-request.json
	sampleREST []byte
	//go:embed internal/httpevent/testdata/apigw-v2-request-no-authorizer.json
	sampleHTTPAPI []byte
	//go:embed internal/httpevent/testdata/lambda-urls-request.json
	sampleFunctionURL []byte
)

var sources = []lambdaadapter.Source{lambdaadapter.SourceRESTAPI, lambdaadapter.SourceHTTPAPI, lambdaadapter.SourceFunctionURL}

func sample(src lambdaadapter.Source) []byte {
	switch src {
	case lambdaadapter.SourceRESTAPI:
		return sampleREST
	case lambdaadapter.SourceHTTPAPI:
		return sampleHTTPAPI
	}
	return sampleFunctionURL
}

// buildEvent turns req into the event src would deliver, by modifying AWS's
// sample for src: method, path, headers (lower-cased by HTTP APIs and
// Function URLs, as AWS does; kept as given by REST APIs) and the body,
// base64-encoded when b64 is set.
func buildEvent(t testing.TB, src lambdaadapter.Source, req conformance.Request, b64 bool) []byte {
	t.Helper()
	body := string(req.Body)
	if b64 {
		body = base64.StdEncoding.EncodeToString(req.Body)
	}
	var (
		ev  any
		err error
	)
	switch src {
	case lambdaadapter.SourceRESTAPI:
		var e events.APIGatewayProxyRequest
		err = json.Unmarshal(sampleREST, &e)
		e.HTTPMethod, e.RequestContext.HTTPMethod = req.Method, req.Method
		e.Path, e.RequestContext.Path = "/webhook", "/testStage/webhook"
		e.Resource, e.RequestContext.ResourcePath = "/webhook", "/webhook"
		e.PathParameters = nil
		e.Headers, e.MultiValueHeaders = restHeaders(e.MultiValueHeaders, req.Header)
		e.Body, e.IsBase64Encoded = body, b64
		ev = e
	case lambdaadapter.SourceHTTPAPI:
		var e events.APIGatewayV2HTTPRequest
		err = json.Unmarshal(sampleHTTPAPI, &e)
		e.RouteKey, e.RequestContext.RouteKey = req.Method+" /webhook", req.Method+" /webhook"
		e.RawPath, e.RequestContext.HTTP.Path = "/webhook", "/webhook"
		e.RequestContext.HTTP.Method = req.Method
		e.Headers = v2Headers(e.Headers, req.Header, len(req.Body))
		e.Body, e.IsBase64Encoded = body, b64
		ev = e
	default:
		var e events.LambdaFunctionURLRequest
		err = json.Unmarshal(sampleFunctionURL, &e)
		e.RawPath, e.RequestContext.HTTP.Path = "/webhook", "/webhook"
		e.RawQueryString, e.QueryStringParameters, e.Cookies = "", nil, nil
		e.RequestContext.HTTP.Method = req.Method
		e.Headers = v2Headers(e.Headers, req.Header, len(req.Body))
		e.Body, e.IsBase64Encoded = body, b64
		ev = e
	}
	if err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// restHeaders keeps the sample's headers except the content ones, then adds
// h with its names as given.
func restHeaders(sample map[string][]string, h http.Header) (map[string]string, map[string][]string) {
	single, multi := map[string]string{}, map[string][]string{}
	for k, vs := range sample {
		if strings.HasPrefix(strings.ToLower(k), "content-") {
			continue
		}
		single[k], multi[k] = vs[len(vs)-1], vs
	}
	for k, vs := range h {
		single[k], multi[k] = vs[len(vs)-1], vs
	}
	return single, multi
}

// v2Headers keeps the sample's headers except the content ones, then adds h
// lower-cased with repeated values comma-joined, as HTTP APIs do.
func v2Headers(sample map[string]string, h http.Header, n int) map[string]string {
	out := map[string]string{}
	for k, v := range sample {
		if !strings.HasPrefix(k, "content-") {
			out[k] = v
		}
	}
	for k, vs := range h {
		out[strings.ToLower(k)] = strings.Join(vs, ",")
	}
	out["content-length"] = strconv.Itoa(n)
	return out
}

// decodeResponse reads an answer in src's response shape.
func decodeResponse(t testing.TB, src lambdaadapter.Source, out []byte) conformance.Response {
	t.Helper()
	var (
		status int
		h      = http.Header{}
		body   string
		b64    bool
	)
	switch src {
	case lambdaadapter.SourceRESTAPI:
		var r events.APIGatewayProxyResponse
		if err := json.Unmarshal(out, &r); err != nil {
			t.Fatalf("answer %q: %v", out, err)
		}
		status, body, b64 = r.StatusCode, r.Body, r.IsBase64Encoded
		for k, vs := range r.MultiValueHeaders {
			h[http.CanonicalHeaderKey(k)] = vs
		}
	case lambdaadapter.SourceHTTPAPI:
		var r events.APIGatewayV2HTTPResponse
		if err := json.Unmarshal(out, &r); err != nil {
			t.Fatalf("answer %q: %v", out, err)
		}
		status, body, b64 = r.StatusCode, r.Body, r.IsBase64Encoded
		for k, v := range r.Headers {
			h.Set(k, v)
		}
	default:
		var r events.LambdaFunctionURLResponse
		if err := json.Unmarshal(out, &r); err != nil {
			t.Fatalf("answer %q: %v", out, err)
		}
		status, body, b64 = r.StatusCode, r.Body, r.IsBase64Encoded
		for k, v := range r.Headers {
			h.Set(k, v)
		}
	}
	if b64 {
		b, err := base64.StdEncoding.DecodeString(body)
		if err != nil {
			t.Fatalf("answer body is not base64: %v", err)
		}
		body = string(b)
	}
	return conformance.Response{Status: status, Header: h, Body: body}
}
