package httpevent_test

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/sociogram-kit/kit/adapters/lambda/internal/httpevent"
)

// AWS's own event samples, copied from aws-lambda-go's events/testdata.
var (
	//go:embed testdata/apigw-request.json
	sampleREST []byte
	//go:embed testdata/apigw-v2-request-no-authorizer.json
	sampleHTTPAPI []byte
	//go:embed testdata/lambda-urls-request.json
	sampleFunctionURL []byte
	//go:embed testdata/apigw-response.json
	sampleRESTResponse []byte
	//go:embed testdata/lambda-urls-response.json
	sampleV2Response []byte
)

func TestDetectSamples(t *testing.T) {
	for src, payload := range map[httpevent.Source][]byte{
		httpevent.SourceRESTAPI: sampleREST, httpevent.SourceHTTPAPI: sampleHTTPAPI, httpevent.SourceFunctionURL: sampleFunctionURL,
	} {
		if got := httpevent.Detect(payload); got != src {
			t.Errorf("Detect(%s sample) = %s", src, got)
		}
	}
	// An HTTP API set to payload format 1.0 sends the REST shape.
	var v1 map[string]any
	if err := json.Unmarshal(sampleREST, &v1); err != nil {
		t.Fatal(err)
	}
	v1["version"] = "1.0"
	b, _ := json.Marshal(v1)
	if got := httpevent.Detect(b); got != httpevent.SourceRESTAPI {
		t.Errorf("Detect(payload 1.0) = %s, want rest-api", got)
	}
	for _, in := range []string{``, `null`, `[]`, `{}`, `{"version":"2.0"}`, `{"Records":[]}`, `{"httpMethod":"POST","version":"2.0"}`, `{"version":2}`} {
		if got := httpevent.Detect([]byte(in)); got != httpevent.SourceUnknown {
			t.Errorf("Detect(%s) = %s, want unknown", in, got)
		}
	}
}

// TestRequestFromSamples converts each of AWS's samples as it is and checks
// the request against what the sample holds.
func TestRequestFromSamples(t *testing.T) {
	cases := []struct {
		name       string
		payload    []byte
		src        httpevent.Source
		method     string
		requestURI string
		host       string // the Host header when given, else the domain
		remoteAddr string
		header     map[string][]string // a few of the sample's headers, canonicalised
		body       string
	}{
		{
			name: "REST API", payload: sampleREST, src: httpevent.SourceRESTAPI,
			method: "POST", requestURI: "/hello/world?name=me",
			host: "gy415nuibc.execute-api.us-east-1.amazonaws.com", remoteAddr: "192.168.196.186",
			header: map[string][]string{
				"Content-Type":    {"application/json"},
				"Cache-Control":   {"no-cache"},
				"Headername":      {"headerValue"},
				"X-Forwarded-For": {"54.240.196.186, 54.182.214.83"},
			},
			body: "{\r\n\t\"a\": 1\r\n}",
		},
		{
			name: "HTTP API", payload: sampleHTTPAPI, src: httpevent.SourceHTTPAPI,
			method: "GET", requestURI: "/",
			host: "aaaaaaaaaa.execute-api.us-west-2.amazonaws.com", remoteAddr: "1.2.3.4",
			header: map[string][]string{"User-Agent": {"curl/7.58.0"}, "X-Forwarded-Proto": {"https"}},
		},
		{
			name: "Function URL", payload: sampleFunctionURL, src: httpevent.SourceFunctionURL,
			method: "POST", requestURI: "/my/path?parameter1=value1&parameter1=value2&parameter2=value",
			host: "<url-id>.lambda-url.us-west-2.on.aws", remoteAddr: "123.123.123.123",
			header: map[string][]string{"Header2": {"value1,value2"}, "Cookie": {"cookie1; cookie2"}},
			body:   "Hello from client!",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ev, err := httpevent.Decode(c.payload)
			if err != nil {
				t.Fatal(err)
			}
			type key struct{}
			ctx := context.WithValue(context.Background(), key{}, "invocation")
			r, err := ev.Request(ctx)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(r.Body)
			if ev.Source != c.src || r.Method != c.method || r.RequestURI != c.requestURI || r.URL.RequestURI() != c.requestURI ||
				r.Host != c.host || r.URL.Host != c.host || r.URL.Scheme != "https" || r.RemoteAddr != c.remoteAddr ||
				string(body) != c.body || r.ContentLength != int64(len(c.body)) || r.ProtoMajor != 1 {
				t.Errorf("%s: %s %s (URL %s) host %q from %q, %s, body %q (length %d)",
					ev.Source, r.Method, r.RequestURI, r.URL, r.Host, r.RemoteAddr, r.Proto, body, r.ContentLength)
			}
			for k, want := range c.header {
				if got := r.Header.Values(k); !slices.Equal(got, want) {
					t.Errorf("header %s = %q, want %q", k, got, want)
				}
			}
			if r.Context().Value(key{}) != "invocation" {
				t.Error("the request's context is not the one given")
			}
		})
	}
}

func TestBadBase64(t *testing.T) {
	var m map[string]any
	if err := json.Unmarshal(sampleFunctionURL, &m); err != nil {
		t.Fatal(err)
	}
	m["isBase64Encoded"], m["body"] = true, "not base64!"
	b, _ := json.Marshal(m)
	ev, err := httpevent.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ev.Request(context.Background()); !errors.Is(err, httpevent.ErrBadBase64) {
		t.Errorf("Request = %v, want ErrBadBase64", err)
	}
	m["body"] = "SGVsbG8="
	b, _ = json.Marshal(m)
	ev, _ = httpevent.Decode(b)
	r, err := ev.Request(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if body, _ := io.ReadAll(r.Body); string(body) != "Hello" || r.ContentLength != 5 {
		t.Errorf("base64 body read as %q (length %d), want Hello", body, r.ContentLength)
	}
}

func TestDecodeErrors(t *testing.T) {
	for in, want := range map[string]error{
		`{}`:       httpevent.ErrUnknownEvent,
		`not json`: httpevent.ErrUnknownEvent,
		`{"httpMethod":"POST","headers":{"a":1}}`:                                                                          httpevent.ErrMalformedEvent,
		`{"version":"2.0","requestContext":{"http":{"method":"POST"}},"body":5}`:                                           httpevent.ErrMalformedEvent,
		`{"version":"2.0","requestContext":{"domainName":"x.lambda-url.y.on.aws","http":{"method":"POST"}},"cookies":"a"}`: httpevent.ErrMalformedEvent,
	} {
		if _, err := httpevent.Decode([]byte(in)); !errors.Is(err, want) {
			t.Errorf("Decode(%s) = %v, want %v", in, err, want)
		}
	}
}

// TestEncode writes one answer and reads it back in each source's shape,
// comparing the JSON keys with AWS's response samples.
func TestEncode(t *testing.T) {
	cases := []struct {
		src     httpevent.Source
		sample  []byte
		cookies bool // Set-Cookie goes to cookies (payload 2.0), not headers
	}{
		{httpevent.SourceRESTAPI, sampleRESTResponse, false},
		{httpevent.SourceHTTPAPI, sampleV2Response, true}, // payload 2.0 has one response format
		{httpevent.SourceFunctionURL, sampleV2Response, true},
	}
	for _, c := range cases {
		t.Run(c.src.String(), func(t *testing.T) {
			rec := httpevent.NewRecorder()
			rec.Header().Add("Set-Cookie", "a=1")
			rec.Header().Add("X-Multi", "one")
			rec.Header().Add("X-Multi", "two")
			rec.WriteHeader(http.StatusTeapot)
			rec.WriteHeader(http.StatusOK) // ignored: the first status counts
			rec.Write([]byte{0xff, 0xfe})  // not UTF-8: base64-encoded
			out, err := rec.Encode(c.src)
			if err != nil {
				t.Fatal(err)
			}
			var got struct {
				StatusCode        int                 `json:"statusCode"`
				Headers           map[string]string   `json:"headers"`
				MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
				Cookies           []string            `json:"cookies"`
				Body              string              `json:"body"`
				IsBase64Encoded   bool                `json:"isBase64Encoded"`
			}
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatal(err)
			}
			if got.StatusCode != http.StatusTeapot || got.Body != "//4=" || !got.IsBase64Encoded || got.Headers["X-Multi"] != "one,two" {
				t.Errorf("answer %s", out)
			}
			if c.cookies {
				if !slices.Equal(got.Cookies, []string{"a=1"}) || got.Headers["Set-Cookie"] != "" {
					t.Errorf("cookies %q, Set-Cookie header %q: want the cookie in cookies only", got.Cookies, got.Headers["Set-Cookie"])
				}
			} else if !slices.Equal(got.MultiValueHeaders["X-Multi"], []string{"one", "two"}) || got.Headers["Set-Cookie"] != "a=1" {
				t.Errorf("REST answer headers %v, multi-value %v", got.Headers, got.MultiValueHeaders)
			}
			gotKeys, wantKeys := keys(t, out), keys(t, c.sample)
			for _, k := range wantKeys {
				if !slices.Contains(gotKeys, k) {
					t.Errorf("answer has no %q (AWS's sample has): %s", k, out)
				}
			}
		})
	}
	// Nothing written: 200 with an empty body, as net/http answers.
	out, err := httpevent.NewRecorder().Encode(httpevent.SourceFunctionURL)
	if err != nil || !strings.HasPrefix(string(out), `{"statusCode":200,`) {
		t.Errorf("empty answer: %s, %v", out, err)
	}
}

func keys(t *testing.T, b []byte) []string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

// TestImportsOnlyEvents: the conversion depends on the standard library and
// aws-lambda-go's event types, nothing else (no SDK, no tokens, no kit).
func TestImportsOnlyEvents(t *testing.T) {
	const self = "github.com/sociogram-kit/kit/adapters/lambda/internal/httpevent"
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", self).CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if pkg != self && pkg != "github.com/aws/aws-lambda-go/events" {
			t.Errorf("the event conversion depends on %s", pkg)
		}
	}
}
