package lambdaadapter_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"slices"
	"testing"
	"time"

	lambdaadapter "github.com/sociogram-kit/kit/adapters/lambda"
	"github.com/sociogram-kit/kit/internal/conformance"
)

func TestDetectSamples(t *testing.T) {
	for _, src := range sources {
		if got := lambdaadapter.Detect(sample(src)); got != src {
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
	if got := lambdaadapter.Detect(b); got != lambdaadapter.SourceRESTAPI {
		t.Errorf("Detect(payload 1.0) = %s, want rest-api", got)
	}
	for _, in := range []string{``, `null`, `[]`, `{}`, `{"version":"2.0"}`, `{"Records":[]}`, `{"httpMethod":"POST","version":"2.0"}`, `{"version":2}`} {
		if got := lambdaadapter.Detect([]byte(in)); got != lambdaadapter.SourceUnknown {
			t.Errorf("Detect(%s) = %s, want unknown", in, got)
		}
	}
}

// spy records the request the core would get.
type spy struct {
	req      *http.Request
	body     []byte
	deadline time.Time
}

func (s *spy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.req = r
	s.body, _ = io.ReadAll(r.Body)
	s.deadline, _ = r.Context().Deadline()
	w.Header().Add("Set-Cookie", "a=1")
	w.Header().Add("X-Multi", "one")
	w.Header().Add("X-Multi", "two")
	w.WriteHeader(http.StatusTeapot)
	w.Write([]byte{0xff, 0xfe}) // not UTF-8: must come back base64-encoded
}

func TestRequestConversion(t *testing.T) {
	req := conformance.Request{Method: http.MethodPost, Body: []byte(`{"data":{}}`), Header: http.Header{
		"x-app-key":    {"k1", "k2"}, // REST: two values; v2: "k1,k2"
		"CONTENT-TYPE": {"application/json"},
	}}
	for _, src := range sources {
		for _, b64 := range []bool{false, true} {
			s := &spy{}
			ctx := invocationContext(t, "id")
			out, err := lambdaadapter.New(s).Invoke(ctx, buildEvent(t, src, req, b64))
			if err != nil {
				t.Fatal(err)
			}
			r := s.req
			wantKey := []string{"k1", "k2"}
			if src != lambdaadapter.SourceRESTAPI {
				wantKey = []string{"k1,k2"}
			}
			if r.Method != http.MethodPost || r.URL.Path != "/webhook" || string(s.body) != `{"data":{}}` ||
				r.ContentLength != int64(len(s.body)) || !slices.Equal(r.Header.Values("X-App-Key"), wantKey) ||
				r.Header.Get("Content-Type") != "application/json" || r.RemoteAddr == "" || r.Host == "" {
				t.Errorf("%s b64=%v: request %s %s host %q from %q, len %d body %q, key %q, type %q",
					src, b64, r.Method, r.URL, r.Host, r.RemoteAddr, r.ContentLength, s.body, r.Header.Values("X-App-Key"), r.Header.Get("Content-Type"))
			}
			if want, _ := ctx.Deadline(); !s.deadline.Equal(want) {
				t.Errorf("%s: request deadline %v, want the invocation's %v", src, s.deadline, want)
			}
			resp := decodeResponse(t, src, out)
			if resp.Status != http.StatusTeapot || resp.Body != "\xff\xfe" || resp.Header.Get("X-Multi") == "" {
				t.Errorf("%s: answer %+v", src, resp)
			}
		}
	}
}

// TestResponseShapes compares the answer's JSON keys with AWS's response
// samples for the source.
func TestResponseShapes(t *testing.T) {
	keys := func(b []byte) []string {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		var ks []string
		for k := range m {
			ks = append(ks, k)
		}
		slices.Sort(ks)
		return ks
	}
	samples := map[lambdaadapter.Source]string{
		lambdaadapter.SourceRESTAPI:     "testdata/apigw-response.json",
		lambdaadapter.SourceFunctionURL: "testdata/lambda-urls-response.json",
		lambdaadapter.SourceHTTPAPI:     "testdata/lambda-urls-response.json", // payload 2.0 has one response format
	}
	for src, file := range samples {
		want, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		out, err := lambdaadapter.New(&spy{}).Invoke(context.Background(), buildEvent(t, src, conformance.Cases()[0].Req, false))
		if err != nil {
			t.Fatal(err)
		}
		got := keys(out)
		for _, k := range keys(want) {
			if k != "isBase64Encoded" && !slices.Contains(got, k) { // omitted when false
				t.Errorf("%s answer has no %q: %s", src, k, out)
			}
		}
	}
}

func TestBadBase64Is400(t *testing.T) {
	for _, src := range sources {
		ev := buildEvent(t, src, conformance.Cases()[0].Req, true)
		var m map[string]any
		json.Unmarshal(ev, &m)
		m["body"] = "not base64!"
		ev, _ = json.Marshal(m)
		s := &spy{}
		out, err := lambdaadapter.New(s).Invoke(context.Background(), ev)
		if err != nil {
			t.Fatal(err)
		}
		if resp := decodeResponse(t, src, out); resp.Status != 400 || s.req != nil {
			t.Errorf("%s: %d %q (served: %v), want 400 without serving", src, resp.Status, resp.Body, s.req != nil)
		}
	}
}

func TestNotHTTPEventsAreErrors(t *testing.T) {
	h := lambdaadapter.New(&spy{})
	for in, want := range map[string]error{
		`{}`:                       lambdaadapter.ErrUnknownEvent,
		`not json`:                 lambdaadapter.ErrUnknownEvent,
		`{"Records":[{"body":1}]}`: lambdaadapter.ErrUnknownEvent,
		`{"httpMethod":"POST","headers":{"a":1}}`:                                                                          lambdaadapter.ErrMalformedEvent,
		`{"version":"2.0","requestContext":{"http":{"method":"POST"}},"body":5}`:                                           lambdaadapter.ErrMalformedEvent,
		`{"version":"2.0","requestContext":{"domainName":"x.lambda-url.y.on.aws","http":{"method":"POST"}},"cookies":"a"}`: lambdaadapter.ErrMalformedEvent,
	} {
		if _, err := h.Invoke(context.Background(), []byte(in)); !errors.Is(err, want) {
			t.Errorf("Invoke(%s) = %v, want %v", in, err, want)
		}
	}
}
