package storetest

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sociogram-kit/kit/handler"
)

// RunStore runs the Store part of the suite: Get and Put called directly.
func RunStore(t *testing.T, newStore func(t *testing.T) handler.Store) {
	t.Helper()
	tests := []struct {
		name string
		f    func(t *testing.T, s handler.Store, p string)
	}{
		{"GetMissing", testGetMissing},
		{"CreateThenUpdate", testCreateThenUpdate},
		{"StaleVersionConflicts", testStaleVersion},
		{"CreateRace", testCreateRace},
		{"ConcurrentIncrements", testConcurrentIncrements},
		{"DataRoundTrip", testDataRoundTrip},
		{"DataIsCopied", testDataIsCopied},
		{"Expires", testExpires},
		{"ExpiredRecordStillAnswered", testExpiredAnswered},
		{"Keys", testKeys},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.f(t, newStore(t), prefix()) })
	}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func mustGet(t *testing.T, s handler.Store, key string) handler.Record {
	t.Helper()
	rec, err := s.Get(ctx(t), key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	return rec
}

func mustPut(t *testing.T, s handler.Store, key string, rec handler.Record) {
	t.Helper()
	if err := s.Put(ctx(t), key, rec); err != nil {
		t.Fatalf("Put(%q, version %d): %v", key, rec.Version, err)
	}
}

func testGetMissing(t *testing.T, s handler.Store, p string) {
	rec := mustGet(t, s, p+"missing")
	if rec.Version != 0 || len(rec.Data) != 0 || !rec.Expires.IsZero() {
		t.Errorf("Get of a missing key = %+v, want the zero Record", rec)
	}
}

func testCreateThenUpdate(t *testing.T, s handler.Store, p string) {
	key := p + "k"
	mustPut(t, s, key, handler.Record{Version: 0, Data: []byte("one")})
	rec := mustGet(t, s, key)
	if rec.Version != 1 || string(rec.Data) != "one" {
		t.Fatalf("after create: %d %q, want version 1 %q", rec.Version, rec.Data, "one")
	}
	mustPut(t, s, key, handler.Record{Version: 1, Data: []byte("two")})
	rec = mustGet(t, s, key)
	if rec.Version != 2 || string(rec.Data) != "two" {
		t.Fatalf("after update: %d %q, want version 2 %q", rec.Version, rec.Data, "two")
	}
}

func testStaleVersion(t *testing.T, s handler.Store, p string) {
	key := p + "k"
	exp := time.Now().Add(time.Hour).Truncate(time.Second)
	mustPut(t, s, key, handler.Record{Data: []byte("v1"), Expires: exp})
	mustPut(t, s, key, handler.Record{Version: 1, Data: []byte("v2"), Expires: exp})
	for _, v := range []int64{0, 1, 3, 100} {
		err := s.Put(ctx(t), key, handler.Record{Version: v, Data: []byte("lost"), Expires: exp.Add(time.Hour)})
		if !errors.Is(err, handler.ErrConflict) {
			t.Errorf("Put at version %d over stored version 2: %v, want an error wrapping handler.ErrConflict", v, err)
		}
	}
	rec := mustGet(t, s, key)
	if rec.Version != 2 || string(rec.Data) != "v2" || !sameSecond(rec.Expires, exp) {
		t.Errorf("after refused Puts: %d %q %v, want 2 %q %v (nothing changed)", rec.Version, rec.Data, rec.Expires, "v2", exp)
	}
	// A version given for a key that has no record is refused too.
	if err := s.Put(ctx(t), p+"absent", handler.Record{Version: 1, Data: []byte("x")}); !errors.Is(err, handler.ErrConflict) {
		t.Errorf("Put at version 1 of a missing key: %v, want ErrConflict", err)
	}
	if rec := mustGet(t, s, p+"absent"); rec.Version != 0 {
		t.Errorf("a refused Put created a record: %+v", rec)
	}
}

func testCreateRace(t *testing.T, s handler.Store, p string) {
	const n = 8
	key := p + "race"
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = s.Put(ctx(t), key, handler.Record{Data: []byte(strconv.Itoa(i))})
		})
	}
	close(start)
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Fatalf("two creates of %q won: %d and %d", key, winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, handler.ErrConflict):
			t.Errorf("losing create %d: %v, want ErrConflict", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("no create won")
	}
	rec := mustGet(t, s, key)
	if rec.Version != 1 || string(rec.Data) != strconv.Itoa(winner) {
		t.Errorf("stored %d %q, want version 1 and the winner's data %q", rec.Version, rec.Data, strconv.Itoa(winner))
	}
}

func testConcurrentIncrements(t *testing.T, s handler.Store, p string) {
	const n = 20
	key := p + "counter"
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() { errs <- increment(ctx(t), s, key) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	rec := mustGet(t, s, key)
	if string(rec.Data) != strconv.Itoa(n) || rec.Version != n {
		t.Errorf("after %d concurrent increments: data %q version %d, want %d and %d (a lost update?)", n, rec.Data, rec.Version, n, n)
	}
}

// increment adds one to the decimal counter under key, retrying conflicts.
func increment(ctx context.Context, s handler.Store, key string) error {
	for {
		rec, err := s.Get(ctx, key)
		if err != nil {
			return err
		}
		n, _ := strconv.Atoi(string(rec.Data))
		rec.Data = []byte(strconv.Itoa(n + 1))
		err = s.Put(ctx, key, rec)
		if !errors.Is(err, handler.ErrConflict) {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

func testDataRoundTrip(t *testing.T, s handler.Store, p string) {
	binary := make([]byte, 512)
	for i := range binary {
		binary[i] = byte(i)
	}
	large := bytes.Repeat([]byte(`{"s":{"todo":{"Items":["milk","bread"]}},"o":[]}`+"\x00\xff"), 100<<10/52)
	tests := []struct {
		name string
		data []byte
	}{
		{"json", []byte(`{"s":{"counter":{"N":1}}}`)},
		{"binary", binary},
		{"utf8", []byte("ünïcödé ☃ 日本語")},
		{"empty", []byte{}},
		{"large", large},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			key := p + tc.name
			mustPut(t, s, key, handler.Record{Data: tc.data})
			if got := mustGet(t, s, key).Data; !bytes.Equal(got, tc.data) {
				t.Errorf("Data of %d bytes came back as %d bytes, not the same", len(tc.data), len(got))
			}
			// and again after an update
			mustPut(t, s, key, handler.Record{Version: 1, Data: tc.data})
			if got := mustGet(t, s, key); !bytes.Equal(got.Data, tc.data) || got.Version != 2 {
				t.Errorf("after update: version %d, %d bytes; want 2, %d bytes", got.Version, len(got.Data), len(tc.data))
			}
		})
	}
}

func testDataIsCopied(t *testing.T, s handler.Store, p string) {
	key := p + "k"
	data := []byte("original")
	mustPut(t, s, key, handler.Record{Data: data})
	copy(data, "CHANGED!")
	got := mustGet(t, s, key)
	if string(got.Data) != "original" {
		t.Fatalf("changing the bytes given to Put changed the record: %q", got.Data)
	}
	copy(got.Data, "CHANGED!")
	if again := mustGet(t, s, key); string(again.Data) != "original" {
		t.Errorf("changing the bytes Get returned changed the record: %q", again.Data)
	}
}

func testExpires(t *testing.T, s handler.Store, p string) {
	tests := []struct {
		name string
		exp  time.Time
	}{
		{"never", time.Time{}},
		{"in30days", time.Now().Add(30 * 24 * time.Hour)},
		{"otherZone", time.Date(2031, 5, 6, 7, 8, 9, 123456789, time.FixedZone("X", 5*3600+1800))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			key := p + tc.name
			mustPut(t, s, key, handler.Record{Data: []byte("x"), Expires: tc.exp})
			got := mustGet(t, s, key).Expires
			if tc.exp.IsZero() {
				if !got.IsZero() {
					t.Errorf("zero Expires (never) came back as %v", got)
				}
				return
			}
			if !sameSecond(got, tc.exp) {
				t.Errorf("Expires %v came back as %v, want the same instant to the second", tc.exp, got)
			}
			// Clearing the expiry is an update like any other.
			mustPut(t, s, key, handler.Record{Version: 1, Data: []byte("x")})
			if got := mustGet(t, s, key).Expires; !got.IsZero() {
				t.Errorf("Expires set to zero (never) came back as %v", got)
			}
		})
	}
}

// sameSecond reports whether a and b are the same instant give or take
// less than a second (a store may keep whole seconds only).
func sameSecond(a, b time.Time) bool {
	if a.IsZero() || b.IsZero() {
		return a.IsZero() == b.IsZero()
	}
	return a.Sub(b).Abs() < time.Second
}

func testExpiredAnswered(t *testing.T, s handler.Store, p string) {
	key := p + "expired"
	past := time.Now().Add(-time.Hour)
	mustPut(t, s, key, handler.Record{Data: []byte("old"), Expires: past})
	rec := mustGet(t, s, key)
	if rec.Version != 1 || string(rec.Data) != "old" || !sameSecond(rec.Expires, past) {
		t.Fatalf("expired record = %d %q %v; want it answered as stored (version 1, %q, %v): the turn checks expiry, and Get and Put must agree on the version",
			rec.Version, rec.Data, rec.Expires, "old", past)
	}
	mustPut(t, s, key, handler.Record{Version: 1, Data: []byte("new"), Expires: time.Now().Add(time.Hour)})
}

func testKeys(t *testing.T, s handler.Store, p string) {
	keys := []string{
		"12345",               // a uid, as the turn uses
		"9223372036854775807", // the largest uid
		"-1",
		"a/b", "a", "b", "/", "a//b",
		"ünïcödé ☃ 日本語",
		"with space", "tab\there", "a#b?c&d=e%20f", "a.b", "..", ".", "__reserved__",
		`quote"and\backslash`,
		strings.Repeat("k", 200),
	}
	for i, k := range keys {
		mustPut(t, s, p+k, handler.Record{Data: []byte(strconv.Itoa(i))})
	}
	for i, k := range keys {
		rec := mustGet(t, s, p+k)
		if rec.Version != 1 || string(rec.Data) != strconv.Itoa(i) {
			t.Errorf("key %q: version %d data %q, want 1 %q (keys not kept apart?)", k, rec.Version, rec.Data, strconv.Itoa(i))
		}
	}
	// The keys exactly: a prefix or a case change is another key.
	for _, k := range []string{"1234", "A", "ÜNÏCÖDÉ ☃ 日本語"} {
		if rec := mustGet(t, s, p+k); rec.Version != 0 {
			t.Errorf("key %q, never written, has version %d", k, rec.Version)
		}
	}
}
