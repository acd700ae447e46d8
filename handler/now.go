package handler

import (
	"context"
	"time"
)

// Now returns the time on the Mux's clock (WithClock; time.Now by
// default): the clock that state expiry, signed buttons' expiry and
// conversations' idle timeouts are measured on, so a test or the emulator
// that moves it moves them all. An event that no Mux dispatched (built by
// hand in a test) reads time.Now.
func (e *Event) Now() time.Time {
	if e.mux != nil && e.mux.turns != nil {
		return e.mux.turns.now()
	}
	return time.Now()
}

// Intercept adds middleware that sees every chat-message and callback-query,
// whether a route took it or not, before the route's handler: next is that
// handler, or one that does nothing when no route took the event. The
// route's fields (Command, Args, Matches) are already set, so an intercept
// can tell a registered command (Command != "") from other text.
//
// It is how a multi-step flow (package conversation) takes a user's answers
// before the normal routes. Intercepts run in the order given, the first
// outermost, inside the middleware of Use. With an intercept, Use's
// middleware also sees events no route took.
func (b *Mux) Intercept(mw ...Middleware) {
	for _, m := range mw {
		if m == nil {
			panic("handler: nil intercept")
		}
	}
	b.intercepts = append(b.intercepts, mw...)
}

// intercepted wraps rt's handler (nil: none) in the intercepts, and labels
// ev with what takes it: rt, or "intercept" unless an intercept passes the
// event on to rt (or names itself with SetRoute).
func (b *Mux) intercepted(rt route, ev *Event) HandlerFunc {
	ev.route = rt.label
	if len(b.intercepts) == 0 {
		return rt.h
	}
	ev.route = "intercept"
	h := func(ctx context.Context, ev *Event) error {
		ev.route = rt.label
		if rt.h == nil {
			return nil
		}
		return rt.h(ctx, ev)
	}
	for i := len(b.intercepts) - 1; i >= 0; i-- {
		h = b.intercepts[i](h)
	}
	return h
}
