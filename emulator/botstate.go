package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sociogram-kit/kit/platform"
)

// The page's view of the bot's per-user state and clock, relayed
// server-side from the bot's development endpoints (the plain-HTTP
// adapter's /dev/state and /dev/clock beside its /webhook, served with
// SOCIOGRAM_DEV=1): the emulator sends the token, the page never has it.
// When the bot shows none, they answer 404 saying why.
const (
	BotStatePath      = "/emulator/bot-state"       // GET ?uid=N: the user's state (BotState)
	BotStateResetPath = "/emulator/bot-state/reset" // POST {"uid": N}: reset it; answers the state after
	BotClockPath      = "/emulator/bot-clock"       // GET: the bot's clock (BotClock); POST a ClockMove
)

// The bot's development endpoints, beside its webhook, and how long the
// emulator waits for them.
const (
	botDevStatePath = "dev/state"
	botDevClockPath = "dev/clock"
	devTimeout      = 2 * time.Second
)

// BotState is a user's state as the bot shows it (its GET /dev/state).
type BotState struct {
	UID     int64                      `json:"uid"`
	States  map[string]json.RawMessage `json:"states"`  // by name; {} when none
	Pending int                        `json:"pending"` // replies committed, not yet known delivered
	Version int64                      `json:"version"` // 0: no record
	Expires time.Time                  `json:"expires,omitzero"`
	Expired bool                       `json:"expired"` // a turn reads it as empty
	Now     time.Time                  `json:"now"`     // the bot's clock
}

// BotClock is the bot's development clock (its GET /dev/clock): the wall
// clock plus an offset that only the emulator moves.
type BotClock struct {
	Offset        string    `json:"offset"` // e.g. "25h0m0s"
	OffsetSeconds float64   `json:"offset_seconds"`
	Now           time.Time `json:"now"`
}

// ClockMove moves the bot's clock: forward by Advance, or to Offset ahead
// of the wall clock (Go durations such as "90m" or "25h"; set one).
type ClockMove struct {
	Advance string `json:"advance,omitempty"`
	Offset  string `json:"offset,omitempty"`
}

// ErrNoBotState is the error (wrapped) when the bot shows no state: its
// development endpoints are off, or it keeps no per-user state.
var ErrNoBotState = errors.New("the bot shows no state")

// devError is a failed call of the bot's development endpoints, with the
// status the page gets and a message safe to show it.
type devError struct {
	status int
	msg    string
	err    error // ErrNoBotState or nil
}

func (e *devError) Error() string { return e.msg }
func (e *devError) Unwrap() error { return e.err }

// DevURL is where the bot at botURL serves the development endpoint path
// ("dev/state" or "dev/clock"): beside the webhook's path
// (http://host:8080/webhook → http://host:8080/dev/state).
func DevURL(botURL, path string) (string, error) {
	u, err := url.Parse(botURL)
	if err != nil {
		return "", err
	}
	u.RawQuery, u.Fragment = "", ""
	return u.ResolveReference(&url.URL{Path: path}).String(), nil
}

// ReadBotState asks the bot for uid's state.
func (e *Emulator) ReadBotState(ctx context.Context, uid int64) (BotState, error) {
	var s BotState
	err := e.callDev(ctx, http.MethodGet, botDevStatePath, uidQuery(uid), nil, &s)
	return s, err
}

// ResetBotState makes the bot reset uid's state and returns it after.
func (e *Emulator) ResetBotState(ctx context.Context, uid int64) (BotState, error) {
	var s BotState
	err := e.callDev(ctx, http.MethodDelete, botDevStatePath, uidQuery(uid), nil, &s)
	return s, err
}

// ReadBotClock asks the bot for its development clock.
func (e *Emulator) ReadBotClock(ctx context.Context) (BotClock, error) {
	var c BotClock
	err := e.callDev(ctx, http.MethodGet, botDevClockPath, "", nil, &c)
	return c, err
}

// MoveBotClock moves the bot's development clock and returns it after.
func (e *Emulator) MoveBotClock(ctx context.Context, m ClockMove) (BotClock, error) {
	var c BotClock
	if (m.Advance == "") == (m.Offset == "") {
		return c, &devError{status: http.StatusBadRequest, msg: `give one of "advance" (e.g. "1h") or "offset" (e.g. "0s")`}
	}
	body, _ := json.Marshal(m)
	err := e.callDev(ctx, http.MethodPost, botDevClockPath, "", body, &c)
	return c, err
}

func uidQuery(uid int64) string { return "uid=" + strconv.FormatInt(uid, 10) }

// callDev calls a development endpoint of the bot with the token and
// decodes its 200 answer into out; other outcomes become a *devError.
func (e *Emulator) callDev(ctx context.Context, method, path, query string, body []byte, out any) error {
	botURL := e.store.getSettings().BotURL
	u, err := DevURL(botURL, path)
	if err != nil {
		return &devError{status: http.StatusBadGateway, msg: "the bot URL does not parse: " + err.Error()}
	}
	if query != "" {
		u += "?" + query
	}
	ctx, cancel := context.WithTimeout(ctx, devTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return &devError{status: http.StatusBadGateway, msg: err.Error()}
	}
	req.Header.Set(platform.HeaderAppKey, e.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := e.hc.Do(req)
	if err != nil {
		return &devError{status: http.StatusBadGateway, msg: "the bot cannot be reached at " + botURL + ": " + redact(err.Error(), e.token)}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 256<<10))
	said := excerpt(strings.TrimSpace(redact(strings.ToValidUTF8(string(b), "�"), e.token)), 300)
	switch resp.StatusCode {
	case http.StatusOK:
		if err := json.Unmarshal(b, out); err != nil {
			return &devError{status: http.StatusBadGateway, msg: "the bot's " + path + " answer is not what the emulator expects: " + err.Error()}
		}
		return nil
	case http.StatusNotFound:
		why := "its development endpoints are off: start it with SOCIOGRAM_DEV=1, as make run does"
		if said != "" && said != "404 page not found" {
			why = said
		}
		return &devError{status: http.StatusNotFound, msg: ErrNoBotState.Error() + ": " + why, err: ErrNoBotState}
	case http.StatusUnauthorized:
		return &devError{status: http.StatusBadGateway, msg: "the bot refused the emulator's token (401): give both the same SOCIOGRAM_BOT_TOKEN"}
	case http.StatusBadRequest, http.StatusConflict:
		return &devError{status: resp.StatusCode, msg: "the bot: " + said}
	}
	return &devError{status: http.StatusBadGateway, msg: fmt.Sprintf("the bot answered %d: %s", resp.StatusCode, said)}
}

func (e *Emulator) serveBotState(w http.ResponseWriter, r *http.Request) {
	uid, err := strconv.ParseInt(r.URL.Query().Get("uid"), 10, 64)
	if err != nil || uid <= 0 {
		http.Error(w, "uid must be a positive number", http.StatusBadRequest)
		return
	}
	s, err := e.ReadBotState(r.Context(), uid)
	devRespond(w, s, err)
}

func (e *Emulator) serveBotStateReset(w http.ResponseWriter, r *http.Request) {
	var in struct {
		UID int64 `json:"uid"`
	}
	if !readJSON(w, r, &in) {
		return
	}
	if in.UID <= 0 {
		http.Error(w, "uid must be a positive number", http.StatusBadRequest)
		return
	}
	s, err := e.ResetBotState(r.Context(), in.UID)
	devRespond(w, s, err)
}

func (e *Emulator) serveBotClock(w http.ResponseWriter, r *http.Request) {
	c, err := e.ReadBotClock(r.Context())
	devRespond(w, c, err)
}

func (e *Emulator) serveBotClockMove(w http.ResponseWriter, r *http.Request) {
	var in ClockMove
	if !readJSON(w, r, &in) {
		return
	}
	c, err := e.MoveBotClock(r.Context(), in)
	devRespond(w, c, err)
}

func devRespond(w http.ResponseWriter, v any, err error) {
	var de *devError
	switch {
	case errors.As(err, &de):
		w.Header().Set("Cache-Control", "no-store")
		http.Error(w, de.msg, de.status)
	case err != nil:
		http.Error(w, err.Error(), http.StatusBadGateway)
	default:
		writeJSON(w, http.StatusOK, v)
	}
}
