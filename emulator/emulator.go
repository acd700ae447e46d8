package emulator

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/platform"
)

// Paths served besides the page's own API (see page.go).
const (
	PagePath  = "/"
	StatePath = "/emulator/state"
)

// DefaultBotURL is where webhooks go unless told otherwise: the plain-HTTP
// adapter's default address.
const DefaultBotURL = "http://127.0.0.1:8080/webhook"

// Emulator is the local platform for one bot. It is an http.Handler.
type Emulator struct {
	token  string
	clock  Clock
	hc     *http.Client
	limits *platform.Limiter
	store  *store
	users  []User
	mux    *http.ServeMux
	queue  queueCache
	hosts  []string // names answered in Host besides loopback (WithAllowedHost)
}

// Option configures an Emulator.
type Option func(*Emulator)

// WithBotURL sets where webhooks are delivered (default DefaultBotURL). The
// page can change it at run time.
func WithBotURL(u string) Option {
	return func(e *Emulator) { e.store.updateSettings(func(s *Settings) { s.BotURL = u }) }
}

// WithClock sets the time source of the rate limits (tests).
func WithClock(c Clock) Option { return func(e *Emulator) { e.clock = c } }

// WithHTTPClient sets the client webhooks are delivered with (default: 30 s
// timeout). Redirects are never followed, whatever its CheckRedirect.
func WithHTTPClient(hc *http.Client) Option { return func(e *Emulator) { e.hc = hc } }

// WithRateLimitSlack sets how much early a message is still accepted (default
// DefaultSlack); 0 enforces the limits to the nanosecond.
func WithRateLimitSlack(d time.Duration) Option {
	return func(e *Emulator) { e.limits = newLimiter(d) }
}

// WithUser adds a user the page shows from the start.
func WithUser(uid int64, name string) Option {
	return func(e *Emulator) { e.users = append(e.users, User{UID: uid, Name: name}) }
}

// New returns an emulator for the bot with token. It does no I/O.
func New(token string, opts ...Option) (*Emulator, error) {
	if token == "" {
		return nil, fmt.Errorf("%w: the emulator needs the token the bot uses (SOCIOGRAM_BOT_TOKEN)", handler.ErrNoToken)
	}
	e := &Emulator{
		token:  token,
		clock:  wallClock{},
		hc:     &http.Client{Timeout: 30 * time.Second},
		limits: newLimiter(DefaultSlack),
		store:  newStore(Settings{BotURL: DefaultBotURL}),
	}
	for _, o := range opts {
		o(e)
	}
	e.hc = noRedirects(e.hc) // webhooks and the bot's dev endpoints carry the token
	if err := checkBotURL(e.store.getSettings().BotURL); err != nil {
		return nil, err
	}
	for _, u := range e.users {
		if _, err := e.store.addUser(u.UID, u.Name); err != nil {
			return nil, err
		}
	}
	e.mux = http.NewServeMux()
	e.mux.HandleFunc(SendPath, e.serveSend)
	e.mux.HandleFunc("/bot/", e.serveSend)
	e.routePage(e.mux)
	return e, nil
}

// ErrBadBotURL is returned for a bot URL that is not absolute http(s).
var ErrBadBotURL = errors.New("emulator: the bot URL must be an absolute http:// or https:// URL with a host, e.g. " + DefaultBotURL)

func checkBotURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ErrBadBotURL
	}
	return nil
}

// ServeHTTP serves the Bot API, the page and the page's API, to requests
// whose Host is this machine and, when they change state, whose Origin (if
// any) is the emulator's own; others get 403 (see guard).
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if e.guard(w, r) {
		e.mux.ServeHTTP(w, r)
	}
}

// State returns a snapshot of users, conversations, settings and the log.
func (e *Emulator) State() State { return e.store.snapshot() }

// SetBotURL changes where webhooks go, as the page's Settings do.
func (e *Emulator) SetBotURL(u string) error {
	if err := checkBotURL(u); err != nil {
		return err
	}
	e.store.updateSettings(func(s *Settings) { s.BotURL = u })
	return nil
}
