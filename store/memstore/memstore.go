// Package memstore is a handler.Store in memory, for tests: safe for
// concurrent use, copying Data in and out so neither side can change the
// other's bytes. It never deletes a record, expired or not (the turn checks
// expiry on read), and forgets everything when the process ends.
//
//	mux, err := handler.New(token, handler.WithStore(memstore.New()), ...)
package memstore

import (
	"context"
	"fmt"
	"sync"

	"github.com/sociogram-kit/kit/handler"
)

// Store is an in-memory handler.Store. The zero value is not usable: call New.
type Store struct {
	mu      sync.Mutex
	records map[string]handler.Record
}

// New returns an empty store.
func New() *Store { return &Store{records: map[string]handler.Record{}} }

// Get returns the record under key, or Version 0 and nil Data when there is none.
func (s *Store) Get(ctx context.Context, key string) (handler.Record, error) {
	if err := ctx.Err(); err != nil {
		return handler.Record{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := s.records[key]
	rec.Data = clone(rec.Data)
	return rec, nil
}

// Put stores rec under key if the stored version is rec.Version, as Version+1.
func (s *Store) Put(ctx context.Context, key string, rec handler.Record) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur := s.records[key].Version; cur != rec.Version {
		return fmt.Errorf("memstore: put %q at version %d, stored version is %d: %w", key, rec.Version, cur, handler.ErrConflict)
	}
	rec.Version++
	rec.Data = clone(rec.Data)
	s.records[key] = rec
	return nil
}

// Len reports how many records the store holds.
func (s *Store) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.records)
}

func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte{}, b...)
}
