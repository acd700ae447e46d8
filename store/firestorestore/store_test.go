package firestorestore_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cloud.google.com/go/firestore"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/internal/testtools"
	"github.com/sociogram-kit/kit/store/firestorestore"
	"github.com/sociogram-kit/kit/store/storetest"
)

// rpcs counts the client's calls by method.
type rpcs struct {
	mu sync.Mutex
	n  map[string]int
}

func (r *rpcs) add(method string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.n[method[len("/google.firestore.v1.Firestore/"):]]++
}

// take returns the counts since the last take.
func (r *rpcs) take() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := r.n
	r.n = map[string]int{}
	return n
}

// emulatorCreds is what firestore.NewClient sends the emulator when
// FIRESTORE_EMULATOR_HOST is set: admin access, no security rules.
type emulatorCreds struct{}

func (emulatorCreds) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer owner"}, nil
}
func (emulatorCreds) RequireTransportSecurity() bool { return false }

// client connects to the emulator at host as firestore.NewClient does under
// FIRESTORE_EMULATOR_HOST (without setting the process's environment), and
// counts its calls.
func client(t *testing.T, host string) (*firestore.Client, *rpcs) {
	t.Helper()
	r := &rpcs{n: map[string]int{}}
	conn, err := grpc.NewClient(host,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithPerRPCCredentials(emulatorCreds{}),
		grpc.WithChainUnaryInterceptor(func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
			r.add(method)
			return invoker(ctx, method, req, reply, cc, opts...)
		}),
		grpc.WithChainStreamInterceptor(func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
			r.add(method)
			return streamer(ctx, desc, cc, method, opts...)
		}),
	)
	if err != nil {
		t.Fatal(err)
	}
	c, err := firestore.NewClient(context.Background(), "kit-test", option.WithGRPCConn(conn))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, r
}

var collections atomic.Int64

func collection() string { return fmt.Sprintf("state-%d", collections.Add(1)) }

// TestFirestore runs the conformance suite and the Firestore-specific tests
// on one emulator.
func TestFirestore(t *testing.T) {
	start := time.Now()
	host := testtools.StartFirestore(t)
	t.Logf("Firestore emulator answered after %s", time.Since(start).Round(time.Millisecond))
	t.Run("Conformance", func(t *testing.T) {
		c, _ := client(t, host)
		storetest.Run(t, func(t *testing.T) handler.Store { return firestorestore.New(c, collection()) })
	})
	t.Run("CallsPerTurn", func(t *testing.T) { testCallsPerTurn(t, host) })
	t.Run("TwoInstances", func(t *testing.T) { testTwoInstances(t, host) })
	t.Run("Document", func(t *testing.T) { testDocument(t, host) })
}

// testCallsPerTurn counts the RPCs of the turn engine's sequence (Get, Put,
// Put): one read and one commit per Put. A Put at a version this Store did
// not read (another instance did) costs one more read. The transaction the
// package doc compares with is counted too, for the record.
func testCallsPerTurn(t *testing.T, host string) {
	c, calls := client(t, host)
	coll := collection()
	s := firestorestore.New(c, coll)
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
	want := map[string]int{"BatchGetDocuments": 1, "Commit": 2}
	for _, name := range []string{"first turn (Create)", "next turn (Update)"} {
		calls.take()
		turn()
		if got := calls.take(); !maps.Equal(got, want) {
			t.Errorf("%s: calls %v, want %v", name, got, want)
		}
	}

	cold := firestorestore.New(c, coll) // another instance: has read nothing
	if err := cold.Put(ctx, "1", handler.Record{Version: 4}); err != nil {
		t.Fatal(err)
	}
	if got, want := calls.take(), map[string]int{"BatchGetDocuments": 1, "Commit": 1}; !maps.Equal(got, want) {
		t.Errorf("Put at a version not read: calls %v, want %v", got, want)
	}

	doc := c.Collection(coll).Doc("1")
	err := c.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		snap, err := tx.Get(doc)
		if err != nil {
			return err
		}
		return tx.Update(doc, []firestore.Update{{Path: "version", Value: snap.Data()["version"].(int64) + 1}})
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("one Put as a transaction instead: calls %v", calls.take())
}

// testTwoInstances: two Stores on one collection, as two function instances:
// what one remembers never lets it overwrite the other's write.
func testTwoInstances(t *testing.T, host string) {
	c, _ := client(t, host)
	coll := collection()
	a, b := firestorestore.New(c, coll), firestorestore.New(c, coll)
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

// testDocument checks the stored document against the contract in doc.go:
// field names and types (expires a timestamp, for the TTL policy; absent
// when the record never expires) and the escaped document ids.
func testDocument(t *testing.T, host string) {
	c, _ := client(t, host)
	coll := collection()
	s := firestorestore.New(c, coll)
	ctx := context.Background()
	exp := time.Date(2030, 1, 2, 3, 4, 5, 6000, time.UTC)
	if err := s.Put(ctx, "a/b", handler.Record{Data: []byte{0, 1}, Expires: exp}); err != nil {
		t.Fatal(err)
	}
	snap, err := c.Collection(coll).Doc("a%2Fb").Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"version": int64(1), "data": []byte{0, 1}, "expires": exp}
	if got := snap.Data(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("document = %v, want %v", got, want)
	}
	if err := s.Put(ctx, "a/b", handler.Record{Version: 1}); err != nil { // never expires now
		t.Fatal(err)
	}
	snap, err = c.Collection(coll).Doc("a%2Fb").Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want = map[string]any{"version": int64(2), "data": []byte{}}
	if got := snap.Data(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("document = %v, want %v", got, want)
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
