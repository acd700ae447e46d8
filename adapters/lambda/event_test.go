package lambdaadapter_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"testing"
	"time"

	lambdaadapter "github.com/sociogram-kit/kit/adapters/lambda"
	"github.com/sociogram-kit/kit/internal/conformance"
)

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
