package lambdaadapter

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"

	"github.com/sociogram-kit/kit/adapters/lambda/internal/httpevent"
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
	ev, err := httpevent.Decode(payload)
	if err != nil {
		return nil, err
	}
	ctx = withInvocation(ctx, invocation{source: ev.Source, coldStart: a.invoked.CompareAndSwap(false, true)})
	rec := httpevent.NewRecorder()
	req, err := ev.Request(ctx)
	switch {
	case errors.Is(err, httpevent.ErrBadBase64):
		rec.Header().Set("Content-Type", "text/plain; charset=utf-8")
		rec.WriteHeader(http.StatusBadRequest)
		rec.Write([]byte(err.Error() + "\n"))
	case err != nil:
		return nil, err
	default:
		a.h.ServeHTTP(rec, req)
	}
	return rec.Encode(ev.Source)
}
