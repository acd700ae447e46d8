package sociogramtest

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"

	"github.com/sociogram-kit/kit/handler"
)

// Sent is one message the fake accepted.
type Sent struct {
	UID       int64
	Message   handler.Message
	Body      []byte // the request body exactly as received
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
type API struct {
	token string
	log   func(format string, args ...any)

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

// NewAPI returns a fake API accepting token. logf, when not nil, is told about
// every request (with the token never printed).
func NewAPI(token string, logf func(format string, args ...any)) *API {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	return &API{token: token, log: logf, notify: make(chan struct{})}
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

func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/bot/send-message" {
		answer(w, http.StatusNotFound, "unknown endpoint "+r.URL.Path)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		answer(w, http.StatusMethodNotAllowed, "use POST")
		return
	}
	if subtle.ConstantTimeCompare([]byte(r.Header.Get(handler.HeaderAppKey)), []byte(a.token)) != 1 {
		a.log("send-message rejected: bad X-App-Key")
		answer(w, http.StatusUnauthorized, "invalid X-App-Key")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		answer(w, http.StatusBadRequest, "could not read body")
		return
	}
	var req struct {
		UID     *int64           `json:"uid"`
		Message *handler.Message `json:"message"`
	}
	if err := json.Unmarshal(body, &req); err != nil || req.UID == nil || req.Message == nil {
		a.log("send-message rejected: malformed body")
		answer(w, http.StatusBadRequest, `body must be {"uid": number, "message": {...}}`)
		return
	}
	if a.refuses(*req.UID) {
		a.log("send-message to uid %d refused", *req.UID)
		answer(w, http.StatusBadRequest, "user does not accept messages from this bot")
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
		a.log("send-message to uid %d: connection dropped (not accepted)", *req.UID)
		hangUp(w)
		return
	case f.Status != 0:
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		a.log("send-message to uid %d: injected %d", *req.UID, f.Status)
		answer(w, f.Status, "injected fault")
		return
	}
	id := a.accept(*req.UID, *req.Message, body)
	a.log("send-message to uid %d accepted: %s", *req.UID, body)
	if f.Drop == DropAfter {
		hangUp(w)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"success":true,"messageId":%q}`+"\n", id)
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

func (a *API) accept(uid int64, msg handler.Message, body []byte) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.seq++
	id := fmt.Sprintf("%024x", a.seq)
	s := Sent{UID: uid, Message: msg, Body: body, MessageID: id, At: time.Now()}
	if a.observe != nil {
		a.observe(s)
	} else {
		a.sent = append(a.sent, s)
	}
	close(a.notify)
	a.notify = make(chan struct{})
	return id
}

func answer(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"success":false,"error":%s}`+"\n", strconv.Quote(msg))
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
func NewServer(t TB, token string) *Server {
	t.Helper()
	api := NewAPI(token, nil)
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	return &Server{API: api, URL: srv.URL, srv: srv}
}
