package handler_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/store/memstore"
)

// TestDecodeRecordStates reads what real turns stored: the states by name,
// pending replies, expiry at the given time, and a corrupt record's error.
func TestDecodeRecordStates(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	b := newStatefulBot(t, memstore.New(), handler.WithClock(func() time.Time { return now }), handler.WithStateTTL(time.Hour))
	b.send(t, 1, "add")
	b.send(t, 1, "add")
	b.out.fail = []error{&apiError{status: 503}} // the reply fails: it stays pending
	b.send(t, 2, "two")
	if got := handler.StoreKey(42); got != "42" {
		t.Errorf("StoreKey(42) = %q, want 42", got)
	}

	for _, tc := range []struct {
		name    string
		uid     int64
		at      time.Time
		states  string
		pending int
		expired bool
	}{
		{"two turns", 1, now, `{"handler_test.tally":{"N":2}}`, 0, false},
		{"replies pending", 2, now, `{"handler_test.tally":{"N":1}}`, 2, false},
		{"no record", 3, now, `{}`, 0, false},
		{"expired", 1, now.Add(time.Hour), `{}`, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := b.store.Get(context.Background(), handler.StoreKey(tc.uid))
			if err != nil {
				t.Fatal(err)
			}
			got, err := handler.DecodeRecordStates(rec, tc.at)
			if err != nil {
				t.Fatal(err)
			}
			states, _ := json.Marshal(got.States)
			if string(states) != tc.states || got.Pending != tc.pending || got.Expired != tc.expired {
				t.Errorf("got states %s, %d pending, expired %v; want %s, %d, %v", states, got.Pending, got.Expired, tc.states, tc.pending, tc.expired)
			}
		})
	}

	for _, data := range []string{`[1]`, `{"s":{"a":null}}`, `not json`} {
		_, err := handler.DecodeRecordStates(handler.Record{Version: 4, Data: []byte(data)}, now)
		if err == nil || !strings.Contains(err.Error(), "version 4") || errors.Is(err, handler.ErrConflict) {
			t.Errorf("DecodeRecordStates(%s) = %v, want an error naming the version", data, err)
		}
	}
}
