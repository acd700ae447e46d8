package firestorestore_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/internal/testtools"
	"github.com/sociogram-kit/kit/store/firestorestore"
	"github.com/sociogram-kit/kit/store/storetest"
)

// calls counts the store's HTTP calls by method: "batchGet"
// (documents:batchGet) and "commit" (documents:commit).
type calls struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *calls) RoundTrip(r *http.Request) (*http.Response, error) {
	kind := r.Method + " " + r.URL.Path
	if i := strings.LastIndexByte(r.URL.Path, ':'); i >= 0 && r.Method == http.MethodPost {
		kind = r.URL.Path[i+1:]
	}
	c.mu.Lock()
	c.n[kind]++
	c.mu.Unlock()
	return http.DefaultTransport.RoundTrip(r)
}

// take returns the counts since the last take.
func (c *calls) take() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.n
	c.n = map[string]int{}
	return n
}

const project = "kit-test"

var collections atomic.Int64

func collection() string { return fmt.Sprintf("state-%d", collections.Add(1)) }

// newStore returns a store on the emulator at host, counting its calls.
func newStore(t *testing.T, host, database, coll string) (*firestorestore.Store, *calls) {
	t.Helper()
	c := &calls{n: map[string]int{}}
	s, err := firestorestore.New(project, database, coll, firestorestore.WithEmulator(host),
		firestorestore.WithHTTPClient(&http.Client{Transport: c}))
	if err != nil {
		t.Fatal(err)
	}
	return s, c
}

// TestFirestore runs the conformance suite and the Firestore-specific tests
// on one emulator (the gcloud Firestore emulator, which serves the REST API
// the store speaks).
func TestFirestore(t *testing.T) {
	start := time.Now()
	host := testtools.StartFirestore(t)
	t.Logf("Firestore emulator answered after %s", time.Since(start).Round(time.Millisecond))
	t.Run("Conformance", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) handler.Store {
			s, _ := newStore(t, host, "", collection())
			return s
		})
	})
	t.Run("ConformanceNamedDatabase", func(t *testing.T) {
		storetest.RunStore(t, func(t *testing.T) handler.Store {
			s, _ := newStore(t, host, "bot-state", collection())
			return s
		})
	})
	t.Run("CallsPerTurn", func(t *testing.T) { testCallsPerTurn(t, host) })
	t.Run("TwoInstances", func(t *testing.T) { testTwoInstances(t, host) })
	t.Run("Document", func(t *testing.T) { testDocument(t, host) })
	t.Logf("total %s", time.Since(start).Round(time.Millisecond))
}

// testCallsPerTurn counts the calls of the turn engine's sequence (Get, Put,
// Put): one read and one commit per Put. A Put at a version this Store did
// not read (another instance did) costs one more read.
func testCallsPerTurn(t *testing.T, host string) {
	coll := collection()
	s, calls := newStore(t, host, "", coll)
	ctx := context.Background()
	turn := func() {
		r, err := s.Get(ctx, "1")
		if err != nil {
			t.Fatal(err)
		}
		for range 2 { // commit the state and the outbox, then clear the outbox
			if err := s.Put(ctx, "1", r); err != nil {
				t.Fatal(err)
			}
			r.Version++
		}
	}
	want := map[string]int{"batchGet": 1, "commit": 2}
	for _, name := range []string{"first turn (create)", "next turn (update)"} {
		calls.take()
		turn()
		if got := calls.take(); !maps.Equal(got, want) {
			t.Errorf("%s: calls %v, want %v", name, got, want)
		}
	}

	cold, calls := newStore(t, host, "", coll) // another instance: has read nothing
	if err := cold.Put(ctx, "1", handler.Record{Version: 4}); err != nil {
		t.Fatal(err)
	}
	if got, want := calls.take(), map[string]int{"batchGet": 1, "commit": 1}; !maps.Equal(got, want) {
		t.Errorf("Put at a version not read: calls %v, want %v", got, want)
	}
}

// testTwoInstances: two Stores on one collection, as two function instances:
// what one remembers never lets it overwrite the other's write.
func testTwoInstances(t *testing.T, host string) {
	coll := collection()
	a, _ := newStore(t, host, "", coll)
	b, _ := newStore(t, host, "", coll)
	ctx := context.Background()
	put := func(s *firestorestore.Store, v int64, data string) error {
		return s.Put(ctx, "u", handler.Record{Version: v, Data: []byte(data)})
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	conflict := func(err error) {
		t.Helper()
		if !errors.Is(err, handler.ErrConflict) {
			t.Fatalf("got %v, want a conflict", err)
		}
	}
	must(put(a, 0, "a1")) // a remembers version 1
	conflict(put(b, 0, "b1"))
	_, err := b.Get(ctx, "u")
	must(err)             // b remembers version 1
	must(put(b, 1, "b2")) // b at 2
	conflict(put(a, 1, "a2"))
	must(put(b, 2, "b3")) // b at 3, from memory
	_, err = a.Get(ctx, "u")
	must(err)
	must(put(a, 3, "a4"))
	conflict(put(b, 3, "b4"))
	r, err := b.Get(ctx, "u")
	must(err)
	if r.Version != 4 || string(r.Data) != "a4" {
		t.Fatalf("got version %d %q, want 4 \"a4\"", r.Version, r.Data)
	}
}

// testDocument checks the stored document, as the emulator's REST API
// returns it, against the contract in doc.go: field names and types
// (expires a timestamp, for the TTL policy; absent when the record never
// expires; data empty bytes, never null), the escaped document id, and a
// named database.
func testDocument(t *testing.T, host string) {
	const db = "doc-db"
	coll := collection()
	s, _ := newStore(t, host, db, coll)
	ctx := context.Background()
	name := fmt.Sprintf("projects/%s/databases/%s/documents/%s/a%%2Fb", project, db, coll)
	fields := func() string { // the document as the emulator's REST API returns it
		t.Helper()
		u := fmt.Sprintf("http://%s/v1/projects/%s/databases/%s/documents:batchGet", host, project, db)
		req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(`{"documents":["`+name+`"]}`))
		req.Header.Set("Authorization", "Bearer owner")
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		var docs []struct {
			Found struct {
				Name   string          `json:"name"`
				Fields json.RawMessage `json:"fields"`
			} `json:"found"`
		}
		if resp.StatusCode != 200 || json.Unmarshal(body, &docs) != nil || len(docs) != 1 || docs[0].Found.Name != name {
			t.Fatalf("batchGet %s: %s %s", name, resp.Status, body)
		}
		var v any
		json.Unmarshal(docs[0].Found.Fields, &v)
		out, _ := json.Marshal(v) // sorted keys, no spaces
		return string(out)
	}
	exp := time.Date(2030, 1, 2, 3, 4, 5, 6789, time.UTC)
	if err := s.Put(ctx, "a/b", handler.Record{Data: []byte{0, 1}, Expires: exp}); err != nil {
		t.Fatal(err)
	}
	// Firestore keeps microseconds, as it did for Google's client.
	want := `{"data":{"bytesValue":"AAE="},"expires":{"timestampValue":"2030-01-02T03:04:05.000006Z"},"version":{"integerValue":"1"}}`
	if got := fields(); got != want {
		t.Errorf("fields = %s\nwant     %s", got, want)
	}
	if err := s.Put(ctx, "a/b", handler.Record{Version: 1}); err != nil { // never expires now
		t.Fatal(err)
	}
	want = `{"data":{"bytesValue":""},"version":{"integerValue":"2"}}`
	if got := fields(); got != want {
		t.Errorf("fields = %s\nwant     %s", got, want)
	}
	r, err := s.Get(ctx, "a/b")
	if err != nil || r.Version != 2 || r.Data == nil || len(r.Data) != 0 || !r.Expires.IsZero() {
		t.Errorf("Get = %+v, %v; want version 2, empty data, no expiry", r, err)
	}
}

func TestDocID(t *testing.T) {
	tests := []struct{ key, want string }{
		{"123456789", "123456789"},
		{"a/b", "a%2Fb"},
		{".", "%2E"},
		{"..", "%2E%2E"},
		{"__x__", "%5F_x__"},
		{"_x", "_x"},
		{"%2F", "%252F"},
		{"ü", "%C3%BC"},
		{"a b", "a%20b"},
	}
	for _, tt := range tests {
		if got := firestorestore.DocID(tt.key); got != tt.want {
			t.Errorf("DocID(%q) = %q, want %q", tt.key, got, tt.want)
		}
	}
}
