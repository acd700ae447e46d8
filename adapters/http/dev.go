package httpadapter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/sociogram-kit/kit/handler"
)

// Development endpoints, for the emulator's State panel. A server wrapped
// in DevHandler (httpadapter.Run with SOCIOGRAM_DEV=1, which `make run`
// sets) serves them; every call must carry one of the bot's tokens in X-App-Key
// (401 otherwise). Without DevHandler they are not routed (404). Never turn
// them on in production: they read and wipe any user's state.
const (
	// DevStatePath: GET ?uid=N answers the user's state (DevState); DELETE
	// ?uid=N resets it (a conditional Put of an empty record) and answers
	// the state after. A bot that keeps no state answers 404 saying so.
	DevStatePath = "/dev/state"
	// DevClockPath: GET answers the bot's clock (DevClockState); POST
	// {"advance": "25h"} moves it forward, {"offset": "0s"} sets its offset.
	DevClockPath = "/dev/clock"
)

// DevState is the JSON of GET and DELETE /dev/state.
type DevState struct {
	UID     int64                      `json:"uid"`
	States  map[string]json.RawMessage `json:"states"`  // by name (handler.NewState); {} when none
	Pending int                        `json:"pending"` // replies committed, not yet known delivered
	Version int64                      `json:"version"` // the record's version in the store; 0: none
	Expires time.Time                  `json:"expires,omitzero"`
	Expired bool                       `json:"expired"` // Expires has passed on the bot's clock: a turn reads it as empty
	Now     time.Time                  `json:"now"`     // the bot's clock (DevClock)
}

// DevClockState is the JSON of GET and POST /dev/clock.
type DevClockState struct {
	Offset        string    `json:"offset"`         // how far the bot's clock is ahead of the wall clock, e.g. "25h0m0s"
	OffsetSeconds float64   `json:"offset_seconds"` // the same in seconds
	Now           time.Time `json:"now"`            // the bot's clock
}

// DevClock is the bot's clock in development: the wall clock plus an offset
// that POST /dev/clock moves, so state expiry and conversation timeouts can
// be tried without waiting. Run gives its Now to the Mux (handler.WithClock).
// The zero value is the wall clock; it is safe for concurrent use.
type DevClock struct{ offset atomic.Int64 }

// Now returns the wall clock plus the offset.
func (c *DevClock) Now() time.Time { return time.Now().Add(c.Offset()) }

// Offset returns how far the clock is ahead of the wall clock.
func (c *DevClock) Offset() time.Duration { return time.Duration(c.offset.Load()) }

// Advance moves the clock forward by d and returns the new offset.
func (c *DevClock) Advance(d time.Duration) time.Duration {
	return time.Duration(c.offset.Add(int64(d)))
}

// SetOffset sets how far the clock is ahead of the wall clock.
func (c *DevClock) SetOffset(d time.Duration) { c.offset.Store(int64(d)) }

// Dev is what the development endpoints need.
type Dev struct {
	Keys  handler.Verifier // the bot's tokens: a call must carry one in X-App-Key
	Store handler.Store    // the bot's state store; nil when the bot keeps none
	Clock *DevClock        // the clock the Mux was given (handler.WithClock)
}

// DevHandler serves the development endpoints (DevStatePath, DevClockPath)
// in front of h, the server's other routes (Handler): requests under /dev/
// go to them, the rest to h. It panics when d has no Keys or no Clock.
func DevHandler(h http.Handler, d Dev) http.Handler {
	if d.Keys == nil || d.Clock == nil {
		panic("httpadapter: DevHandler needs Keys and a Clock")
	}
	dev := http.NewServeMux()
	dev.Handle("GET "+DevStatePath, d.auth(d.getState))
	dev.Handle("DELETE "+DevStatePath, d.auth(d.resetState))
	dev.Handle("GET "+DevClockPath, d.auth(d.getClock))
	dev.Handle("POST "+DevClockPath, d.auth(d.moveClock))
	mux := http.NewServeMux()
	mux.Handle("/dev/", dev)
	mux.Handle("/", h)
	return mux
}

// auth answers 401 unless the request carries one of the bot's tokens
// (compared in constant time by the Verifier).
func (d *Dev) auth(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		if key := r.Header.Get(handler.HeaderAppKey); key == "" || !d.Keys.Verify(r.Context(), key) {
			http.Error(w, "the development endpoints need the bot's token in "+handler.HeaderAppKey, http.StatusUnauthorized)
			return
		}
		next(w, r)
	})
}

// errNoState is the answer of /dev/state for a bot that keeps no state.
const errNoState = "this bot keeps no per-user state (it declares no handler.NewState, or SOCIOGRAM_STATE=off)"

func (d *Dev) getState(w http.ResponseWriter, r *http.Request) {
	uid, ok := d.stateUID(w, r)
	if !ok {
		return
	}
	rec, err := d.Store.Get(r.Context(), handler.StoreKey(uid))
	if err != nil {
		http.Error(w, fmt.Sprintf("reading the state of uid %d: %v", uid, err), http.StatusBadGateway)
		return
	}
	d.writeState(w, uid, rec)
}

// resetAttempts bounds the conditional Puts of a reset racing the user's turns.
const resetAttempts = 5

func (d *Dev) resetState(w http.ResponseWriter, r *http.Request) {
	uid, ok := d.stateUID(w, r)
	if !ok {
		return
	}
	rec, err := d.reset(r.Context(), handler.StoreKey(uid))
	switch {
	case errors.Is(err, handler.ErrConflict):
		http.Error(w, fmt.Sprintf("the state of uid %d kept changing under the reset; try again", uid), http.StatusConflict)
	case err != nil:
		http.Error(w, fmt.Sprintf("resetting the state of uid %d: %v", uid, err), http.StatusBadGateway)
	default:
		d.writeState(w, uid, rec)
	}
}

// reset replaces the record under key with an empty one that has already
// expired (so a store may delete it), by a conditional Put: a turn that
// commits meanwhile is not lost silently, the reset reads again. A user
// without a record is left without one. It returns the record after.
func (d *Dev) reset(ctx context.Context, key string) (handler.Record, error) {
	for attempt := 1; ; attempt++ {
		rec, err := d.Store.Get(ctx, key)
		if err != nil || rec.Version == 0 {
			return rec, err
		}
		empty := handler.Record{Version: rec.Version, Expires: d.Clock.Now()}
		err = d.Store.Put(ctx, key, empty)
		if err == nil {
			empty.Version++
			return empty, nil
		}
		if !errors.Is(err, handler.ErrConflict) || attempt == resetAttempts {
			return handler.Record{}, err
		}
	}
}

// stateUID reads ?uid=, answering 404 for a bot without state and 400 for
// a bad uid.
func (d *Dev) stateUID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	if d.Store == nil {
		http.Error(w, errNoState, http.StatusNotFound)
		return 0, false
	}
	uid, err := strconv.ParseInt(r.URL.Query().Get("uid"), 10, 64)
	if err != nil || uid <= 0 {
		http.Error(w, "uid must be a positive number: "+DevStatePath+"?uid=12345", http.StatusBadRequest)
		return 0, false
	}
	return uid, true
}

func (d *Dev) writeState(w http.ResponseWriter, uid int64, rec handler.Record) {
	now := d.Clock.Now()
	s, err := handler.DecodeRecordStates(rec, now)
	if err != nil {
		http.Error(w, fmt.Sprintf("uid %d: %v", uid, err), http.StatusInternalServerError)
		return
	}
	writeDevJSON(w, DevState{UID: uid, States: s.States, Pending: s.Pending, Version: rec.Version,
		Expires: rec.Expires, Expired: s.Expired, Now: now})
}

func (d *Dev) getClock(w http.ResponseWriter, _ *http.Request) { d.writeClock(w) }

// maxOffset bounds the clock's offset (about 100 years), far from overflow.
const maxOffset = 100 * 365 * 24 * time.Hour

func (d *Dev) moveClock(w http.ResponseWriter, r *http.Request) {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		http.Error(w, "Content-Type must be application/json", http.StatusUnsupportedMediaType)
		return
	}
	var in struct {
		Advance *string `json:"advance"`
		Offset  *string `json:"offset"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 4<<10)).Decode(&in); err != nil || (in.Advance == nil) == (in.Offset == nil) {
		http.Error(w, `want {"advance": "25h"} or {"offset": "0s"}`, http.StatusBadRequest)
		return
	}
	switch {
	case in.Advance != nil:
		a, err := time.ParseDuration(*in.Advance)
		if err != nil || a <= 0 || d.Clock.Offset()+a > maxOffset {
			http.Error(w, "advance must be a positive duration such as 90m or 25h, the offset under 100 years", http.StatusBadRequest)
			return
		}
		d.Clock.Advance(a)
	default:
		o, err := time.ParseDuration(*in.Offset)
		if err != nil || o < 0 || o > maxOffset {
			http.Error(w, "offset must be a duration from 0s to 100 years, such as 0s or 48h", http.StatusBadRequest)
			return
		}
		d.Clock.SetOffset(o)
	}
	d.writeClock(w)
}

func (d *Dev) writeClock(w http.ResponseWriter) {
	o := d.Clock.Offset()
	writeDevJSON(w, DevClockState{Offset: o.String(), OffsetSeconds: o.Seconds(), Now: d.Clock.Now()})
}

func writeDevJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// enableDev is Run's SOCIOGRAM_DEV=1: a DevClock for the Mux and the
// wrapper that serves the development endpoints.
func enableDev(keys handler.Verifier, store handler.Store, logger *slog.Logger) (handler.Option, func(http.Handler) http.Handler) {
	d := Dev{Keys: keys, Store: store, Clock: &DevClock{}}
	logger.Warn("development endpoints on (SOCIOGRAM_DEV): they read and reset any user's state and move the bot's clock; never in production",
		"state", DevStatePath, "clock", DevClockPath, "has_state", store != nil)
	return handler.WithClock(d.Clock.Now), func(h http.Handler) http.Handler { return DevHandler(h, d) }
}
