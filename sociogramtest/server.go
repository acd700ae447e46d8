package sociogramtest

import (
	"errors"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/platform"
)

// Sent is one message the fake accepted.
type Sent struct {
	UID       int64
	Message   handler.Message // the body as package platform read it, copied field by field into the core's type
	Body      []byte          // the request body exactly as received
	MessageID string
	At        time.Time
}

// Drop says whether and when a fault drops the connection.
type Drop int

const (
	NoDrop     Drop = iota
	DropBefore      // close the connection without accepting the message
	DropAfter       // accept (record) the message, then close without answering
)

// Fault is what the fake does to one request instead of answering normally.
// Faults are used up in the order injected, one per request.
type Fault struct {
	Status     int           // answer this status (e.g. 429, 503) without accepting
	RetryAfter string        // Retry-After header to send with Status
	Latency    time.Duration // wait this long first (then answer normally, or fault)
	Drop       Drop
}

// API is the fake Bot API as an http.Handler, for serving on a chosen
// address (see cmd/fakeapi). NewServer wraps it in an httptest.Server.
//
// It accepts and rejects send-message calls exactly as the emulator does,
// through package platform: the same checks of the endpoint, method,
// X-App-Key, Content-Type, size and body (platform.ReadSendMessage), with
// the same status and the same {"success":false,"error":"..."} answer, so
// a reply a bot's tests see accepted here is accepted by the emulator too.
// Two differences, both options of a fake for tests: any uid is a user
// (the emulator knows only its page's users), and the rate limits are off
// unless WithRateLimits turns them on (a test need not wait a second
// between two replies).
type API struct {
	token  string
	log    func(format string, args ...any)
	limits *platform.Limiter // nil: off
	clock  platform.Clock

	mu      sync.Mutex
	sent    []Sent
	faults  []Fault
	rate    float64 // InjectRandom's probability
	choices []Fault
	rnd     *rand.Rand
	seq     int
	notify  chan struct{}
	observe func(Sent) // when set, accepted messages go here instead of sent
	refuse  int64      // sends to this uid are answered 400
	refused int
}

// Option configures an API.
type Option func(*API)

// WithRateLimits makes the fake enforce the platform's documented limits
// as the emulator does (platform.Limiter: 60 messages per minute per bot, 1
// per second per user, platform.DefaultSlack early allowed), answering 429
// with Retry-After, on clock (nil: the wall clock). Only accepted messages
// count. Off by default. Give the bot's client the same clock (e.g.
// botapi.WithClock) and the test waits for nothing.
func WithRateLimits(clock platform.Clock) Option {
	return func(a *API) {
		if clock == nil {
			clock = platform.WallClock{}
		}
		a.limits, a.clock = platform.NewLimiter(platform.DefaultSlack), clock
	}
}

// NewAPI returns a fake API accepting token. logf, when not nil, is told about
// every request (with the token never printed).
func NewAPI(token string, logf func(format string, args ...any), opts ...Option) *API {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	a := &API{token: token, log: logf, notify: make(chan struct{})}
	for _, o := range opts {
		o(a)
	}
	return a
}

// Inject queues faults for the next requests.
func (a *API) Inject(faults ...Fault) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.faults = append(a.faults, faults...)
}

// InjectRandom makes each request, with probability rate, suffer one of
// choices picked at random (after any faults queued by Inject). rate 0 stops it.
func (a *API) InjectRandom(rate float64, choices ...Fault) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.rate, a.choices = rate, choices
	if a.rnd == nil {
		a.rnd = rand.New(rand.NewPCG(1, 2))
	}
}

// Refuse makes the fake answer every send to uid with 400, as the platform
// answers a user who does not accept the bot's messages; 0 stops it.
func (a *API) Refuse(uid int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.refuse = uid
}

// Refused reports how many sends Refuse has turned away.
func (a *API) Refused() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.refused
}

// refuses reports whether uid is refused, counting the send.
func (a *API) refuses(uid int64) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if uid == 0 || uid != a.refuse {
		return false
	}
	a.refused++
	return true
}

// Observe makes the fake hand every accepted message to f instead of keeping
// it, for long runs whose memory must stay flat. nil restores keeping.
func (a *API) Observe(f func(Sent)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.observe = f
}

// Sent returns a copy of the accepted messages, in order.
func (a *API) Sent() []Sent {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]Sent(nil), a.sent...)
}

// Changed returns a channel closed at the next accepted message.
func (a *API) Changed() <-chan struct{} {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.notify
}

// Reset forgets sent messages and pending faults.
func (a *API) Reset() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.sent, a.faults, a.rate = nil, nil, 0
}

// ErrRefused is the answer (400) to a send to a uid Refuse names.
var ErrRefused = errors.New("user does not accept messages from this bot")

// ErrFault is the answer to a send an injected Fault's Status fails.
var ErrFault = errors.New("injected fault")

// ServeHTTP answers a send-message call: rejected as package platform says
// (see API), else refused (Refuse), else faulted (Inject), else over the
// rate limits (WithRateLimits), else accepted.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	req, body, err := platform.ReadSendMessage(r, a.token)
	if err != nil {
		a.log("send-message rejected: %v", err)
		err.(*platform.Error).Write(w)
		return
	}
	if a.refuses(req.UID) {
		a.log("send-message to uid %d refused", req.UID)
		(&platform.Error{Status: http.StatusBadRequest, Err: ErrRefused}).Write(w)
		return
	}
	f := a.nextFault()
	if f.Latency > 0 {
		select {
		case <-time.After(f.Latency):
		case <-r.Context().Done():
			return
		}
	}
	switch {
	case f.Drop == DropBefore:
		a.log("send-message to uid %d: connection dropped (not accepted)", req.UID)
		hangUp(w)
		return
	case f.Status != 0:
		e := &platform.Error{Status: f.Status, Err: ErrFault}
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		a.log("send-message to uid %d: injected %d", req.UID, f.Status)
		e.Write(w)
		return
	}
	if a.limits != nil {
		if err := a.limits.Take(a.clock.Now(), req.UID); err != nil {
			a.log("send-message to uid %d rejected: %v", req.UID, err)
			err.(*platform.Error).Write(w)
			return
		}
	}
	id := a.accept(req, body)
	a.log("send-message to uid %d accepted: %s", req.UID, body)
	if f.Drop == DropAfter {
		hangUp(w)
		return
	}
	platform.WriteAccepted(w, id)
}

func (a *API) nextFault() Fault {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.faults) == 0 {
		if a.rate > 0 && len(a.choices) > 0 && a.rnd.Float64() < a.rate {
			return a.choices[a.rnd.IntN(len(a.choices))]
		}
		return Fault{}
	}
	f := a.faults[0]
	a.faults = a.faults[1:]
	return f
}

func (a *API) accept(req platform.SendMessage, body []byte) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.seq++
	id := platform.MessageID(int64(a.seq))
	s := Sent{UID: req.UID, Message: coreMessage(req.Message), Body: body, MessageID: id, At: time.Now()}
	if a.observe != nil {
		a.observe(s)
	} else {
		a.sent = append(a.sent, s)
	}
	close(a.notify)
	a.notify = make(chan struct{})
	return id
}

// coreMessage copies m into the core's type field by field (never through
// JSON, so the core's tags play no part in what the fake read).
func coreMessage(m platform.Message) handler.Message {
	out := handler.Message{Text: m.Text, Media: m.Media}
	for _, row := range m.ButtonMarkup {
		r := make([]handler.Button, len(row))
		for i, b := range row {
			r[i] = handler.Button{Text: b.Text, CallbackData: b.CallbackData, URL: b.URL}
		}
		out.ButtonMarkup = append(out.ButtonMarkup, r)
	}
	return out
}

// hangUp closes the connection without an answer.
func hangUp(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// Server is the fake API served on a loopback port.
type Server struct {
	*API
	URL string // the base URL to give the client
	srv *httptest.Server
}

// Close stops the server and closes its connections (NewServer also does
// this when the test ends).
func (s *Server) Close() { s.srv.Close() }

// TB is the part of testing.TB the kit needs.
type TB interface {
	Helper()
	Cleanup(func())
}

// NewServer starts the fake API on loopback, accepting token, and stops it
// when the test ends.
func NewServer(t TB, token string, opts ...Option) *Server {
	t.Helper()
	api := NewAPI(token, nil, opts...)
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	return &Server{API: api, URL: srv.URL, srv: srv}
}
