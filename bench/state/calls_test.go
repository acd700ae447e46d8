package state

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sociogram-kit/kit/botapi"
	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/internal/testtools"
	"github.com/sociogram-kit/kit/sociogramtest"
	"github.com/sociogram-kit/kit/store/dynamostore"
	"github.com/sociogram-kit/kit/store/memstore"
)

// countingStore counts the calls a turn makes at the handler.Store port.
// before, when set, runs once before the next Put goes through: another
// instance's turn, to lose a race.
type countingStore struct {
	handler.Store
	mu         sync.Mutex
	gets, puts int
	before     func()
}

func (c *countingStore) Get(ctx context.Context, key string) (handler.Record, error) {
	c.mu.Lock()
	c.gets++
	c.mu.Unlock()
	return c.Store.Get(ctx, key)
}

func (c *countingStore) Put(ctx context.Context, key string, rec handler.Record) error {
	c.mu.Lock()
	c.puts++
	f := c.before
	c.before = nil
	c.mu.Unlock()
	if f != nil {
		f()
	}
	return c.Store.Put(ctx, key, rec)
}

func (c *countingStore) take() (gets, puts int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	gets, puts, c.gets, c.puts = c.gets, c.puts, 0, 0
	return gets, puts
}

// backend is a store under test: the instance whose calls are counted, a
// second instance on the same data (another process, for the race) and the
// names of the wire operations of a read and a write.
type backend struct {
	name         string
	store, other handler.Store
	wire         *wire // nil: no wire (memory)
	wGet, wPut   string
}

// calls is what one turn cost.
type calls struct {
	gets, puts         int // at the port
	wireGets, wirePuts int // on the wire
	other              []string
	status             int
}

// turnKind is one row of the table.
type turnKind struct {
	kind       string
	text       string
	prep       func(k *kindEnv)
	status     int
	replies    []string // the user got these in this turn
	gets, puts int      // the kit's documented cost (package handler, "State")
}

// kindEnv is what a step's prep can change.
type kindEnv struct {
	api   *sociogramtest.Server
	store *countingStore
	clock *sociogramtest.Clock
	race  func()
}

const callsTTL = time.Hour

var kinds = []turnKind{
	{"route uses no state (`/ping`)", "/ping", nil, 200, []string{"pong"}, 0, 0},
	{"reads only, new user (`/get`)", "/get", nil, 200, []string{"0"}, 1, 0},
	{"changes state, no reply (`/quiet`)", "/quiet", nil, 200, nil, 1, 1},
	{"changes state and replies (`add`)", "add 1", nil, 200, []string{"count 2"}, 1, 2},
	{"reads only (`/get`)", "/get", nil, 200, []string{"2"}, 1, 0},
	{"reads only and replies, less than half the TTL left: renews the TTL", "/get", func(k *kindEnv) { k.clock.Advance(callsTTL/2 + time.Minute) }, 200, []string{"2"}, 1, 2},
	{"changes state, the reply refused (Bot API 500)", "add 2", func(k *kindEnv) {
		k.api.Inject(sociogramtest.Fault{Status: http.StatusInternalServerError})
	}, 500, nil, 1, 2},
	{"redelivery of that webhook: resends, handler not run", "add 2", nil, 200, []string{"count 3"}, 1, 1},
	{"changes state and replies, losing one race to another instance", "add 3", func(k *kindEnv) { k.store.before = k.race }, 200, []string{"count 5"}, 2, 3},
}

// TestCallsPerTurn counts the store calls of each kind of turn, at the
// port and on the wire: memstore always; DynamoDB on moto and Firestore on
// the emulator with -state.full.
func TestCallsPerTurn(t *testing.T) {
	var mu sync.Mutex
	results := map[string][]calls{}
	run := func(t *testing.T, b backend) {
		got := runKinds(t, b)
		mu.Lock()
		results[b.name] = got
		mu.Unlock()
	}
	names := []string{"memstore"}
	t.Run("memstore", func(t *testing.T) {
		s := memstore.New()
		run(t, backend{name: "memstore", store: s, other: s})
	})
	if *full {
		names = append(names, "DynamoDB (moto)", "Firestore (emulator)")
		t.Run("DynamoDB", func(t *testing.T) {
			url := testtools.StartMoto(t)
			w := newWire()
			c := dynamoClient(url, w)
			table := newTable(t, c)
			other := dynamostore.New(dynamoClient(url, nil), table)
			run(t, backend{name: "DynamoDB (moto)", store: dynamostore.New(c, table), other: other, wire: w, wGet: "GetItem", wPut: "PutItem"})
		})
		t.Run("Firestore", func(t *testing.T) {
			host := testtools.StartFirestore(t)
			w := newWire()
			coll := fmt.Sprintf("state-%d", rand.Int64())
			other := firestoreStore(t, host, coll, nil)
			run(t, backend{name: "Firestore (emulator)", store: firestoreStore(t, host, coll, w), other: other,
				wire: w, wGet: "batchGet", wPut: "commit"})
		})
	}
	report(t, callsTable(names, results))
}

// runKinds runs the kinds of turn in order on one user of b and returns
// what each cost, failing where the kit's documented cost or behaviour is
// not met.
func runKinds(t *testing.T, b backend) []calls {
	api := sociogramtest.NewServer(t, token)
	client := botapi.New(token, botapi.WithBaseURL(api.URL), botapi.WithRateLimit(false), botapi.WithRetry(1, 0))
	clk := sociogramtest.NewClock(time.Now())
	opts := []handler.Option{handler.WithStateTTL(callsTTL), handler.WithClock(clk.Now)}
	cs := &countingStore{Store: b.store}
	mux := newKit(t, cs, client, opts...)
	mux.OnCommand("ping", func(ctx context.Context, ev *handler.Event) error { return ev.Reply(ctx, "pong") })
	mux.OnCommand("get", func(ctx context.Context, ev *handler.Event) error {
		return ev.Reply(ctx, strconv.Itoa(count.Get(ev).N))
	})
	mux.OnCommand("quiet", func(ctx context.Context, ev *handler.Event) error { count.Get(ev).N++; return nil })
	otherMux := newKit(t, b.other, noopSender, opts...)

	uid := rand.Int64N(1e15) + 1
	deliver := func(m *handler.Mux, text string) int {
		w := httptest.NewRecorder()
		m.ServeHTTP(w, sociogramtest.NewRequest(token, sociogramtest.ChatMessage(uid, text)))
		return w.Code
	}
	env := &kindEnv{api: api, store: cs, clock: clk, race: func() {
		if code := deliver(otherMux, "add by another instance"); code != http.StatusOK {
			t.Errorf("the other instance's turn answered %d", code)
		}
	}}
	var out []calls
	sent := 0
	for _, k := range kinds {
		if k.prep != nil {
			k.prep(env)
		}
		cs.take()
		if b.wire != nil {
			b.wire.take()
		}
		c := calls{status: deliver(mux, k.text)}
		c.gets, c.puts = cs.take()
		if b.wire != nil {
			ops := b.wire.take()
			c.wireGets, c.wirePuts = ops[b.wGet], ops[b.wPut]
			for op, n := range ops {
				if op != b.wGet && op != b.wPut {
					c.other = append(c.other, fmt.Sprintf("%s %d", op, n))
				}
			}
			slices.Sort(c.other)
		}
		var replies []string
		for _, s := range api.Sent()[sent:] {
			replies = append(replies, s.Message.Text)
		}
		sent = len(api.Sent())
		if c.status != k.status || !slices.Equal(replies, k.replies) {
			t.Errorf("%s: %s: answered %d with replies %q, want %d %q", b.name, k.kind, c.status, replies, k.status, k.replies)
		}
		if c.gets != k.gets || c.puts != k.puts {
			t.Errorf("%s: %s: %d Get, %d Put; the package doc says %d, %d", b.name, k.kind, c.gets, c.puts, k.gets, k.puts)
		}
		out = append(out, c)
	}
	return out
}

// callsTable renders the results as markdown.
func callsTable(names []string, results map[string][]calls) string {
	var sb strings.Builder
	sb.WriteString("Store calls per turn: Get / Put at the `handler.Store` port")
	sb.WriteString(", and on the wire (DynamoDB: GetItem / PutItem; Firestore REST: documents:batchGet / documents:commit) in brackets.\n\n")
	sb.WriteString("| turn | webhook |")
	for _, n := range names {
		sb.WriteString(" " + n + " |")
	}
	sb.WriteString("\n|---|---:|")
	for range names {
		sb.WriteString("---|")
	}
	sb.WriteString("\n")
	for i, k := range kinds {
		fmt.Fprintf(&sb, "| %s | %d |", k.kind, k.status)
		for _, n := range names {
			rs := results[n]
			if i >= len(rs) {
				sb.WriteString(" – |")
				continue
			}
			c := rs[i]
			fmt.Fprintf(&sb, " %d / %d", c.gets, c.puts)
			if n != "memstore" {
				fmt.Fprintf(&sb, " (%d / %d)", c.wireGets, c.wirePuts)
			}
			if len(c.other) > 0 {
				sb.WriteString(", also " + strings.Join(c.other, ", "))
			}
			sb.WriteString(" |")
		}
		sb.WriteString("\n")
	}
	return sb.String()
}
