package firestorestore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/internal/googleapi"
)

// Response bodies read at most: a document holds at most 1 MiB, which is
// about 1.4 MiB of base64 in JSON; a commit's answer is a few hundred bytes.
const (
	maxDocument = 4 << 20
	maxCommit   = 64 << 10
)

// errNotFound is a read's answer that the document does not exist.
var errNotFound = errors.New("not found")

// errAuth starts the error of a call for which no access token could be had.
var errAuth = errors.New("no credentials")

// get reads key's document (documents:batchGet of one document, as
// Google's client read it: the name travels in the body, and a missing
// document is an answer, not an error) and returns its record and update
// time, or errNotFound.
func (s *Store) get(ctx context.Context, key string) (handler.Record, time.Time, error) {
	name := s.docName(key)
	req, err := json.Marshal(struct {
		Documents []string `json:"documents"`
	}{[]string{name}})
	if err != nil {
		return handler.Record{}, time.Time{}, err
	}
	u := "/v1/" + s.database + "/documents:batchGet"
	body, err := s.api.Call(ctx, http.MethodPost, u, req, maxDocument, retryRead)
	if err != nil {
		return handler.Record{}, time.Time{}, err
	}
	rec, updated, err := decodeBatchGet(body, name)
	if err != nil && !errors.Is(err, errNotFound) {
		return handler.Record{}, time.Time{}, fmt.Errorf("the document %s/%s: %w", s.coll, DocID(key), err)
	}
	return rec, updated, err
}

// docName is the resource name of key's document.
func (s *Store) docName(key string) string {
	return s.database + "/documents/" + s.coll + "/" + DocID(key)
}

// commit writes rec at version rec.Version+1 under key (documents:commit,
// one write): created, when updated is zero, with the precondition that no
// document exists; else replacing the three fields with the precondition
// that the document's update time is still updated. A failed precondition
// is handler.ErrConflict. It returns the document's new update time.
func (s *Store) commit(ctx context.Context, key string, rec handler.Record, updated time.Time) (time.Time, error) {
	req, err := commitRequest(s.docName(key), rec, updated)
	if err != nil {
		return time.Time{}, err
	}
	u := "/v1/" + s.database + "/documents:commit"
	body, err := s.api.Call(ctx, http.MethodPost, u, req, maxCommit, retryWrite)
	var ae *googleapi.Error
	if errors.As(err, &ae) {
		switch {
		case ae.Status == "ALREADY_EXISTS" && updated.IsZero(),
			ae.Status == "FAILED_PRECONDITION",
			ae.Status == "NOT_FOUND" && !updated.IsZero():
			return time.Time{}, fmt.Errorf("%w (%v)", handler.ErrConflict, err)
		}
	}
	if err != nil {
		return time.Time{}, err
	}
	return decodeCommit(body)
}

// retryRead and retryWrite say which failures a call retries (besides the
// wire's): those of Google's own Firestore client (reads: unavailable,
// internal, deadline, overloaded; commits: unavailable, overloaded). A
// commit retried after the first attempt committed fails its precondition:
// a conflict, which the turn engine resolves by reading its own write (see
// the package doc).
func retryRead(e *googleapi.Error) bool {
	switch e.Status {
	case "UNAVAILABLE", "INTERNAL", "DEADLINE_EXCEEDED", "RESOURCE_EXHAUSTED":
		return true
	}
	return false
}

func retryWrite(e *googleapi.Error) bool {
	return e.Status == "UNAVAILABLE" || e.Status == "RESOURCE_EXHAUSTED"
}

// hints are what to fix, per Firestore's status, in an error's text.
var hints = map[string]string{
	"PERMISSION_DENIED": "the runtime's service account needs roles/datastore.user on the database",
	"UNAUTHENTICATED":   "Firestore refused the credentials",
}
