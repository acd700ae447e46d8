package lambdaadapter

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
)

// Function serves HTTP events with an http.Handler (the bot). It implements
// aws-lambda-go's lambda.Handler, so a main passes it to lambda.Start. It is
// safe for concurrent use.
type Function struct {
	h       http.Handler
	invoked atomic.Bool
}

// New returns a Function serving h.
func New(h http.Handler) *Function {
	if h == nil {
		panic("lambdaadapter: nil http.Handler")
	}
	return &Function{h: h}
}

// Invoke answers one invocation: it converts payload (a REST API, HTTP API or
// Function URL event) to an *http.Request whose context is ctx, serves it and
// returns the answer in the shape the source expects. See the package
// documentation for the errors it returns.
func (a *Function) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	ev, err := decodeEvent(payload)
	if err != nil {
		return nil, err
	}
	ctx = withInvocation(ctx, invocation{source: ev.source, coldStart: a.invoked.CompareAndSwap(false, true)})
	rec := newRecorder()
	req, err := ev.request(ctx)
	switch {
	case errors.Is(err, errBadBase64):
		rec.header.Set("Content-Type", "text/plain; charset=utf-8")
		rec.WriteHeader(http.StatusBadRequest)
		rec.body.WriteString(err.Error() + "\n")
	case err != nil:
		return nil, err
	default:
		a.h.ServeHTTP(rec, req)
	}
	return rec.encode(ev.source)
}
