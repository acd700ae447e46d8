package firestorestore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"cloud.google.com/go/firestore"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/sociogram-kit/kit/handler"
)

// The document's field names: a contract with the TTL policy terraform/ sets.
const (
	FieldVersion = "version" // integer
	FieldData    = "data"    // bytes
	FieldExpires = "expires" // timestamp: the TTL policy's field
)

// MaxRemembered bounds how many keys' last update times a Store keeps.
const MaxRemembered = 10000

// Store is a handler.Store on one Firestore collection. It is safe for
// concurrent use.
type Store struct {
	coll *firestore.CollectionRef

	mu   sync.Mutex
	seen map[string]seen // key -> the document as this Store last read or wrote it
}

// seen is a document's version and the update time Firestore gave it.
type seen struct {
	version int64
	updated time.Time
}

var _ handler.Store = (*Store)(nil)

// New returns a store on the named collection of client's database. It
// makes no network call.
func New(client *firestore.Client, collection string) *Store {
	return &Store{coll: client.Collection(collection), seen: map[string]seen{}}
}

// Get returns the record under key, or Version 0 and nil Data when there is
// none. It returns an expired record that Firestore has not deleted yet.
func (s *Store) Get(ctx context.Context, key string) (handler.Record, error) {
	doc, err := s.doc(key)
	if err != nil {
		return handler.Record{}, err
	}
	snap, err := doc.Get(ctx)
	if status.Code(err) == codes.NotFound {
		s.forget(key)
		return handler.Record{}, nil
	}
	if err != nil {
		return handler.Record{}, fmt.Errorf("firestorestore: get %q (the runtime needs roles/datastore.user): %w", key, err)
	}
	rec, err := decode(snap)
	if err != nil {
		return handler.Record{}, fmt.Errorf("firestorestore: document %s: %w", doc.Path, err)
	}
	s.remember(key, seen{rec.Version, snap.UpdateTime})
	return rec, nil
}

// Put stores rec under key if the stored version is still rec.Version (0: no
// document yet), with version rec.Version+1: a Create for version 0, else an
// Update with the update time of the document at rec.Version as its
// precondition. When the stored version differs it returns an error wrapping
// handler.ErrConflict.
func (s *Store) Put(ctx context.Context, key string, rec handler.Record) error {
	doc, err := s.doc(key)
	if err != nil {
		return err
	}
	if rec.Version < 0 {
		return fmt.Errorf("firestorestore: put %q: negative version %d", key, rec.Version)
	}
	var res *firestore.WriteResult
	if rec.Version == 0 {
		res, err = doc.Create(ctx, fields(rec))
	} else {
		var updated time.Time
		if updated, err = s.updateTime(ctx, doc, key, rec.Version); err == nil {
			res, err = doc.Update(ctx, updates(rec), firestore.LastUpdateTime(updated))
		}
	}
	switch code := status.Code(err); {
	case err == nil:
		s.remember(key, seen{rec.Version + 1, res.UpdateTime})
		return nil
	case errors.Is(err, handler.ErrConflict), code == codes.AlreadyExists,
		code == codes.FailedPrecondition, code == codes.NotFound:
		s.forget(key)
		return fmt.Errorf("firestorestore: put %q at version %d: %w", key, rec.Version, handler.ErrConflict)
	default:
		return fmt.Errorf("firestorestore: put %q (the runtime needs roles/datastore.user): %w", key, err)
	}
}

// updateTime returns the update time of key's document at version: the one
// this Store remembers, or else the stored one after reading the document.
func (s *Store) updateTime(ctx context.Context, doc *firestore.DocumentRef, key string, version int64) (time.Time, error) {
	s.mu.Lock()
	m, ok := s.seen[key]
	s.mu.Unlock()
	if ok && m.version == version {
		return m.updated, nil
	}
	snap, err := doc.Get(ctx)
	if err != nil {
		return time.Time{}, err // NotFound: a conflict
	}
	rec, err := decode(snap)
	if err != nil {
		return time.Time{}, fmt.Errorf("document %s: %w", doc.Path, err)
	}
	if rec.Version != version {
		return time.Time{}, handler.ErrConflict
	}
	return snap.UpdateTime, nil
}

func (s *Store) remember(key string, m seen) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.seen) >= MaxRemembered {
		n := 0
		for k := range s.seen { // map order: an arbitrary half
			if n++; n > MaxRemembered/2 {
				break
			}
			delete(s.seen, k)
		}
	}
	s.seen[key] = m
}

func (s *Store) forget(key string) {
	s.mu.Lock()
	delete(s.seen, key)
	s.mu.Unlock()
}

func (s *Store) doc(key string) (*firestore.DocumentRef, error) {
	if key == "" {
		return nil, errors.New("firestorestore: empty key")
	}
	return s.coll.Doc(DocID(key)), nil
}

// fields is the document that stores rec at version rec.Version+1.
func fields(rec handler.Record) map[string]any {
	f := map[string]any{FieldVersion: rec.Version + 1, FieldData: data(rec.Data)}
	if !rec.Expires.IsZero() {
		f[FieldExpires] = rec.Expires
	}
	return f
}

// updates replaces every field of the document with rec at rec.Version+1.
func updates(rec handler.Record) []firestore.Update {
	var exp any = firestore.Delete
	if !rec.Expires.IsZero() {
		exp = rec.Expires
	}
	return []firestore.Update{
		{Path: FieldVersion, Value: rec.Version + 1},
		{Path: FieldData, Value: data(rec.Data)},
		{Path: FieldExpires, Value: exp},
	}
}

// data stores nil as empty bytes rather than Firestore's null.
func data(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

func decode(snap *firestore.DocumentSnapshot) (handler.Record, error) {
	var rec handler.Record
	f := snap.Data()
	v, ok := f[FieldVersion].(int64)
	if !ok || v < 1 {
		return rec, fmt.Errorf("field %q is %v, want an integer version >= 1", FieldVersion, f[FieldVersion])
	}
	rec.Version = v
	rec.Data = []byte{}
	switch d := f[FieldData].(type) {
	case []byte:
		if d != nil {
			rec.Data = d
		}
	case nil:
	default:
		return rec, fmt.Errorf("field %q is %T, want bytes", FieldData, d)
	}
	switch e := f[FieldExpires].(type) {
	case time.Time:
		rec.Expires = e
	case nil:
	default:
		return rec, fmt.Errorf("field %q is %T, want a timestamp", FieldExpires, e)
	}
	return rec, nil
}

// DocID is the document id of key: key with every byte other than an ASCII
// letter, digit, '-' or '_' percent-encoded, and a leading "__" as "%5F_".
func DocID(key string) string {
	var b strings.Builder
	for i := 0; i < len(key); i++ {
		c := key[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' ||
			c == '_' && !(i == 0 && strings.HasPrefix(key, "__")) {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}
