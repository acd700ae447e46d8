package googleapi_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/sociogram-kit/kit/internal/googleapi"
	"github.com/sociogram-kit/kit/internal/outbound"
)

const token = "ya29.shared-secret"

var errNoCreds = errors.New("test: no credentials")

// client returns a Client on srv with a static token and fast retries.
func client(srv *httptest.Server, attempts int) *googleapi.Client {
	return &googleapi.Client{
		Base:     srv.URL,
		HTTP:     outbound.NoRedirects(srv.Client()),
		Auth:     &googleapi.Credentials{Source: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: token}), Err: errNoCreds},
		Attempts: attempts,
		Backoff:  time.Millisecond,
		API:      "Test",
		Hints:    map[string]string{"PERMISSION_DENIED": "grant the role"},
	}
}

// answers serves the answers in turn (the last repeats), counting requests.
func answers(t *testing.T, calls *atomic.Int32, list ...func(http.ResponseWriter)) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(calls.Add(1))
		if got := r.Header.Get("Authorization"); got != "Bearer "+token {
			t.Errorf("Authorization %q", got)
		}
		list[min(n, len(list))-1](w)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func status(code int, body string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) { w.WriteHeader(code); io.WriteString(w, body) }
}

func googleError(code, status, msg string) string {
	return `{"error":{"code":` + code + `,"status":"` + status + `","message":"` + msg + `"}}`
}

// TestCall: what is retried (the caller's predicate, the wire), how the
// last error reads and is found (errors.As, errors.Is), and the typed error
// of NewError.
func TestCall(t *testing.T) {
	unavailable := status(503, googleError("503", "UNAVAILABLE", "down"))
	retryUnavailable := func(e *googleapi.Error) bool { return e.Status == "UNAVAILABLE" }
	for _, tc := range []struct {
		name    string
		answers []func(http.ResponseWriter)
		retry   func(*googleapi.Error) bool
		limit   int64
		calls   int32
		err     string // "" for success
	}{
		{"ok", []func(http.ResponseWriter){status(200, `{}`)}, nil, 4096, 1, ""},
		{"retried then ok", []func(http.ResponseWriter){unavailable, status(200, `{}`)}, retryUnavailable, 4096, 2, ""},
		{"not retried without a predicate", []func(http.ResponseWriter){unavailable}, nil, 4096, 1, "503 Service Unavailable: UNAVAILABLE: down"},
		{"attempts used up", []func(http.ResponseWriter){unavailable}, retryUnavailable, 4096, 3, "503 Service Unavailable: UNAVAILABLE: down (after 3 attempts)"},
		{"hint", []func(http.ResponseWriter){status(403, googleError("403", "PERMISSION_DENIED", "no"))}, retryUnavailable, 4096, 1,
			"403 Forbidden: PERMISSION_DENIED: no (grant the role)"},
		{"a proxy's page", []func(http.ResponseWriter){status(502, "<html>\n bad gateway</html>")}, nil, 4096, 1,
			"502 Bad Gateway: UNAVAILABLE (not Test's JSON error: is the endpoint right?)"},
		{"token echoed, message clipped", []func(http.ResponseWriter){status(400, googleError("400", "INVALID_ARGUMENT", "Bearer "+token+" "+strings.Repeat("é", 300)))}, nil, 4096, 1,
			"400 Bad Request: INVALID_ARGUMENT: Bearer [redacted] " + strings.Repeat("é", 247) + "…"},
		{"answer too large", []func(http.ResponseWriter){status(200, strings.Repeat(" ", 100))}, retryUnavailable, 64, 1, "200 OK: answer too large: more than 64 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int32
			c := client(answers(t, &calls, tc.answers...), 3)
			b, err := c.Call(context.Background(), http.MethodPost, "/v1/projects/p/x:do", []byte(`{}`), tc.limit, tc.retry)
			switch {
			case tc.err == "" && (err != nil || string(b) != "{}"):
				t.Errorf("got %q, %v", b, err)
			case tc.err != "" && (err == nil || err.Error() != tc.err):
				t.Errorf("got  %v\nwant %s", err, tc.err)
			}
			if got := calls.Load(); got != tc.calls {
				t.Errorf("%d requests, want %d", got, tc.calls)
			}
			var ge *googleapi.Error
			if err != nil && !errors.Is(err, googleapi.ErrTooLarge) && !errors.As(err, &ge) {
				t.Errorf("errors.As finds no *Error in %v", err)
			}
		})
	}
}

type typed struct{ status string }

func (e *typed) Error() string { return "typed " + e.status }

// TestCallStops: a call ends with its context, while waiting to retry,
// returning the last attempt's error (typed by NewError) and the cause.
func TestCallStops(t *testing.T) {
	var calls atomic.Int32
	c := client(answers(t, &calls, status(503, googleError("503", "UNAVAILABLE", "down"))), 5)
	c.Backoff = time.Hour
	c.NewError = func(e *googleapi.Error) error { return &typed{e.Status} }
	ctx, cancel := context.WithCancelCause(context.Background())
	stop := errors.New("the webhook's deadline")
	_, err := c.Call(ctx, http.MethodGet, "/v1/x", nil, 64, func(*googleapi.Error) bool {
		go cancel(stop) // once the first answer is in: the call waits an hour to retry
		return true
	})
	var te *typed
	if !errors.Is(err, stop) || !errors.As(err, &te) || err.Error() != "typed UNAVAILABLE (stopped retrying: the webhook's deadline)" {
		t.Errorf("got %v", err)
	}
}

// blocking is a token source that answers once released.
type blocking struct {
	release chan struct{}
	calls   atomic.Int32
}

func (b *blocking) Token() (*oauth2.Token, error) {
	b.calls.Add(1)
	<-b.release
	return &oauth2.Token{AccessToken: token, Expiry: time.Now().Add(time.Hour)}, nil
}

// TestCredentialsHonourContext: a call waiting for the first token returns
// when its context ends, without a request; the fetch goes on and its token
// serves the next calls (one fetch in all).
func TestCredentialsHonourContext(t *testing.T) {
	var calls atomic.Int32
	c := client(answers(t, &calls, status(200, "{}")), 1)
	src := &blocking{release: make(chan struct{})}
	c.Auth = &googleapi.Credentials{Source: src, Err: errNoCreds}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Call(ctx, http.MethodGet, "/v1/x", nil, 64, nil); !errors.Is(err, context.Canceled) ||
		!strings.Contains(err.Error(), "waiting for a Google access token") {
		t.Errorf("got %v, want the context's end", err)
	}
	if calls.Load() != 0 {
		t.Error("a request went out without a token")
	}
	close(src.release)
	for range 3 {
		if _, err := c.Call(context.Background(), http.MethodGet, "/v1/x", nil, 64, nil); err != nil {
			t.Fatal(err)
		}
	}
	if n := src.calls.Load(); n != 1 {
		t.Errorf("%d fetches, want 1", n)
	}
}

type failing struct{ calls atomic.Int32 }

func (f *failing) Token() (*oauth2.Token, error) {
	f.calls.Add(1)
	return nil, errors.New("metadata server unreachable")
}

// TestCredentialsFail: no token, no request and no retry; the error wraps
// the caller's sentinel and the reason; the next call tries again.
func TestCredentialsFail(t *testing.T) {
	var calls atomic.Int32
	c := client(answers(t, &calls, status(200, "{}")), 3)
	src := &failing{}
	c.Auth = &googleapi.Credentials{Source: src, Err: errNoCreds}
	for range 2 {
		_, err := c.Call(context.Background(), http.MethodGet, "/v1/x", nil, 64, nil)
		if !errors.Is(err, errNoCreds) || err.Error() != "test: no credentials: getting a Google access token: metadata server unreachable" {
			t.Errorf("got %v", err)
		}
	}
	if calls.Load() != 0 || src.calls.Load() != 2 {
		t.Errorf("%d requests, %d fetches; want 0 and 2", calls.Load(), src.calls.Load())
	}
}

// TestRedirect: a 3xx is an *Error naming its target, which gets nothing.
func TestRedirect(t *testing.T) {
	var calls atomic.Int32
	c := client(answers(t, &calls, func(w http.ResponseWriter) {
		w.Header().Set("Location", "https://elsewhere.example/steal")
		w.WriteHeader(http.StatusTemporaryRedirect)
	}), 1)
	_, err := c.Call(context.Background(), http.MethodGet, "/v1/x", nil, 64, nil)
	var ge *googleapi.Error
	if !errors.As(err, &ge) || ge.Location != "https://elsewhere.example/steal" ||
		err.Error() != `307 Temporary Redirect: a redirect to "https://elsewhere.example/steal", not followed` {
		t.Errorf("got %v", err)
	}
}

// TestEscapePath: Firestore's and Pub/Sub's names as the APIs want them.
func TestEscapePath(t *testing.T) {
	for in, want := range map[string]string{
		"/v1/projects/p/databases/(default)/documents:commit": "/v1/projects/p/databases/(default)/documents:commit",
		"/v1/projects/p/topics/a+b~c%d:publish":               "/v1/projects/p/topics/a+b~c%25d:publish",
		"/v1/projects/p q/x?y#z":                              "/v1/projects/p%20q/x%3Fy%23z",
	} {
		if got := googleapi.EscapePath(in); got != want {
			t.Errorf("EscapePath(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestEndpoint: the endpoint rule, https or http to loopback, and the
// emulator's HOST:PORT.
func TestEndpoint(t *testing.T) {
	for _, tc := range []struct{ in, want, err string }{
		{"https://firestore.googleapis.com", "https://firestore.googleapis.com", ""},
		{"https://europe-west1-pubsub.googleapis.com/", "https://europe-west1-pubsub.googleapis.com", ""},
		{"http://127.0.0.1:8085", "http://127.0.0.1:8085", ""},
		{"http://localhost:8085", "http://localhost:8085", ""},
		{"http://[::1]:8085", "http://[::1]:8085", ""},
		{"http://10.0.0.5:8080", "", `endpoint "http://10.0.0.5:8080": plain http:// to 10.0.0.5 would send the access token unencrypted; use https:// (for an emulator: EMU_HOST)`},
		{"https://h/v1", "", `endpoint "https://h/v1": want https://HOST[:PORT] with no path`},
		{"https://h?x=1", "", "with no path"},
		{"https://user@h", "", "with no path"},
		{"ftp://h", "", "with no path"},
	} {
		got, err := googleapi.Endpoint(tc.in, "EMU_HOST")
		if got != tc.want || (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("Endpoint(%q) = %q, %v; want %q, %q", tc.in, got, err, tc.want, tc.err)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"127.0.0.1:8080", "http://127.0.0.1:8080"},
		{"firestore:8080", "http://firestore:8080"},
		{"[::1]:8085", "http://[::1]:8085"},
		{"http://127.0.0.1:8080", ""},
		{"localhost", ""},
		{"127.0.0.1:0", ""},
		{"127.0.0.1:65536", ""},
		{"127.0.0.1:+80", ""},
		{"h/x:80", ""},
	} {
		got, err := googleapi.Emulator(tc.in, "EMU_HOST")
		if got != tc.want || (err == nil) != (tc.want != "") {
			t.Errorf("Emulator(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
		if err != nil && !strings.Contains(err.Error(), `EMU_HOST="`+tc.in+`": want the emulator's HOST:PORT`) {
			t.Errorf("Emulator(%q): %v", tc.in, err)
		}
	}
}

// TestDeps: a Cloud Function linking this package links no gRPC: only the
// standard library, golang.org/x/oauth2 and its metadata client; the HTTP
// part (outbound, shared with the Bot API client) is standard library only.
func TestDeps(t *testing.T) {
	for pkg, allowed := range map[string][]string{
		"github.com/sociogram-kit/kit/internal/googleapi": {"golang.org/x/oauth2", "cloud.google.com/go/compute/metadata", "github.com/sociogram-kit/kit/internal/"},
		"github.com/sociogram-kit/kit/internal/outbound":  {"github.com/sociogram-kit/kit/internal/outbound"},
	} {
		out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list: %v\n%s", err, out)
		}
	next:
		for _, dep := range strings.Fields(string(out)) {
			for _, a := range allowed {
				if strings.HasPrefix(dep, a) {
					continue next
				}
			}
			t.Errorf("%s depends on %s", pkg, dep)
		}
	}
}
