package handler

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"runtime/debug"
	"time"
)

// Defaults for the options below.
const (
	DefaultMaxBodyBytes = 1 << 20
	DefaultTimeout      = 10 * time.Second
)

// ErrNoToken is returned by New when the bot has no token to verify with.
var ErrNoToken = errors.New("handler: the bot needs a token (SOCIOGRAM_BOT_TOKEN)")

// Bot verifies, parses and dispatches webhooks. It is an http.Handler.
type Bot struct {
	verifier   Verifier
	accepted   []string
	sender     Sender
	logger     *slog.Logger
	maxBody    int64
	timeout    time.Duration
	onError    func(ctx context.Context, ev *Event, err error)
	routes     router
	middleware []Middleware
}

// Option configures a Bot.
type Option func(*Bot)

// WithAcceptedTokens adds tokens that webhooks may also carry, e.g. the old
// token while a rotation is under way.
func WithAcceptedTokens(tokens ...string) Option {
	return func(b *Bot) { b.accepted = append(b.accepted, tokens...) }
}

// WithVerifier replaces the keyring built from New's tokens, e.g. with one
// that re-reads a rotated secret.
func WithVerifier(v Verifier) Option { return func(b *Bot) { b.verifier = v } }

// WithSender sets where replies go: the Bot API client, a queue, a test fake.
// Without one, a reply fails with ErrNoSender.
func WithSender(s Sender) Option { return func(b *Bot) { b.sender = s } }

// WithLogger sets the logger for the one line logged per request. The default
// is slog.Default().
func WithLogger(l *slog.Logger) Option { return func(b *Bot) { b.logger = l } }

// WithMaxBodyBytes sets the largest body accepted (default 1 MiB); larger
// bodies are answered 413 without being read past the limit.
func WithMaxBodyBytes(n int64) Option { return func(b *Bot) { b.maxBody = n } }

// WithTimeout sets how long one webhook may take, replies included (default
// 10 s). A shorter deadline already on the request's context wins.
func WithTimeout(d time.Duration) Option { return func(b *Bot) { b.timeout = d } }

// WithErrorHandler sets a hook called when a handler returns an error, panics
// or a reply is not delivered, e.g. to report it. The webhook answers 500
// whatever the hook does; the error is also in the request's log line.
func WithErrorHandler(f func(ctx context.Context, ev *Event, err error)) Option {
	return func(b *Bot) { b.onError = f }
}

// ErrNoSender is the error of a reply from a bot built without WithSender.
var ErrNoSender = errors.New("handler: no sender configured")

// New returns a bot that accepts webhooks carrying token (or one given to
// WithAcceptedTokens). It fails with ErrNoToken when token is empty and no
// WithVerifier is given. New does no I/O.
func New(token string, opts ...Option) (*Bot, error) {
	b := &Bot{
		maxBody: DefaultMaxBodyBytes,
		timeout: DefaultTimeout,
		routes:  newRouter(),
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
	return b, nil
}

// ServeHTTP answers one webhook according to the package's status table and
// logs one line about it.
func (b *Bot) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	ctx, cancel := context.WithTimeout(r.Context(), b.timeout)
	defer cancel()
	res := b.serve(ctx, r)
	if res.status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", http.MethodPost)
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(res.status)
	io.WriteString(w, res.body())
	b.log(ctx, res, time.Since(start))
}

// result is the outcome of one webhook.
type result struct {
	status int
	ev     *Event
	err    error  // logged, never sent
	reason string // sent with 400
	stack  []byte // of a recovered panic
}

func (r *result) body() string {
	if r.status == http.StatusBadRequest && r.reason != "" {
		return r.reason + "\n"
	}
	return http.StatusText(r.status) + "\n"
}

func (b *Bot) serve(ctx context.Context, r *http.Request) result {
	if r.Method != http.MethodPost {
		return result{status: http.StatusMethodNotAllowed}
	}
	if !b.verifier.Verify(ctx, r.Header.Get(HeaderAppKey)) {
		return result{status: http.StatusUnauthorized}
	}
	if r.ContentLength > b.maxBody {
		return result{status: http.StatusRequestEntityTooLarge}
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			return result{status: http.StatusUnsupportedMediaType}
		}
	}
	body, err := readBody(r.Body, b.maxBody)
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
		return result{status: http.StatusOK}
	}
	return b.dispatch(ctx, ev)
}

var errTooLarge = errors.New("body too large")

// readBody reads at most limit bytes, failing with errTooLarge beyond them.
func readBody(r io.Reader, limit int64) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(body)) > limit {
		return nil, errTooLarge
	}
	return body, nil
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
func (b *Bot) dispatch(ctx context.Context, ev *Event) (res result) {
	res = result{status: http.StatusOK, ev: ev}
	h := b.routes.route(ev)
	if h == nil {
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
		if res.err == nil && len(ev.failed) > 0 {
			res.err = errors.Join(ev.failed...)
		}
		if res.err != nil {
			res.status = http.StatusInternalServerError
			if b.onError != nil {
				b.onError(ctx, ev, res.err)
			}
		}
	}()
	res.err = h(ctx, ev)
	return res
}

func (b *Bot) log(ctx context.Context, res result, d time.Duration) {
	level := slog.LevelInfo
	switch {
	case res.status >= 500:
		level = slog.LevelError
	case res.status >= 400:
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
	if res.err != nil {
		attrs = append(attrs, slog.String("error", res.err.Error()))
	}
	if res.stack != nil {
		attrs = append(attrs, slog.String("stack", string(res.stack)))
	}
	b.logger.LogAttrs(ctx, level, "webhook", attrs...)
}
