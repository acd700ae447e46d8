package handler

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"time"
)

// Defaults for the options below.
const (
	DefaultMaxBodyBytes = 1 << 20
	DefaultTimeout      = 10 * time.Second
	DefaultMaxInFlight  = 256
)

// ErrNoToken means there is no bot token to verify webhooks with. It is the
// kit's one such error: New returns it, and configuration errors that name
// the missing variable (SOCIOGRAM_BOT_TOKEN, SOCIOGRAM_BOT_TOKEN_SECRET) wrap
// it, so errors.Is(err, handler.ErrNoToken) finds them all.
var ErrNoToken = errors.New("no bot token")

// Mux verifies, parses and dispatches webhooks to the handlers registered on
// it. It is an http.Handler; a bot is the handlers its Register function adds.
type Mux struct {
	verifier   Verifier
	accepted   []string
	sender     Sender
	logger     *slog.Logger
	maxBody    int64
	timeout    time.Duration
	onError    func(ctx context.Context, ev *Event, err error)
	inFlight   chan struct{} // a slot per webhook being handled
	routes     router
	middleware []Middleware
	turns      *turns        // per-user state (WithStore); nil without
	intercepts []Middleware  // Intercept: before the route's handler, routed or not
	buttons    *buttonConfig // signed buttons: keys, invalid-click handler
	diag       bool          // WithDiagnostics: HeaderOutcome on answers
}

// Option configures a Mux.
type Option func(*Mux)

// WithAcceptedTokens adds tokens that webhooks may also carry, e.g. the old
// token while a rotation is under way.
func WithAcceptedTokens(tokens ...string) Option {
	return func(b *Mux) { b.accepted = append(b.accepted, tokens...) }
}

// WithVerifier replaces the keyring built from New's tokens, e.g. with one
// that re-reads a rotated secret.
func WithVerifier(v Verifier) Option { return func(b *Mux) { b.verifier = v } }

// WithSender sets where replies go: the Bot API client, a queue, a test fake.
// Without one, a reply fails with ErrNoSender.
func WithSender(s Sender) Option { return func(b *Mux) { b.sender = s } }

// WithLogger sets the logger for the one line logged per request. The default
// is slog.Default().
func WithLogger(l *slog.Logger) Option { return func(b *Mux) { b.logger = l } }

// WithMaxBodyBytes sets the largest body accepted (default 1 MiB); larger
// bodies are answered 413 without being read past the limit.
func WithMaxBodyBytes(n int64) Option { return func(b *Mux) { b.maxBody = n } }

// WithTimeout sets how long one webhook may take, replies included (default
// 10 s). A shorter deadline already on the request's context wins.
func WithTimeout(d time.Duration) Option { return func(b *Mux) { b.timeout = d } }

// WithErrorHandler sets a hook called when a handler returns an error, panics
// or a reply is not delivered, e.g. to report it. The webhook answers 500
// whatever the hook does; the error is also in the request's log line.
func WithErrorHandler(f func(ctx context.Context, ev *Event, err error)) Option {
	return func(b *Mux) { b.onError = f }
}

// WithMaxInFlight bounds how many webhooks are handled at once (default
// 256); beyond it the bot answers 503 with Retry-After: 1 at once, so a flood
// cannot grow memory without bound.
func WithMaxInFlight(n int) Option {
	return func(b *Mux) { b.inFlight = make(chan struct{}, max(n, 1)) }
}

// ErrNoSender is the error of a reply from a bot built without WithSender.
var ErrNoSender = errors.New("handler: no sender configured")

// New returns a bot that accepts webhooks carrying token (or one given to
// WithAcceptedTokens). It fails with ErrNoToken when token is empty and no
// WithVerifier is given. New does no I/O.
func New(token string, opts ...Option) (*Mux, error) {
	b := &Mux{
		maxBody:  DefaultMaxBodyBytes,
		timeout:  DefaultTimeout,
		inFlight: make(chan struct{}, DefaultMaxInFlight),
		routes:   newRouter(),
		sender: SenderFunc(func(context.Context, int64, Message) error {
			return ErrNoSender
		}),
	}
	for _, o := range opts {
		o(b)
	}
	if b.verifier == nil {
		if token == "" {
			return nil, ErrNoToken
		}
		b.verifier = NewKeyring(append([]string{token}, b.accepted...)...)
	}
	if b.logger == nil {
		b.logger = slog.Default()
	}
	if b.maxBody <= 0 || b.timeout <= 0 {
		return nil, fmt.Errorf("handler: max body bytes and timeout must be positive")
	}
	if err := b.checkState(); err != nil {
		return nil, err
	}
	if err := b.initButtons(token); err != nil {
		return nil, err
	}
	return b, nil
}

// ServeHTTP answers one webhook according to the package's status table and
// logs one line about it.
func (b *Mux) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	var res result
	select {
	case b.inFlight <- struct{}{}:
		res = b.serve(r)
		<-b.inFlight
	default:
		res = result{status: http.StatusServiceUnavailable}
	}
	h := w.Header()
	switch res.status {
	case http.StatusMethodNotAllowed:
		h["Allow"] = allowPost
	case http.StatusServiceUnavailable:
		h["Retry-After"] = retryAfter1
	}
	h["Content-Type"] = textPlain
	h["X-Content-Type-Options"] = noSniff
	if b.diag {
		if o := res.outcome(); o != "" {
			h[HeaderOutcome] = []string{o}
		}
	}
	w.WriteHeader(res.status)
	w.Write(res.body())
	b.log(r.Context(), res, time.Since(start))
}

// Header values shared by every response; never modified.
var (
	allowPost   = []string{http.MethodPost}
	retryAfter1 = []string{"1"}
	textPlain   = []string{"text/plain; charset=utf-8"}
	noSniff     = []string{"nosniff"}
)

// result is the outcome of one webhook.
type result struct {
	status   int
	ev       *Event
	err      error      // logged, never sent
	warn     error      // replies that may not have been delivered, logged
	reason   string     // sent with 400
	unrouted string     // why no handler took the event, "" when one did
	stack    []byte     // of a recovered panic
	turn     *turnStats // what the turn did with state (WithStore)
}

func (r *result) body() []byte {
	if r.status == http.StatusBadRequest && r.reason != "" {
		return []byte(r.reason + "\n")
	}
	if b, ok := statusBodies[r.status]; ok {
		return b
	}
	return []byte(http.StatusText(r.status) + "\n")
}

// statusBodies are the fixed answers, built once.
var statusBodies = func() map[int][]byte {
	m := map[int][]byte{}
	for _, s := range []int{200, 400, 401, 405, 413, 500, 503} {
		m[s] = []byte(http.StatusText(s) + "\n")
	}
	m[http.StatusUnsupportedMediaType] = []byte("Content-Type must be application/json\n")
	return m
}()

func (b *Mux) serve(r *http.Request) result {
	if r.Method != http.MethodPost {
		return result{status: http.StatusMethodNotAllowed}
	}
	if !b.verifier.Verify(r.Context(), r.Header.Get(HeaderAppKey)) {
		return result{status: http.StatusUnauthorized}
	}
	if r.ContentLength > b.maxBody {
		return result{status: http.StatusRequestEntityTooLarge}
	}
	if ct := r.Header.Get("Content-Type"); ct != "" && !isJSON(ct) {
		return result{status: http.StatusUnsupportedMediaType}
	}
	buf := bufPool.Get().(*bytes.Buffer)
	defer putBuf(buf)
	body, err := readBody(buf, r.Body, b.maxBody)
	if err != nil {
		if errors.Is(err, errTooLarge) {
			return result{status: http.StatusRequestEntityTooLarge}
		}
		return result{status: http.StatusBadRequest, reason: "could not read body", err: err}
	}
	u, err := Parse(body)
	if err != nil {
		return result{status: http.StatusBadRequest, reason: err.Error(), err: err}
	}
	ev := newEvent(u, b.sender)
	if ev == nil {
		return result{status: http.StatusOK, unrouted: noEvent(body)}
	}
	ctx, cancel := context.WithTimeout(r.Context(), b.timeout)
	defer cancel()
	return b.dispatch(ctx, ev)
}

// isJSON reports whether a Content-Type is application/json, parameters
// allowed, case-insensitively.
func isJSON(ct string) bool {
	mt, _, _ := strings.Cut(ct, ";")
	return strings.EqualFold(strings.TrimSpace(mt), "application/json")
}

var errTooLarge = errors.New("body too large")

// Request bodies are read into pooled buffers: Parse copies what it keeps.
var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func putBuf(b *bytes.Buffer) {
	if b.Cap() <= 64<<10 {
		bufPool.Put(b)
	}
}

// readBody reads at most limit bytes into buf, failing with errTooLarge
// beyond them, so an oversized body is never read past the limit.
func readBody(buf *bytes.Buffer, r io.Reader, limit int64) ([]byte, error) {
	buf.Reset()
	if _, err := buf.ReadFrom(&io.LimitedReader{R: r, N: limit + 1}); err != nil {
		return nil, err
	}
	if int64(buf.Len()) > limit {
		return nil, errTooLarge
	}
	return buf.Bytes(), nil
}

func newEvent(u *Update, s Sender) *Event {
	switch {
	case u.ChatMessage != nil:
		m := u.ChatMessage
		return &Event{Type: EventChatMessage, UID: m.UID, ChatID: m.ChatID, Text: m.Message.Text, Update: u, sender: s}
	case u.CallbackQuery != nil:
		q := u.CallbackQuery
		return &Event{Type: EventCallbackQuery, UID: q.UID, ChatID: q.ChatID, CallbackData: q.CallbackData, Update: u, sender: s}
	}
	return nil
}

// dispatch runs the event's handler through the middleware, recovering a
// panic. A handler error, a panic or an undelivered reply answers 500.
func (b *Mux) dispatch(ctx context.Context, ev *Event) (res result) {
	res = result{status: http.StatusOK, ev: ev}
	ev.mux = b
	h := b.intercepted(b.routes.route(ev), ev)
	if h == nil {
		res.unrouted = unrouted(ev)
		return res
	}
	for i := len(b.middleware) - 1; i >= 0; i-- {
		h = b.middleware[i](h)
	}
	defer func() {
		if p := recover(); p != nil {
			res.err = fmt.Errorf("handler panicked: %v", p)
			res.stack = debug.Stack()
		}
		if res.err != nil && ev.failed == nil && errors.Is(res.err, ErrMaybeDelivered) {
			res.err = nil // the handler returned an uncertain reply's error: not a failure
		}
		if res.err == nil && ev.failed != nil {
			res.err = ev.failed
		}
		if ev.route == "" {
			res.unrouted = unrouted(ev) // only intercepts ran, and passed it on
		}
		res.warn = ev.uncertain
		switch {
		case res.err != nil && isBusy(res.err):
			res.status = http.StatusServiceUnavailable // state conflicts exhausted: the platform retries
		case res.err != nil:
			res.status = http.StatusInternalServerError
			if b.onError != nil {
				b.onError(ctx, ev, res.err)
			}
		}
	}()
	if b.turns != nil && b.turns.store != nil {
		res.turn = &turnStats{}
		res.err = b.turn(ctx, ev, h, res.turn)
		return res
	}
	res.err = h(ctx, ev)
	return res
}

func (b *Mux) log(ctx context.Context, res result, d time.Duration) {
	level := slog.LevelInfo
	switch {
	case res.status >= 500:
		level = slog.LevelError
	case res.status >= 400 || res.warn != nil:
		level = slog.LevelWarn
	}
	if !b.logger.Enabled(ctx, level) {
		return
	}
	attrs := make([]slog.Attr, 0, 7)
	if res.ev != nil {
		attrs = append(attrs, slog.String("event", string(res.ev.Type)), slog.Int64("uid", res.ev.UID))
	}
	attrs = append(attrs, slog.Int("status", res.status), slog.Float64("duration_ms", float64(d.Microseconds())/1000))
	debug := b.logger.Enabled(ctx, slog.LevelDebug)
	switch {
	case res.unrouted != "":
		attrs = append(attrs, slog.String("unrouted", res.unrouted))
	case debug && res.ev != nil:
		attrs = append(attrs, slog.String("route", res.ev.route), slog.Int("replies", res.ev.sent))
	}
	if res.err != nil {
		attrs = append(attrs, slog.String("error", res.err.Error()))
	}
	if res.warn != nil {
		attrs = append(attrs, slog.String("warning", res.warn.Error()))
	}
	if res.stack != nil {
		attrs = append(attrs, slog.String("stack", string(res.stack)))
	}
	if res.turn != nil && (level > slog.LevelInfo || debug) {
		attrs = append(attrs, res.turn.attr())
	}
	b.logger.LogAttrs(ctx, level, "webhook", attrs...)
}
