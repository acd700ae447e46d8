package handler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"time"
)

// Bounds of a turn.
const (
	turnAttempts  = 10              // commits tried before answering 503
	settleTimeout = 5 * time.Second // for the write after the sends, past the webhook's deadline
)

// turnStats is what a turn did with the state, for the request's log line.
type turnStats struct {
	attempts   int  // handler runs
	reads      int  // Gets (none when the handler used no state)
	writes     int  // Puts that succeeded
	redelivery bool // the event had pending replies: resent, handler not run
	sent       int  // replies sent
	carried    int  // replies of earlier turns delivered by this one
}

func (s *turnStats) attr() slog.Attr {
	return slog.Group("state", slog.Int("attempts", s.attempts), slog.Int("reads", s.reads), slog.Int("writes", s.writes),
		slog.Bool("redelivery", s.redelivery), slog.Int("sent", s.sent), slog.Int("carried", s.carried))
}

// busyError is a turn whose commits kept conflicting: answered 503.
type busyError struct {
	uid      int64
	attempts int
}

func (e *busyError) Error() string {
	return fmt.Sprintf("handler: the state of uid %d changed under each of %d attempts; try again", e.uid, e.attempts)
}

func (e *busyError) Unwrap() error { return ErrConflict }

func isBusy(err error) bool {
	var busy *busyError
	return errors.As(err, &busy)
}

// turn runs h for ev as one atomic turn on the user's record: read, run with
// replies collected, commit state and replies with one conditional Put, then
// send and clear. A lost commit reruns h on the fresh record, up to
// turnAttempts times. See the package documentation's "State".
func (b *Mux) turn(ctx context.Context, ev *Event, h HandlerFunc, st *turnStats) error {
	for attempt := 1; ; attempt++ {
		st.attempts = attempt
		err := b.attempt(ctx, ev, h, st)
		switch {
		case err != errLost:
			return err
		case attempt == turnAttempts:
			return &busyError{uid: ev.UID, attempts: attempt}
		}
		if err := pause(ctx, attempt); err != nil {
			return err
		}
	}
}

// errLost is an attempt whose commit another turn beat.
var errLost = errors.New("handler: commit lost to another turn")

// attempt is one try of a turn; it returns errLost when its commit conflicted.
func (b *Mux) attempt(ctx context.Context, ev *Event, h HandlerFunc, st *turnStats) error {
	c := b.turns
	set := &stateSet{reader: func() (Record, recordData, time.Time, error) { return c.read(ctx, ev.UID) }}
	msgs, herr := attemptHandler(ctx, ev, h, set)
	if !set.read {
		if herr == nil {
			_, _, st.sent = sendInOrder(ctx, ev, msgs) // no state used: a plain turn
		}
		return herr
	}
	st.reads++
	key, fp := storeKey(ev.UID), fingerprint(ev)
	rec, d, now := set.rec, set.data, set.now
	if i := d.find(fp); i >= 0 {
		st.redelivery = true // this run is discarded: its replies were committed before
		c.flush(ctx, ev, key, rec.Version, d, i, st)
		return nil
	}
	if herr != nil {
		return herr
	}
	if set.err != nil {
		return set.err
	}
	states, changed, err := set.encode()
	if err != nil {
		return err
	}
	carried, kept := d.orphans(now, 2*b.timeout)
	if !changed && len(carried) == 0 && !c.stale(rec, d, now) {
		_, _, st.sent = sendInOrder(ctx, ev, msgs)
		return nil
	}
	nd := recordData{S: states, O: kept}
	if all := append(carried, msgs...); len(all) > 0 {
		nd.O = append(nd.O, entry{F: fp, T: now.UnixMilli(), M: all})
	}
	err = c.put(ctx, key, rec.Version, nd, now)
	if errors.Is(err, ErrConflict) {
		return errLost
	}
	if err != nil {
		return err
	}
	st.writes++
	if len(nd.O) > len(kept) {
		st.carried = len(carried)
		c.flush(ctx, ev, key, rec.Version+1, nd, len(nd.O)-1, st)
	}
	return nil
}

// attemptHandler runs h once with set as its states and a sender that
// collects the replies.
func attemptHandler(ctx context.Context, ev *Event, h HandlerFunc, set *stateSet) ([]Message, error) {
	out, real, sent := &collector{}, ev.sender, ev.sent
	ev.sender, ev.turn = out, set
	defer func() { ev.sender, set.ended, ev.sent = real, true, sent }() // collected is not sent
	err := h(ctx, ev)
	return out.msgs, err
}

// storeKey is the key of a user's record: the decimal uid.
func storeKey(uid int64) string { return strconv.FormatInt(uid, 10) }

// read gets and decodes the user's record; an expired one reads as empty.
func (c *turns) read(ctx context.Context, uid int64) (Record, recordData, time.Time, error) {
	rec, err := c.store.Get(ctx, storeKey(uid))
	if err != nil {
		return Record{}, recordData{}, time.Time{}, fmt.Errorf("handler: reading the state of uid %d: %w", uid, err)
	}
	now := c.now()
	if !rec.Expires.IsZero() && !now.Before(rec.Expires) {
		return rec, recordData{}, now, nil
	}
	d, err := decodeRecord(rec.Data)
	if err != nil {
		return Record{}, recordData{}, time.Time{}, fmt.Errorf("handler: the state record of uid %d (version %d) is corrupt; delete it to start the user over: %w", uid, rec.Version, err)
	}
	return rec, d, now, nil
}

// stale reports whether a record that holds something has used more than
// half its time to live, so that a turn that changed nothing still writes to
// keep an active user's state from expiring.
func (c *turns) stale(rec Record, d recordData, now time.Time) bool {
	if rec.Version == 0 || rec.Expires.IsZero() || (len(d.S) == 0 && len(d.O) == 0) {
		return false
	}
	return rec.Expires.Sub(now) < c.ttl/2
}

func (c *turns) put(ctx context.Context, key string, version int64, d recordData, now time.Time) error {
	data, err := encodeRecord(d)
	if err != nil {
		return err
	}
	err = c.store.Put(ctx, key, Record{Version: version, Data: data, Expires: now.Add(c.ttl)})
	if err != nil && !errors.Is(err, ErrConflict) {
		return fmt.Errorf("handler: saving the state of uid %s: %w", key, err)
	}
	return err
}

// flush sends the replies of outbox entry i of d (stored at version), then
// settles the entry: removed when all went, else kept with what is left and
// marked abandoned, so a redelivery or the user's next event sends the rest.
// Failures are recorded on the event (the webhook answers 500); a failed
// settle is a warning, since the replies it is about have been handled.
func (c *turns) flush(ctx context.Context, ev *Event, key string, version int64, d recordData, i int, st *turnStats) {
	e := d.O[i]
	unsent, ok, sent := sendInOrder(ctx, ev, e.M)
	st.sent += sent
	var repl *entry
	if !ok {
		repl = &entry{F: e.F, T: 0, M: unsent} // kept even when empty: a redelivery then does not rerun the turn
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), settleTimeout)
	defer cancel()
	for attempt := 1; ; attempt++ {
		d.O = replaceEntry(d.O, e, repl)
		err := c.put(sctx, key, version, d, c.now())
		if err == nil {
			st.writes++
			return
		}
		if !errors.Is(err, ErrConflict) || attempt >= turnAttempts {
			ev.uncertain = errors.Join(ev.uncertain, fmt.Errorf("handler: pending replies of uid %d not settled in the store (they may be sent again later): %w", ev.UID, err))
			return
		}
		var rec Record
		if rec, d, _, err = c.read(sctx, ev.UID); err != nil {
			ev.uncertain = errors.Join(ev.uncertain, err)
			return
		}
		if findEntry(d.O, e) < 0 {
			return // another turn took the entry over
		}
		version = rec.Version
	}
}

// findEntry returns the index of the entry with e's fingerprint and time.
func findEntry(o []entry, e entry) int {
	for i := range o {
		if o[i].F == e.F && o[i].T == e.T {
			return i
		}
	}
	return -1
}

// replaceEntry returns a copy of o with the entry like e replaced by repl
// in its place, or removed when repl is nil.
func replaceEntry(o []entry, e entry, repl *entry) []entry {
	i := findEntry(o, e)
	if i < 0 {
		return o
	}
	out := make([]entry, 0, len(o))
	out = append(out, o[:i]...)
	if repl != nil {
		out = append(out, *repl)
	}
	return append(out, o[i+1:]...)
}

// pause waits a little before a turn's next attempt, jittered so that
// competing turns spread out: up to 2 ms doubling to 64 ms.
func pause(ctx context.Context, attempt int) error {
	d := time.Duration(rand.Int64N(int64(2*time.Millisecond) << min(attempt-1, 5)))
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("handler: no time left for another attempt of the turn: %w", ctx.Err())
	}
}
