package firestorestore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"

	"github.com/sociogram-kit/kit/handler"
)

// Response bodies read at most: a document holds at most 1 MiB, which is
// about 1.4 MiB of base64 in JSON; a commit's answer is a few hundred bytes.
const (
	maxDocument = 4 << 20
	maxCommit   = 64 << 10
	maxMessage  = 512 // bytes of Firestore's error message kept in an error
)

// errNotFound is a read's answer that the document does not exist.
var errNotFound = errors.New("not found")

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
	u := s.endpoint + "/v1/" + escapePath(s.database) + "/documents:batchGet"
	body, err := s.call(ctx, http.MethodPost, u, req, maxDocument, retryRead)
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
	u := s.endpoint + "/v1/" + escapePath(s.database) + "/documents:commit"
	body, err := s.call(ctx, http.MethodPost, u, req, maxCommit, retryWrite)
	var ae *apiError
	if errors.As(err, &ae) {
		switch {
		case ae.status == "ALREADY_EXISTS" && updated.IsZero(),
			ae.status == "FAILED_PRECONDITION",
			ae.status == "NOT_FOUND" && !updated.IsZero():
			return time.Time{}, fmt.Errorf("%w (%v)", handler.ErrConflict, err)
		}
	}
	if err != nil {
		return time.Time{}, err
	}
	return decodeCommit(body)
}

// retryRead and retryWrite say which failures a call retries: those of
// Google's own Firestore client (reads: unavailable, internal, deadline,
// overloaded; commits: unavailable, overloaded). A commit retried after
// the first attempt committed fails its precondition: a conflict, which the
// turn engine resolves by reading its own write (see the package doc).
func retryRead(status string) bool {
	switch status {
	case "UNAVAILABLE", "INTERNAL", "DEADLINE_EXCEEDED", "RESOURCE_EXHAUSTED":
		return true
	}
	return false
}

func retryWrite(status string) bool { return status == "UNAVAILABLE" || status == "RESOURCE_EXHAUSTED" }

// call makes one API call, retrying on the wire's failures and the statuses
// retry accepts, and returns the body of its 2xx answer (at most limit
// bytes) or an error: an *apiError for Firestore's answer, else the
// transport's or the context's error.
func (s *Store) call(ctx context.Context, method, u string, body []byte, limit int64, retry func(string) bool) ([]byte, error) {
	backoff := s.backoff
	for attempt := 1; ; attempt++ {
		b, token, err := s.once(ctx, method, u, body, limit)
		var ae *apiError
		switch {
		case err == nil:
			return b, nil
		case errors.As(err, &ae) && !retry(ae.status), errors.Is(err, errAuth), errors.Is(err, errTooLarge):
			return nil, redact(err, token)
		case ctx.Err() != nil:
			return nil, fmt.Errorf("%w (last attempt: %v)", context.Cause(ctx), redact(err, token))
		}
		// Not answered (the wire failed) or a retryable status.
		if attempt >= s.attempts {
			return nil, fmt.Errorf("after %d attempts: %w", attempt, redact(err, token))
		}
		d := backoff/2 + rand.N(backoff/2+1) // jitter: [backoff/2, backoff]
		backoff *= 2
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("%w (last attempt: %v)", context.Cause(ctx), redact(err, token))
		case <-t.C:
		}
	}
}

var (
	errAuth     = errors.New("no credentials")
	errTooLarge = errors.New("answer too large")
)

// once makes one attempt; token is the access token it sent ("" for none),
// for redact.
func (s *Store) once(ctx context.Context, method, u string, body []byte, limit int64) (b []byte, token string, err error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, "", err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if s.emulator {
		req.Header.Set("Authorization", "Bearer owner") // the emulator's admin: no security rules
	} else {
		typ, tok, err := s.auth.token(ctx)
		if err != nil {
			return nil, "", err
		}
		req.Header.Set("Authorization", typ+" "+tok)
		token = tok
	}
	resp, err := s.hc.Do(req)
	if err != nil {
		return nil, token, err
	}
	defer resp.Body.Close()
	b, err = io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, token, fmt.Errorf("%s: reading the answer: %w", resp.Status, err)
	}
	if int64(len(b)) > limit {
		return nil, token, fmt.Errorf("%s: %w: more than %d bytes", resp.Status, errTooLarge, limit)
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return b, token, nil
	}
	return nil, token, newAPIError(resp, b)
}

// apiError is a non-2xx answer.
type apiError struct {
	code          int    // HTTP status
	httpStatus    string // "403 Forbidden"
	status        string // Firestore's status name, or one implied by the HTTP status
	message       string // Firestore's message, bounded
	fromFirestore bool   // the body was Google's JSON error
	location      string // a redirect's target
}

func newAPIError(resp *http.Response, body []byte) *apiError {
	e := &apiError{code: resp.StatusCode, httpStatus: resp.Status}
	var g struct {
		Error *struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
			Status  string `json:"status"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &g) == nil && g.Error != nil && validStatus(g.Error.Status) {
		e.status, e.message, e.fromFirestore = g.Error.Status, g.Error.Message, true
	} else {
		e.status = impliedStatus[resp.StatusCode]
	}
	if len(e.message) > maxMessage {
		e.message = strings.ToValidUTF8(e.message[:maxMessage], "") + "..."
	}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		e.location = resp.Header.Get("Location")
	}
	return e
}

// impliedStatus names the status of an answer without Google's JSON error
// (a proxy's page): only those a call retries or takes as a conflict.
var impliedStatus = map[int]string{
	http.StatusUnauthorized:        "UNAUTHENTICATED",
	http.StatusForbidden:           "PERMISSION_DENIED",
	http.StatusPreconditionFailed:  "FAILED_PRECONDITION",
	http.StatusTooManyRequests:     "RESOURCE_EXHAUSTED",
	http.StatusInternalServerError: "INTERNAL",
	http.StatusBadGateway:          "UNAVAILABLE",
	http.StatusServiceUnavailable:  "UNAVAILABLE",
	http.StatusGatewayTimeout:      "DEADLINE_EXCEEDED",
}

// validStatus: a status name is upper-case letters and underscores.
func validStatus(s string) bool {
	if s == "" || len(s) > 40 {
		return false
	}
	for _, c := range s {
		if (c < 'A' || c > 'Z') && c != '_' {
			return false
		}
	}
	return true
}

func (e *apiError) Error() string {
	var b strings.Builder
	b.WriteString(e.httpStatus)
	if e.status != "" {
		b.WriteString(": " + e.status)
	}
	switch {
	case e.message != "":
		b.WriteString(": " + e.message)
	case e.location != "":
		fmt.Fprintf(&b, ": a redirect to %q, not followed", e.location)
	case !e.fromFirestore:
		b.WriteString(" (not Firestore's JSON error: is the endpoint right?)")
	}
	switch e.status {
	case "PERMISSION_DENIED":
		b.WriteString(" (the runtime's service account needs roles/datastore.user on the database)")
	case "UNAUTHENTICATED":
		b.WriteString(" (Firestore refused the credentials)")
	}
	return b.String()
}

// redact removes the access token from err's text, should an answer have
// echoed it.
func redact(err error, token string) error {
	if err == nil || token == "" || !strings.Contains(err.Error(), token) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), token, "[token]"))
}

// auth holds the credentials and the current access token.
type auth struct {
	mu   sync.Mutex
	ts   oauth2.TokenSource // nil until found: Application Default Credentials
	tok  *oauth2.Token      // the last token fetched
	err  error              // the last fetch's error
	done chan struct{}      // closed when the running fetch ends; nil when none runs
}

// token returns the type and value of a valid access token: the current one,
// or one fetched (finding the credentials first, once). Waiting for a fetch
// honours ctx; the fetch itself goes on, and its token serves the next call.
func (a *auth) token(ctx context.Context) (typ, tok string, err error) {
	a.mu.Lock()
	if a.tok.Valid() {
		defer a.mu.Unlock()
		return a.tok.Type(), a.tok.AccessToken, nil
	}
	if a.done == nil {
		a.done = make(chan struct{})
		go a.fetch(a.done)
	}
	done := a.done
	a.mu.Unlock()
	select {
	case <-done:
	case <-ctx.Done():
		return "", "", fmt.Errorf("waiting for a Google access token: %w", context.Cause(ctx))
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.err != nil {
		return "", "", a.err
	}
	return a.tok.Type(), a.tok.AccessToken, nil
}

func (a *auth) fetch(done chan struct{}) {
	a.mu.Lock()
	ts := a.ts
	a.mu.Unlock()
	var err error
	if ts == nil {
		var creds *google.Credentials
		if creds, err = google.FindDefaultCredentials(context.Background(), Scope); err == nil {
			ts = oauth2.ReuseTokenSource(nil, creds.TokenSource)
		} else {
			err = fmt.Errorf("%w: no Google credentials found (%v): on Cloud Functions the runtime's service account "+
				"provides them; elsewhere set GOOGLE_APPLICATION_CREDENTIALS or run `gcloud auth application-default login`, "+
				"or set %s for the emulator", errAuth, err, EnvEmulatorHost)
		}
	}
	var tok *oauth2.Token
	if err == nil {
		if tok, err = ts.Token(); err != nil {
			err = fmt.Errorf("%w: getting a Google access token: %v", errAuth, err)
		} else if tok == nil || tok.AccessToken == "" {
			tok, err = nil, fmt.Errorf("%w: the credentials gave an empty access token", errAuth)
		}
	}
	a.mu.Lock()
	if ts != nil {
		a.ts = ts
	}
	if tok != nil {
		a.tok = tok
	}
	a.err, a.done = err, nil
	a.mu.Unlock()
	close(done)
}

func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

func newTransport() *http.Transport {
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          64,
		MaxIdleConnsPerHost:   64,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
	}
}

// escapePath percent-encodes each segment of a slash-separated path: every
// byte but RFC 3986's unreserved ones and sub-delimiters ("(default)" stays
// as it is; a document id's "%" becomes "%25").
func escapePath(p string) string {
	const keep = "-._~!$&'()*+,;=:@/"
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(keep, c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}
