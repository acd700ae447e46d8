package firestorestore

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/internal/googleapi"
	"github.com/sociogram-kit/kit/internal/outbound"
)

// The document's field names: a contract with the TTL policy terraform/ sets.
const (
	FieldVersion = "version" // integer
	FieldData    = "data"    // bytes
	FieldExpires = "expires" // timestamp: the TTL policy's field
)

// MaxRemembered bounds how many keys' last update times a Store keeps.
const MaxRemembered = 10000

// EnvEmulatorHost is the variable Google's tools set to the host:port of a
// Firestore emulator. New does not read it: the caller passes its value to
// WithEmulator (the Cloud Functions adapter does).
const EnvEmulatorHost = "FIRESTORE_EMULATOR_HOST"

// DefaultEndpoint is the Firestore API's base URL.
const DefaultEndpoint = "https://firestore.googleapis.com"

// Scope is the OAuth scope the default credentials are asked for.
const Scope = "https://www.googleapis.com/auth/datastore"

// Store is a handler.Store on one Firestore collection. It is safe for
// concurrent use.
type Store struct {
	database string // projects/P/databases/D
	coll     string // the collection id
	api      googleapi.Client
	source   oauth2.TokenSource // WithTokenSource's, else nil
	emulator bool               // plain http, "Bearer owner", no credentials

	mu   sync.Mutex
	seen map[string]seen // key -> the document as this Store last read or wrote it
}

// seen is a document's version and the update time Firestore gave it.
type seen struct {
	version int64
	updated time.Time
}

var _ handler.Store = (*Store)(nil)

// Option configures a Store.
type Option func(*Store) error

// WithEmulator sends every call to the Firestore emulator at host (host:port,
// the value of FIRESTORE_EMULATOR_HOST) over plain http, with the
// emulator's admin credential ("Bearer owner") and no Google credentials.
func WithEmulator(host string) Option { return withBase(googleapi.Emulator, host, true) }

// WithEndpoint sends the calls to another base URL of the Firestore API
// than DefaultEndpoint (a regional or private endpoint), with the same
// credentials: https://, or plain http:// only to a loopback host.
func WithEndpoint(endpoint string) Option { return withBase(googleapi.Endpoint, endpoint, false) }

// withBase sends the calls to the base URL check makes of v.
func withBase(check func(v, envEmulatorHost string) (string, error), v string, emulator bool) Option {
	return func(s *Store) error {
		base, err := check(v, EnvEmulatorHost)
		if err != nil {
			return fmt.Errorf("firestorestore: %w", err)
		}
		s.api.Base, s.emulator = base, emulator
		return nil
	}
}

// WithTokenSource authenticates the calls with ts instead of Google's
// Application Default Credentials.
func WithTokenSource(ts oauth2.TokenSource) Option {
	return func(s *Store) error {
		if ts == nil {
			return errors.New("firestorestore: WithTokenSource(nil)")
		}
		s.source = ts
		return nil
	}
}

// WithHTTPClient makes the calls through hc (a copy of it that follows no
// redirects) instead of the Store's own client.
func WithHTTPClient(hc *http.Client) Option {
	return func(s *Store) error {
		if hc == nil {
			return errors.New("firestorestore: WithHTTPClient(nil)")
		}
		s.api.HTTP = outbound.NoRedirects(hc)
		return nil
	}
}

// WithRetry sets how many attempts a call makes in all when Firestore is
// unavailable or overloaded (default 6) and the first backoff (default
// 100 ms, doubling, with jitter).
func WithRetry(attempts int, backoff time.Duration) Option {
	return func(s *Store) error {
		s.api.Attempts, s.api.Backoff = max(attempts, 1), max(backoff, 0)
		return nil
	}
}

// New returns a store on the collection of the Firestore database (the id,
// "(default)" when empty) of project. It makes no network call and reads
// no file: credentials are found on the first call (Application Default
// Credentials: the runtime's service account on Cloud Functions), and an
// error then says what is missing.
func New(project, database, collection string, opts ...Option) (*Store, error) {
	if database == "" {
		database = "(default)"
	}
	for _, f := range []struct{ name, v string }{{"project", project}, {"database", database}, {"collection", collection}} {
		if f.v == "" || strings.ContainsAny(f.v, "/?#%") || f.v == "." || f.v == ".." || strings.TrimSpace(f.v) != f.v {
			return nil, fmt.Errorf("firestorestore: %s %q: want a non-empty id without / ? # %% or surrounding spaces", f.name, f.v)
		}
	}
	s := &Store{
		database: "projects/" + project + "/databases/" + database,
		coll:     collection,
		api: googleapi.Client{
			Base:     DefaultEndpoint,
			HTTP:     outbound.NoRedirects(&http.Client{Transport: outbound.NewTransport(64, 30*time.Second)}),
			Attempts: 6,
			Backoff:  100 * time.Millisecond,
			API:      "Firestore",
			Hints:    hints,
		},
		seen: map[string]seen{},
	}
	for _, o := range opts {
		if err := o(s); err != nil {
			return nil, err
		}
	}
	if s.emulator {
		s.api.Authorization = "Bearer owner" // the emulator's admin: no security rules
	} else {
		s.api.Auth = &googleapi.Credentials{Scope: Scope, Source: s.source, Err: errAuth, EnvEmulatorHost: EnvEmulatorHost}
	}
	return s, nil
}

// Get returns the record under key, or Version 0 and nil Data when there is
// none. It returns an expired record that Firestore has not deleted yet.
func (s *Store) Get(ctx context.Context, key string) (handler.Record, error) {
	if key == "" {
		return handler.Record{}, errors.New("firestorestore: empty key")
	}
	rec, updated, err := s.get(ctx, key)
	switch {
	case errors.Is(err, errNotFound):
		s.forget(key)
		return handler.Record{}, nil
	case err != nil:
		return handler.Record{}, fmt.Errorf("firestorestore: get %q: %w", key, err)
	}
	s.remember(key, seen{rec.Version, updated})
	return rec, nil
}

// Put stores rec under key if the stored version is still rec.Version (0: no
// document yet), with version rec.Version+1: a write with the precondition
// "does not exist" for version 0, else one with the update time of the
// document at rec.Version. When the stored version differs it returns an
// error wrapping handler.ErrConflict.
func (s *Store) Put(ctx context.Context, key string, rec handler.Record) error {
	if key == "" {
		return errors.New("firestorestore: empty key")
	}
	if rec.Version < 0 {
		return fmt.Errorf("firestorestore: put %q: negative version %d", key, rec.Version)
	}
	var (
		updated time.Time
		err     error
	)
	if rec.Version == 0 {
		updated, err = s.commit(ctx, key, rec, time.Time{})
	} else if updated, err = s.updateTime(ctx, key, rec.Version); err == nil {
		updated, err = s.commit(ctx, key, rec, updated)
	}
	switch {
	case err == nil:
		s.remember(key, seen{rec.Version + 1, updated})
		return nil
	case errors.Is(err, handler.ErrConflict):
		s.forget(key)
		return fmt.Errorf("firestorestore: put %q at version %d: %w", key, rec.Version, handler.ErrConflict)
	default:
		return fmt.Errorf("firestorestore: put %q: %w", key, err)
	}
}

// updateTime returns the update time of key's document at version: the one
// this Store remembers, or else the stored one after reading the document.
func (s *Store) updateTime(ctx context.Context, key string, version int64) (time.Time, error) {
	s.mu.Lock()
	m, ok := s.seen[key]
	s.mu.Unlock()
	if ok && m.version == version {
		return m.updated, nil
	}
	rec, updated, err := s.get(ctx, key)
	switch {
	case errors.Is(err, errNotFound):
		return time.Time{}, handler.ErrConflict
	case err != nil:
		return time.Time{}, err
	case rec.Version != version:
		return time.Time{}, handler.ErrConflict
	}
	return updated, nil
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
