package googleapi

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"
)

// Credentials gives a Client's calls their access tokens: Source's, or
// those of Google's Application Default Credentials for Scope
// (GOOGLE_APPLICATION_CREDENTIALS, gcloud's file, or the metadata server:
// the runtime's service account on Cloud Functions), found at the first
// call, not before. A token is reused until it is about to expire. A
// failure is not kept: the next call tries again (a metadata server or a
// role may come back). Set the exported fields, then share it by pointer.
type Credentials struct {
	Scope  string             // the OAuth scope asked of Application Default Credentials
	Source oauth2.TokenSource // if set, used instead of Application Default Credentials
	// Err is the caller's sentinel, which every failure to get a token
	// wraps (errors.Is) and starts with.
	Err error
	// EnvEmulatorHost names the emulator's variable in the error saying no
	// credentials were found.
	EnvEmulatorHost string

	mu   sync.Mutex
	ts   oauth2.TokenSource // nil until found
	tok  *oauth2.Token      // the last token fetched
	err  error              // the last fetch's error
	done chan struct{}      // closed when the running fetch ends; nil when none runs
}

// credentialsError is a failure to get a token: a call is not retried.
type credentialsError struct{ err error }

func (e *credentialsError) Error() string { return e.err.Error() }
func (e *credentialsError) Unwrap() error { return e.err }

// authorization returns the Authorization header of a valid access token
// and the token itself: the current one, or one fetched (finding the
// credentials first). Waiting for a fetch honours ctx; the fetch itself
// goes on, and its token serves the next call.
func (a *Credentials) authorization(ctx context.Context) (header, token string, err error) {
	a.mu.Lock()
	if a.tok.Valid() {
		defer a.mu.Unlock()
		return a.tok.Type() + " " + a.tok.AccessToken, a.tok.AccessToken, nil
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
	return a.tok.Type() + " " + a.tok.AccessToken, a.tok.AccessToken, nil
}

// current is the last token fetched, "" for none.
func (a *Credentials) current() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.tok == nil {
		return ""
	}
	return a.tok.AccessToken
}

func (a *Credentials) fetch(done chan struct{}) {
	sentinel := a.Err
	if sentinel == nil {
		sentinel = errors.New("no Google credentials")
	}
	a.mu.Lock()
	ts := a.ts
	a.mu.Unlock()
	var err error
	switch {
	case ts != nil:
	case a.Source != nil:
		ts = oauth2.ReuseTokenSource(nil, a.Source)
	default:
		// Background: the source keeps this context for later refreshes.
		var creds *google.Credentials
		if creds, err = google.FindDefaultCredentials(context.Background(), a.Scope); err == nil {
			ts = oauth2.ReuseTokenSource(nil, creds.TokenSource)
		} else {
			err = fmt.Errorf("%w: no Google credentials found (%w): on Cloud Functions the runtime's service account "+
				"provides them; elsewhere set GOOGLE_APPLICATION_CREDENTIALS or run `gcloud auth application-default login`, "+
				"or set %s for the emulator", sentinel, err, a.EnvEmulatorHost)
		}
	}
	var tok *oauth2.Token
	if err == nil {
		if tok, err = ts.Token(); err != nil {
			tok, err = nil, fmt.Errorf("%w: getting a Google access token: %w", sentinel, err)
		} else if tok == nil || tok.AccessToken == "" {
			tok, err = nil, fmt.Errorf("%w: the credentials gave an empty access token", sentinel)
		}
	}
	if err != nil {
		err = &credentialsError{err}
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
