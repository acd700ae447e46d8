package lambdaadapter_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"testing"

	lambdaadapter "github.com/sociogram-kit/kit/adapters/lambda"
	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/internal/conformance"
	"github.com/sociogram-kit/kit/internal/fixture"
)

// FuzzInvoke feeds arbitrary payloads to the adapter in front of the real
// core and the fixture bot (replies go nowhere). Every input must either be
// answered in a known source's shape with a status of the core's table (or
// the adapter's 400 for bad base64), or be refused with ErrUnknownEvent or
// ErrMalformedEvent; nothing may panic.
func FuzzInvoke(f *testing.F) {
	for _, src := range sources {
		f.Add(sample(src))
		for _, c := range conformance.Cases()[:8] {
			f.Add(buildEvent(f, src, c.Req, false))
			f.Add(buildEvent(f, src, c.Req, true))
		}
	}
	for _, s := range []string{`{}`, `null`, `[]`, `{"version":"2.0","requestContext":{"http":{"method":"POST"}}}`, `{"httpMethod":"GET"}`} {
		f.Add([]byte(s))
	}
	b, err := handler.New(conformance.Token, handler.WithLogger(slog.New(slog.DiscardHandler)),
		handler.WithSender(handler.SenderFunc(func(context.Context, int64, handler.Message) error { return nil })))
	if err != nil {
		f.Fatal(err)
	}
	fixture.Register(b)
	h := lambdaadapter.New(b)
	allowed := map[int]bool{200: true, 400: true, 401: true, 405: true, 413: true, 415: true, 500: true, 503: true}
	f.Fuzz(func(t *testing.T, payload []byte) {
		out, err := h.Invoke(context.Background(), payload)
		src := lambdaadapter.Detect(payload)
		if err != nil {
			if !errors.Is(err, lambdaadapter.ErrUnknownEvent) && !errors.Is(err, lambdaadapter.ErrMalformedEvent) {
				t.Fatalf("undocumented error %v", err)
			}
			return
		}
		if src == lambdaadapter.SourceUnknown {
			t.Fatalf("answered a payload Detect calls unknown: %s", out)
		}
		var resp struct {
			StatusCode *int   `json:"statusCode"`
			Body       string `json:"body"`
		}
		if err := json.Unmarshal(out, &resp); err != nil || resp.StatusCode == nil {
			t.Fatalf("answer is not a response: %s (%v)", out, err)
		}
		if !allowed[*resp.StatusCode] {
			t.Fatalf("status %d is not in the status table", *resp.StatusCode)
		}
		decodeResponse(t, src, out) // the source's shape, body decodable
	})
}
