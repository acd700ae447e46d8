package firestorestore_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/store/firestorestore"
)

// The tests in this file run the store against an httptest server standing
// in for Google's Firestore endpoint: no real Firestore (and no network)
// runs here, and the emulator never answers 401, 403, 5xx or a proxy's
// page. The answers are Google's JSON errors as the REST API sends them.

const accessToken = "ya29.test-access-token"

// fake answers batchGet with a document at version 1 (so an update finds
// it) and each commit, and any read when get is set, with the next of its
// answers (the last repeats).
type fake struct {
	t       *testing.T
	mu      sync.Mutex
	answers []answer
	get     bool // reads take the answers too
	reqs    []*http.Request
	auth    []string
}

type answer struct {
	status int
	body   string
}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.reqs = append(f.reqs, r)
	f.auth = append(f.auth, r.Header.Get("Authorization"))
	a := answer{200, `[{"found":{"name":"projects/p/databases/(default)/documents/state/1","fields":{"version":{"integerValue":"1"}},"updateTime":"2026-01-02T03:04:05.123456Z"}}]`}
	if strings.HasSuffix(r.URL.Path, ":commit") || f.get {
		a = f.answers[0]
		if len(f.answers) > 1 {
			f.answers = f.answers[1:]
		}
	}
	f.mu.Unlock()
	if r.Header.Get("Content-Type") != "application/json" || !strings.HasPrefix(string(body), "{") {
		f.t.Errorf("%s %s: Content-Type %q, body %s", r.Method, r.URL, r.Header.Get("Content-Type"), body)
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(a.status)
	io.WriteString(w, a.body)
}

func (f *fake) calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.reqs)
}

// googleError is the body of Google's JSON error.
func googleError(code int, status, message string) string {
	return `{"error":{"code":` + strconv.Itoa(code) + `,"message":` + strconv.Quote(message) + `,"status":"` + status + `"}}`
}

// googleStore returns a store on f through an httptest server, with a
// static access token and fast retries (3 attempts).
func googleStore(t *testing.T, f *fake) *firestorestore.Store {
	t.Helper()
	f.t = t
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	s, err := firestorestore.New("p", "", "state", firestorestore.WithEndpoint(srv.URL),
		firestorestore.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: accessToken, Expiry: time.Now().Add(time.Hour)})),
		firestorestore.WithRetry(3, time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestErrors: each answer of Google's maps to the store's contract: a
// refused precondition is handler.ErrConflict; anything else an error
// naming the HTTP status, Firestore's status and message and what to fix,
// never the access token; unavailable and overloaded answers are retried
// as Google's client retried them.
func TestErrors(t *testing.T) {
	const (
		get    = "get"
		create = "create" // Put at version 0
		update = "update" // Put at version 1: reads (found at 1), then commits
	)
	tests := []struct {
		name     string
		op       string
		answers  []answer
		conflict bool
		want     []string // substrings of the error
		calls    int      // requests to the fake
	}{
		{"403 permission denied", get, []answer{{403, googleError(403, "PERMISSION_DENIED", "Missing or insufficient permissions.")}}, false,
			[]string{`get "1"`, "403 Forbidden: PERMISSION_DENIED: Missing or insufficient permissions.", "roles/datastore.user"}, 1},
		{"401 unauthenticated", create, []answer{{401, googleError(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.")}}, false,
			[]string{`put "1"`, "401 Unauthorized: UNAUTHENTICATED: Request had invalid authentication credentials.", "refused the credentials"}, 1},
		{"409 already exists", create, []answer{{409, googleError(409, "ALREADY_EXISTS", "Document already exists: projects/p/databases/(default)/documents/state/1")}}, true,
			[]string{`put "1" at version 0`}, 1},
		{"409 aborted is no conflict", create, []answer{{409, googleError(409, "ABORTED", "Too much contention on these documents. Please try again.")}}, false,
			[]string{"409 Conflict: ABORTED: Too much contention"}, 1},
		{"400 failed precondition", update, []answer{{400, googleError(400, "FAILED_PRECONDITION", "the stored version does not match the required base version")}}, true,
			[]string{`put "1" at version 1`}, 2},
		{"412 without Google's body", update, []answer{{412, "<html>precondition failed</html>"}}, true, nil, 2},
		{"404 under an update: deleted since", update, []answer{{404, googleError(404, "NOT_FOUND", "No document to update")}}, true, nil, 2},
		{"404 under a create: no database", create, []answer{{404, googleError(404, "NOT_FOUND", "The database (default) does not exist for project p")}}, false,
			[]string{"404 Not Found: NOT_FOUND: The database (default) does not exist for project p"}, 1},
		{"400 invalid argument", create, []answer{{400, googleError(400, "INVALID_ARGUMENT", "Document exceeds maximum size")}}, false,
			[]string{"400 Bad Request: INVALID_ARGUMENT: Document exceeds maximum size"}, 1},
		{"503 read retried", get, []answer{{503, googleError(503, "UNAVAILABLE", "The service is currently unavailable.")}}, false,
			[]string{"after 3 attempts", "503 Service Unavailable: UNAVAILABLE: The service is currently unavailable."}, 3},
		{"500 read retried", get, []answer{{500, googleError(500, "INTERNAL", "internal error")}, {200, `[{"missing":"projects/p/databases/(default)/documents/state/1"}]`}}, false, nil, 2},
		{"500 commit not retried", create, []answer{{500, googleError(500, "INTERNAL", "internal error")}}, false, []string{"500 Internal Server Error: INTERNAL"}, 1},
		{"429 commit retried", create, []answer{{429, googleError(429, "RESOURCE_EXHAUSTED", "Quota exceeded.")}, {200, `{"writeResults":[{"updateTime":"2026-01-02T03:04:05.123456Z"}],"commitTime":"2026-01-02T03:04:05.123456Z"}`}}, false, nil, 2},
		{"502 from a proxy", get, []answer{{502, "<html><body>Bad Gateway</body></html>"}}, false,
			[]string{"502 Bad Gateway: UNAVAILABLE (not Firestore's JSON error"}, 3},
		{"token echoed", get, []answer{{400, googleError(400, "INVALID_ARGUMENT", "bad header Bearer "+accessToken)}}, false,
			[]string{"bad header Bearer [redacted]"}, 1},
		{"long message bounded", get, []answer{{400, googleError(400, "INVALID_ARGUMENT", strings.Repeat("x", 5000))}}, false,
			[]string{strings.Repeat("x", 512) + "…"}, 1},
		{"oversized answer", get, []answer{{200, `[{"found":{"name":"` + strings.Repeat("x", 5<<20) + `"}}]`}}, false,
			[]string{"200 OK: answer too large: more than 4194304 bytes"}, 1},
		{"commit without an update time", create, []answer{{200, `{"writeResults":[{}]}`}}, false, []string{"updateTime: missing"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fake{answers: tt.answers, get: tt.op == get}
			s := googleStore(t, f)
			var err error
			switch tt.op {
			case get:
				_, err = s.Get(context.Background(), "1")
			case create:
				err = s.Put(context.Background(), "1", handler.Record{Data: []byte("x")})
			case update:
				err = s.Put(context.Background(), "1", handler.Record{Version: 1, Data: []byte("x")})
			}
			if len(tt.want) == 0 && !tt.conflict {
				if err != nil {
					t.Fatalf("got %v, want success", err)
				}
			} else if err == nil {
				t.Fatal("no error")
			}
			t.Log(err)
			if got := errors.Is(err, handler.ErrConflict); got != tt.conflict {
				t.Errorf("conflict = %v, want %v: %v", got, tt.conflict, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			if err != nil && strings.Contains(err.Error(), accessToken) {
				t.Errorf("the access token appears in the error: %v", err)
			}
			if n := f.calls(); n != tt.calls {
				t.Errorf("%d requests, want %d", n, tt.calls)
			}
			for _, a := range f.auth {
				if a != "Bearer "+accessToken {
					t.Errorf("Authorization %q, want the access token", a)
				}
			}
		})
	}
}

// TestRequests: the paths, the resource names and the credentials sent.
func TestRequests(t *testing.T) {
	f := &fake{answers: []answer{{200, `{"writeResults":[{"updateTime":"2026-01-02T03:04:06Z"}]}`}}}
	s := googleStore(t, f)
	ctx := context.Background()
	if _, err := s.Get(ctx, "1"); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, "1", handler.Record{Version: 1}); err != nil {
		t.Fatal(err)
	}
	want := []string{"POST /v1/projects/p/databases/(default)/documents:batchGet", "POST /v1/projects/p/databases/(default)/documents:commit"}
	if len(f.reqs) != 2 {
		t.Fatalf("%d requests, want 2 (the update from memory)", len(f.reqs))
	}
	for i, r := range f.reqs {
		if got := r.Method + " " + r.RequestURI; got != want[i] {
			t.Errorf("request %d: %s, want %s", i, got, want[i])
		}
	}
}

// TestRedirectNotFollowed: a 3xx is an error naming its target, which gets
// no request (it would carry the access token elsewhere).
func TestRedirectNotFollowed(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("the redirect was followed: %s %s", r.Method, r.URL)
	}))
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/steal", http.StatusTemporaryRedirect)
	}))
	defer srv.Close()
	s, err := firestorestore.New("p", "db", "state", firestorestore.WithEndpoint(srv.URL),
		firestorestore.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: accessToken})),
		firestorestore.WithHTTPClient(&http.Client{})) // its own CheckRedirect is replaced
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Get(context.Background(), "1")
	if err == nil || !strings.Contains(err.Error(), `307 Temporary Redirect: a redirect to "`+other.URL+`/steal", not followed`) {
		t.Errorf("got %v, want the redirect named", err)
	}
}

// TestContext: a call stops when its context ends, even while Firestore
// does not answer or a retry waits, and says so.
func TestContext(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	s, err := firestorestore.New("p", "", "state", firestorestore.WithEmulator(strings.TrimPrefix(srv.URL, "http://")))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = s.Get(ctx, "1")
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
		t.Errorf("after %s: %v, want the deadline", time.Since(start), err)
	}

	f := &fake{answers: []answer{{503, googleError(503, "UNAVAILABLE", "down")}}, get: true}
	f.t = t
	busy := httptest.NewServer(f)
	defer busy.Close()
	s, err = firestorestore.New("p", "", "state", firestorestore.WithEmulator(strings.TrimPrefix(busy.URL, "http://")),
		firestorestore.WithRetry(10, time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel = context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err = s.Get(ctx, "1")
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "UNAVAILABLE: down") {
		t.Errorf("waiting to retry: %v, want the deadline and the last answer", err)
	}
	if f.auth[0] != "Bearer owner" {
		t.Errorf("the emulator got Authorization %q, want Bearer owner", f.auth[0])
	}
}

type failingSource struct{ calls int }

func (f *failingSource) Token() (*oauth2.Token, error) {
	f.calls++
	return nil, errors.New("metadata server: 404 no service account")
}

// TestTokenError: credentials that give no token fail the call before any
// request, saying where the token was to come from.
func TestTokenError(t *testing.T) {
	f := &fake{}
	f.t = t
	srv := httptest.NewServer(f)
	defer srv.Close()
	ts := &failingSource{}
	s, err := firestorestore.New("p", "", "state", firestorestore.WithEndpoint(srv.URL), firestorestore.WithTokenSource(ts))
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		_, err = s.Get(context.Background(), "1")
		if err == nil || !strings.Contains(err.Error(), "getting a Google access token: metadata server: 404 no service account") {
			t.Errorf("got %v", err)
		}
	}
	if f.calls() != 0 || ts.calls != 2 {
		t.Errorf("%d requests and %d token fetches, want 0 and 2 (a failure is not kept)", f.calls(), ts.calls)
	}
}

// TestNew: what New refuses, naming what to fix.
func TestNew(t *testing.T) {
	tests := []struct {
		name              string
		project, db, coll string
		opts              []firestorestore.Option
		err               string // "" for accepted
	}{
		{"defaults", "p", "", "state", nil, ""},
		{"emulator on another host (a container network)", "p", "db", "state", []firestorestore.Option{firestorestore.WithEmulator("firestore:8080")}, ""},
		{"https endpoint", "p", "db", "state", []firestorestore.Option{firestorestore.WithEndpoint("https://firestore.example.com")}, ""},
		{"loopback http endpoint", "p", "db", "state", []firestorestore.Option{firestorestore.WithEndpoint("http://[::1]:8080")}, ""},
		{"plain http elsewhere", "p", "db", "state", []firestorestore.Option{firestorestore.WithEndpoint("http://10.0.0.5:8080")},
			`endpoint "http://10.0.0.5:8080": plain http:// to 10.0.0.5 would send the access token unencrypted`},
		{"endpoint with a path", "p", "db", "state", []firestorestore.Option{firestorestore.WithEndpoint("https://h/v1")}, "want https://HOST[:PORT] with no path"},
		{"emulator with a scheme", "p", "db", "state", []firestorestore.Option{firestorestore.WithEmulator("http://127.0.0.1:8080")}, `FIRESTORE_EMULATOR_HOST="http://127.0.0.1:8080": want the emulator's HOST:PORT`},
		{"emulator without a port", "p", "db", "state", []firestorestore.Option{firestorestore.WithEmulator("localhost")}, "HOST:PORT"},
		{"no project", "", "db", "state", nil, `project "": want a non-empty id`},
		{"collection path", "p", "db", "a/b", nil, `collection "a/b"`},
		{"nil token source", "p", "db", "state", []firestorestore.Option{firestorestore.WithTokenSource(nil)}, "WithTokenSource(nil)"},
	}
	for _, tt := range tests {
		_, err := firestorestore.New(tt.project, tt.db, tt.coll, tt.opts...)
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("%s: got %v, want %q", tt.name, err, tt.err)
		}
	}
}
