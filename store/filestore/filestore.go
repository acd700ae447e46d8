// Package filestore is a handler.Store in one file on disk, so a bot's
// per-user state survives a restart: the default store of the plain-HTTP
// server and `make run`.
//
//	st, err := filestore.Open("data/state.db") // creates data/ if needed
//	if err != nil { ... }                      // e.g. the file is locked by another bot
//	defer st.Close()
//	mux, err := handler.New(token, handler.WithStore(st), ...)
//
// It is built on go.etcd.io/bbolt, chosen because it is pure Go (no cgo, so
// the kit's static builds stay as they are), keeps everything in one file,
// and gives ACID transactions with one writer at a time: Put reads the stored
// version and writes the new record inside one write transaction, so the
// version check cannot race, and a committed Put is on disk (fsync) before it
// returns. It is small (no background goroutines, a few thousand lines) and
// well kept: it is the storage engine of etcd, maintained by the etcd
// project, with releases that need no newer Go than the kit's. The
// alternatives were heavier for one key-value table: SQLite needs cgo
// (mattn/go-sqlite3) or a transpiled C library (modernc.org/sqlite, tens of
// MB of source); Badger and Pebble are LSM trees with folders of files, value
// logs and background compaction goroutines.
//
// One process at a time: Open takes an exclusive lock on the file and fails,
// after LockTimeout, with an error naming the path when another process (an
// older `make run` still running?) holds it. Several turns of this process may
// use the store at once.
//
// Records are kept until their Expires has passed; Open deletes the expired
// ones (the turn ignores an expired record on read in any case).
package filestore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/sociogram-kit/kit/handler"
)

// LockTimeout is how long Open waits for another process to release the file.
const LockTimeout = time.Second

// bucket holds the records, by key.
var bucket = []byte("records")

// Store is a handler.Store in a bbolt file. It is safe for concurrent use.
type Store struct {
	db   *bolt.DB
	path string
}

// Open opens the store in the file at path, creating the file and its folder
// when missing, and deletes the records that have expired.
func Open(path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("filestore: no path given for the state file")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("filestore: creating the folder of %s: %w", path, err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: LockTimeout})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("filestore: %s is locked by another process (is another copy of the bot running?); stop it or use another file: %w", path, err)
	}
	if err != nil {
		return nil, fmt.Errorf("filestore: opening %s: %w", path, err)
	}
	s := &Store{db: db, path: path}
	if err := s.open(time.Now()); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// open creates the bucket and deletes the records expired at now.
func (s *Store) open(now time.Time) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucket)
		if err != nil {
			return err
		}
		var expired [][]byte
		err = b.ForEach(func(k, v []byte) error {
			if rec, err := decode(v); err == nil && !rec.Expires.IsZero() && rec.Expires.Before(now) {
				expired = append(expired, append([]byte{}, k...))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range expired {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("filestore: preparing %s: %w", s.path, err)
	}
	return nil
}

// Path returns the file the store is kept in.
func (s *Store) Path() string { return s.path }

// Close releases the file. The store must not be used after.
func (s *Store) Close() error { return s.db.Close() }

// Get returns the record under key, or Version 0 and nil Data when there is none.
func (s *Store) Get(ctx context.Context, key string) (handler.Record, error) {
	if err := ctx.Err(); err != nil {
		return handler.Record{}, err
	}
	var rec handler.Record
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucket).Get([]byte(key))
		if v == nil {
			return nil
		}
		var err error
		rec, err = decode(v) // copies: v is valid only inside the transaction
		return err
	})
	if err != nil {
		return handler.Record{}, fmt.Errorf("filestore: get %q from %s: %w", key, s.path, err)
	}
	return rec, nil
}

// Put stores rec under key if the stored version is rec.Version, as
// Version+1, in one write transaction.
func (s *Store) Put(ctx context.Context, key string, rec handler.Record) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucket)
		var cur int64
		if v := b.Get([]byte(key)); v != nil {
			old, err := decode(v)
			if err != nil {
				return fmt.Errorf("filestore: put %q in %s: %w", key, s.path, err)
			}
			cur = old.Version
		}
		if cur != rec.Version {
			return fmt.Errorf("filestore: put %q at version %d, stored version is %d: %w", key, rec.Version, cur, handler.ErrConflict)
		}
		rec.Version++
		if err := b.Put([]byte(key), encode(rec)); err != nil {
			return fmt.Errorf("filestore: put %q in %s: %w", key, s.path, err)
		}
		return nil
	})
}

// A record on disk: format byte, version, Expires as Unix seconds and
// nanoseconds (seconds = MinInt64 for "never"), then Data.
const (
	format1    = 1
	headerSize = 1 + 8 + 8 + 4
	never      = math.MinInt64
)

var errCorrupt = errors.New("stored record is corrupt (unknown format or too short)")

func encode(rec handler.Record) []byte {
	v := make([]byte, headerSize, headerSize+len(rec.Data))
	v[0] = format1
	binary.BigEndian.PutUint64(v[1:], uint64(rec.Version))
	sec, nsec := int64(never), 0
	if !rec.Expires.IsZero() {
		sec, nsec = rec.Expires.Unix(), rec.Expires.Nanosecond()
	}
	binary.BigEndian.PutUint64(v[9:], uint64(sec))
	binary.BigEndian.PutUint32(v[17:], uint32(nsec))
	return append(v, rec.Data...)
}

func decode(v []byte) (handler.Record, error) {
	if len(v) < headerSize || v[0] != format1 {
		return handler.Record{}, errCorrupt
	}
	rec := handler.Record{
		Version: int64(binary.BigEndian.Uint64(v[1:])),
		Data:    append([]byte{}, v[headerSize:]...),
	}
	if sec := int64(binary.BigEndian.Uint64(v[9:])); sec != never {
		rec.Expires = time.Unix(sec, int64(binary.BigEndian.Uint32(v[17:])))
	}
	return rec, nil
}
