package handler

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Store keeps one record per key with optimistic concurrency. It is the port
// through which a Mux keeps per-user state; the kit's stores (store/memstore,
// store/filestore, DynamoDB, Firestore) implement it, and store/storetest is
// the conformance suite every one of them passes.
//
// A Store must be safe for concurrent use by several turns, in this process
// and (for a shared database) in others.
type Store interface {
	// Get returns the record under key; Version 0 and nil Data when there is
	// none. It returns a record whose Expires has passed as it is, because
	// the turn checks expiry itself; a store that deletes expired records
	// must do so for Get and Put alike (a deleted record is version 0).
	Get(ctx context.Context, key string) (Record, error)
	// Put stores rec under key only if the stored version is still
	// rec.Version (0: no record yet) and makes the stored version
	// rec.Version+1. Otherwise it returns an error wrapping ErrConflict and
	// changes nothing.
	Put(ctx context.Context, key string, rec Record) error
}

// Record is what a Store keeps under a key.
type Record struct {
	Version int64
	Data    []byte    // opaque to stores (the turn's JSON); stores never interpret it
	Expires time.Time // zero: never; stores set their TTL attribute from it and may delete the record after it (lazily)
}

// ErrConflict is the error (wrapped) of a Put whose expected version is no
// longer the stored one: another turn committed first.
var ErrConflict = errors.New("handler: state changed by another turn")

// DefaultStateTTL is how long a user's state lives unused unless
// WithStateTTL says otherwise.
const DefaultStateTTL = 30 * 24 * time.Hour

// WithStore keeps per-user state (see NewState) in s and makes every routed
// event a turn: the state is read before the handler runs, and the state and
// the handler's replies are committed together with one conditional write
// before the replies are sent. See the package documentation's "State".
func WithStore(s Store) Option { return func(b *Mux) { b.stateConfig().store = s } }

// WithStateTTL sets how long a user's state lives unused (default
// DefaultStateTTL): every write restarts it, and a turn that only reads
// writes too once less than half of it is left. An expired state reads as
// the zero value, even before the store has deleted it.
func WithStateTTL(d time.Duration) Option { return func(b *Mux) { b.stateConfig().ttl = d } }

// WithClock sets the Mux's clock (default time.Now), for tests and the
// emulator's clock: state expiry, signed buttons' expiry and
// conversations' timeouts are measured on it (Event.Now).
func WithClock(now func() time.Time) Option { return func(b *Mux) { b.stateConfig().now = now } }

// turns is a Mux's state configuration; nil until a state option is given.
type turns struct {
	store Store
	ttl   time.Duration
	now   func() time.Time
}

func (b *Mux) stateConfig() *turns {
	if b.turns == nil {
		b.turns = &turns{ttl: DefaultStateTTL, now: time.Now}
	}
	return b.turns
}

// checkState validates the state options; New calls it.
func (b *Mux) checkState() error {
	if b.turns == nil {
		return nil
	}
	if b.turns.ttl <= 0 {
		return fmt.Errorf("handler: WithStateTTL needs a positive duration, got %v", b.turns.ttl)
	}
	if b.turns.now == nil {
		return errors.New("handler: WithClock needs a function, got nil")
	}
	return nil
}

// State is a typed piece of per-user state, stored as JSON under its name in
// the user's record. Declare it once, at package level, and use it in
// handlers:
//
//	type Todo struct{ Items []string }
//
//	var todos = handler.NewState[Todo]("todo")
//
//	func add(ctx context.Context, ev *handler.Event) error {
//		t := todos.Get(ev) // *Todo, the zero value for a new or expired user
//		t.Items = append(t.Items, ev.Args)
//		return ev.Reply(ctx, "added")
//	}
//
// What the handler leaves in *S when it returns nil is saved with its replies
// in one conditional write. S must encode to JSON and decode back (exported
// fields); change it compatibly (add fields) or give the new shape a new name.
type State[S any] struct {
	name string
	zero []byte // the JSON of the zero value: stored as "no state"
}

var (
	stateNamesMu sync.Mutex
	stateNames   = map[string]bool{}
)

// NewState declares a state called name, the field of the user's record it is
// kept in. It panics when name is empty or already declared in this process,
// or when S cannot be encoded as JSON: call it at package level.
func NewState[S any](name string) *State[S] {
	if name == "" {
		panic("handler: NewState needs a name")
	}
	zero, err := json.Marshal(new(S))
	if err != nil {
		panic(fmt.Sprintf("handler: state %q: %T cannot be encoded as JSON: %v", name, *new(S), err))
	}
	stateNamesMu.Lock()
	defer stateNamesMu.Unlock()
	if stateNames[name] {
		panic(fmt.Sprintf("handler: state %q declared twice (NewState)", name))
	}
	stateNames[name] = true
	return &State[S]{name: name, zero: zero}
}

// Name returns the state's name.
func (s *State[S]) Name() string { return s.name }

// Get returns the user's state for this turn, decoded on first use: the same
// pointer on every call within the turn, the zero value when the user has
// none or it expired. Use it only in the handler's goroutine, before the
// handler returns.
//
// It never panics: without a store (WithStore), outside a turn, or when the
// stored JSON does not decode into S, it returns a fresh zero value and the
// turn fails (500, nothing saved or sent), the reason in its log line.
func (s *State[S]) Get(ev *Event) *S {
	t := ev.states()
	if t == nil {
		return new(S)
	}
	if v, ok := t.loaded[s.name]; ok {
		if p, ok := v.value.(*S); ok {
			return p
		}
		t.fail(fmt.Errorf("handler: state %q used with two types (%T and %T)", s.name, v.value, new(S)))
		return new(S)
	}
	p := new(S)
	if raw := t.raw[s.name]; len(raw) > 0 {
		if err := json.Unmarshal(raw, p); err != nil {
			t.fail(fmt.Errorf("handler: state %q of uid %d does not decode into %T: %w", s.name, ev.UID, p, err))
			return new(S)
		}
	}
	t.load(s.name, p, s.zero)
	return p
}

// Reset sets the user's state back to the zero value; it is deleted from the
// record when the turn commits.
func (s *State[S]) Reset(ev *Event) {
	if t := ev.states(); t != nil {
		t.load(s.name, new(S), s.zero)
	}
}

// states returns the event's states, or nil after recording why there are
// none (the turn then fails).
func (e *Event) states() *stateSet {
	switch {
	case e.turn == nil:
		e.failed = errors.Join(e.failed, errNoStore)
		return nil
	case e.turn.ended:
		e.failed = errors.Join(e.failed, errTurnEnded)
		return nil
	case !e.turn.ensure():
		return nil
	}
	return e.turn
}

var (
	errNoStore   = errors.New("handler: state used but no state store configured (handler.WithStore)")
	errTurnEnded = errors.New("handler: state used after the handler returned")
)

// loadedState is one state a handler used in this turn.
type loadedState struct {
	value any    // *S
	zero  []byte // JSON of S's zero value
}

// stateSet is the states of one attempt of a turn. The user's record is
// read on the first use of state, so a handler that uses none costs no read.
type stateSet struct {
	raw    map[string]json.RawMessage // as read from the record
	loaded map[string]loadedState
	err    error // the first error of Get or Reset
	ended  bool

	reader  func() (Record, recordData, time.Time, error)
	read    bool  // the read was tried
	readErr error // and failed
	rec     Record
	data    recordData
	now     time.Time
}

// ensure reads the record on first use; it reports whether it is there.
func (t *stateSet) ensure() bool {
	if !t.read {
		t.read = true
		t.rec, t.data, t.now, t.readErr = t.reader()
		t.raw = t.data.S
		if t.readErr != nil {
			t.fail(t.readErr)
		}
	}
	return t.readErr == nil
}

func (t *stateSet) fail(err error) {
	if t.err == nil {
		t.err = err
	}
}

func (t *stateSet) load(name string, p any, zero []byte) {
	if t.loaded == nil {
		t.loaded = map[string]loadedState{}
	}
	t.loaded[name] = loadedState{value: p, zero: zero}
}

// encode returns the states to store and whether they differ from what was
// read. A state equal to its zero value is not stored.
func (t *stateSet) encode() (map[string]json.RawMessage, bool, error) {
	if len(t.loaded) == 0 {
		return t.raw, false, nil
	}
	out := make(map[string]json.RawMessage, len(t.raw)+len(t.loaded))
	for k, v := range t.raw {
		out[k] = v
	}
	changed := false
	for name, l := range t.loaded {
		b, err := json.Marshal(l.value)
		if err != nil {
			return nil, false, fmt.Errorf("handler: state %q cannot be encoded: %w", name, err)
		}
		if bytes.Equal(b, l.zero) {
			if _, had := out[name]; had {
				delete(out, name)
				changed = true
			}
			continue
		}
		if !bytes.Equal(b, out[name]) {
			out[name] = b
			changed = true
		}
	}
	return out, changed, nil
}
