package pubsubqueue_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/oauth2"

	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/replyqueue"
	"github.com/sociogram-kit/kit/replyqueue/pubsubqueue"
	"github.com/sociogram-kit/kit/replyqueue/queuetest"
)

const accessToken = "ya29.secret-access-token"

func reply(uid int64, text, id string) replyqueue.Reply {
	r, err := replyqueue.NewReply(uid, handler.Message{Text: text}, id)
	if err != nil {
		panic(err)
	}
	return r
}

// TestQueueEmulator publishes through the REST API to the Google Cloud
// CLI's Pub/Sub emulator, to a topic whose subscription keeps order as
// terraform/queue.tf's does: each user's replies come out in the order they
// were enqueued, byte for byte, keyed by the uid, with their reply_id; a
// missing topic is Google's 404 with its message.
func TestQueueEmulator(t *testing.T) {
	emu := queuetest.StartEmulator(t)
	emu.CreateTopic(t, topic)
	emu.CreateSubscription(t, subName, topic, true)
	q, err := pubsubqueue.New(topic, pubsubqueue.WithEmulator(emu.Host))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	want := map[string][]replyqueue.Reply{}
	var wg sync.WaitGroup
	for uid := int64(1); uid <= 3; uid++ {
		var rs []replyqueue.Reply
		for n := range 4 {
			rs = append(rs, reply(uid, queuetest.Text(uid, n), queuetest.Text(uid, n)))
		}
		want[rs[0].GroupKey()] = rs
		wg.Add(1)
		go func() { // users at once, each user's replies one after the other
			defer wg.Done()
			for _, r := range rs {
				if err := q.Enqueue(ctx, r); err != nil {
					t.Errorf("Enqueue: %v", err)
				}
			}
		}()
	}
	wg.Wait()
	got := map[string][]replyqueue.Reply{}
	for _, m := range emu.Pull(t, subName, 12) {
		got[m.OrderingKey] = append(got[m.OrderingKey], replyqueue.Reply{Body: m.Data, ID: m.Attributes[pubsubqueue.AttrReplyID]})
	}
	for key, rs := range want {
		if !slices.EqualFunc(got[key], rs, func(a, b replyqueue.Reply) bool { return string(a.Body) == string(b.Body) && a.ID == b.ID }) {
			t.Errorf("ordering key %s: pulled %q, want %q", key, bodies(got[key]), bodies(rs))
		}
	}

	missing, err := pubsubqueue.New(project+"/topics/no-such-topic", pubsubqueue.WithEmulator(emu.Host))
	if err != nil {
		t.Fatal(err)
	}
	err = missing.Enqueue(ctx, reply(1, "x", "x"))
	var apiErr *pubsubqueue.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusNotFound || apiErr.Status != "NOT_FOUND" ||
		err.Error() != "pubsub: publish to projects/p/topics/no-such-topic: 404 Not Found (NOT_FOUND): Topic not found" {
		t.Errorf("publish to a missing topic: %v", err)
	}
}

func bodies(rs []replyqueue.Reply) []string {
	var s []string
	for _, r := range rs {
		s = append(s, string(r.Body))
	}
	return s
}

// googleError is the body of Google's error answers.
func googleError(code int, status, msg string) string {
	b, _ := json.Marshal(map[string]any{"error": map[string]any{"code": code, "message": msg, "status": status}})
	return string(b)
}

// TestQueuePublishes: the request Pub/Sub's REST API documents (POST
// /v1/TOPIC:publish, the access token as a Bearer, one message with the
// body in base64, the uid as ordering key, reply_id), and how each answer
// is taken: tried again on 429/5xx up to three times, not on a refusal,
// errors naming the status and Google's message, bounded, never the token,
// and no redirect followed.
func TestQueuePublishes(t *testing.T) {
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("a redirect was followed: %s %s with Authorization %q", r.Method, r.URL, r.Header.Get("Authorization"))
	}))
	defer elsewhere.Close()
	ok := `{"messageIds":["42"]}`
	for _, tc := range []struct {
		name    string
		answers []string // status SPACE body, one per request; the last repeats
		calls   int
		err     string // "" for success
	}{
		{"stored", []string{"200 " + ok}, 1, ""},
		{"busy, then stored", []string{"503 " + googleError(503, "UNAVAILABLE", "try again"), "429 ", "200 " + ok}, 3, ""},
		{"unavailable three times", []string{"503 " + googleError(503, "UNAVAILABLE", "The service is currently unavailable.")}, 3,
			"pubsub: publish to projects/p/topics/replies: 503 Service Unavailable (UNAVAILABLE): The service is currently unavailable. (after 3 attempts)"},
		{"refused: not tried again", []string{"403 " + googleError(403, "PERMISSION_DENIED", "User not authorized to perform this action.")}, 1,
			"pubsub: publish to projects/p/topics/replies: 403 Forbidden (PERMISSION_DENIED): User not authorized to perform this action."},
		{"the token echoed back is cut out", []string{"400 " + googleError(400, "INVALID_ARGUMENT", "bad header Bearer "+accessToken)}, 1,
			"pubsub: publish to projects/p/topics/replies: 400 Bad Request (INVALID_ARGUMENT): bad header Bearer [redacted]"},
		{"not Google's error", []string{"404 <html>\n<p>Not here</p></html>"}, 1,
			"pubsub: publish to projects/p/topics/replies: 404 Not Found: <html> <p>Not here</p></html>"},
		{"a huge error", []string{"400 " + strings.Repeat("x", 1<<20)}, 1,
			"pubsub: publish to projects/p/topics/replies: 400 Bad Request: " + strings.Repeat("x", 512) + "…"},
		{"redirect not followed", []string{"307 "}, 1,
			"pubsub: publish to projects/p/topics/replies: 307 Temporary Redirect: redirect not followed"},
		{"200 without a message id", []string{"200 {}"}, 1,
			"pubsub: publish to projects/p/topics/replies: 200 OK: no message id in the answer: {}"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n := int(calls.Add(1))
				checkPublish(t, r, "Bearer "+accessToken)
				status, body, _ := strings.Cut(tc.answers[min(n, len(tc.answers))-1], " ")
				if status[0] == '3' {
					w.Header().Set("Location", elsewhere.URL+"/v1/stolen")
				}
				w.WriteHeader(map[string]int{"200": 200, "307": 307, "400": 400, "403": 403, "404": 404, "429": 429, "503": 503}[status])
				io.WriteString(w, body)
			}))
			defer srv.Close()
			q, err := pubsubqueue.New(topic, pubsubqueue.WithEndpoint(srv.URL),
				pubsubqueue.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: accessToken})))
			if err != nil {
				t.Fatal(err)
			}
			err = q.Enqueue(context.Background(), reply(12345, "hi", "reply-1"))
			if got := int(calls.Load()); got != tc.calls {
				t.Errorf("%d publish requests, want %d", got, tc.calls)
			}
			switch {
			case tc.err == "" && err != nil:
				t.Errorf("Enqueue: %v, want nil", err)
			case tc.err != "" && (err == nil || err.Error() != tc.err):
				t.Errorf("Enqueue:\n got %v\nwant %s", err, tc.err)
			case err != nil && strings.Contains(err.Error(), accessToken):
				t.Errorf("the access token is in the error: %v", err)
			}
		})
	}
}

// checkPublish asserts r is the documented publish of reply-1 to uid 12345.
func checkPublish(t *testing.T, r *http.Request, auth string) {
	t.Helper()
	if r.Method != http.MethodPost || r.URL.Path != "/v1/"+topic+":publish" || r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("request %s %s (Content-Type %q), want POST /v1/%s:publish (application/json)", r.Method, r.URL.Path, r.Header.Get("Content-Type"), topic)
	}
	if got := r.Header.Get("Authorization"); got != auth {
		t.Errorf("Authorization %q, want %q", got, auth)
	}
	var body struct {
		Messages []struct {
			Data        []byte            `json:"data"`
			OrderingKey string            `json:"orderingKey"`
			Attributes  map[string]string `json:"attributes"`
		} `json:"messages"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || len(body.Messages) != 1 {
		t.Fatalf("publish body: %v, %d messages, want 1", err, len(body.Messages))
	}
	m := body.Messages[0]
	if string(m.Data) != string(reply(12345, "hi", "reply-1").Body) || m.OrderingKey != "12345" || m.Attributes[pubsubqueue.AttrReplyID] != "reply-1" || len(m.Attributes) != 1 {
		t.Errorf("published %q key %q attributes %v", m.Data, m.OrderingKey, m.Attributes)
	}
}

// TestQueueEmulatorHost: PUBSUB_EMULATOR_HOST's publish is plain http
// without credentials (none are looked for).
func TestQueueEmulatorHost(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		checkPublish(t, r, "")
		io.WriteString(w, `{"messageIds":["1"]}`)
	}))
	defer srv.Close()
	q, err := pubsubqueue.New(topic, pubsubqueue.WithEmulator(srv.Listener.Addr().String()))
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Enqueue(context.Background(), reply(12345, "hi", "reply-1")); err != nil {
		t.Fatal(err)
	}
}

type failingSource struct{}

func (failingSource) Token() (*oauth2.Token, error) {
	return nil, errors.New("metadata server unreachable")
}

// TestQueueNoCredentials: no token, no request; the error says so, once.
func TestQueueNoCredentials(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("published without a token")
	}))
	defer srv.Close()
	q, err := pubsubqueue.New(topic, pubsubqueue.WithEndpoint(srv.URL), pubsubqueue.WithTokenSource(failingSource{}))
	if err != nil {
		t.Fatal(err)
	}
	err = q.Enqueue(context.Background(), reply(1, "x", "x"))
	if !errors.Is(err, pubsubqueue.ErrNoCredentials) ||
		err.Error() != "pubsub: no credentials for publishing: getting a Google access token: metadata server unreachable" {
		t.Errorf("Enqueue: %v", err)
	}
}

// TestNew: what New accepts and refuses, each refusal naming what to give.
func TestNew(t *testing.T) {
	for _, tc := range []struct {
		name  string
		topic string
		opt   pubsubqueue.QueueOption
		err   string
	}{
		{"default endpoint", topic, nil, ""},
		{"locational endpoint", topic, pubsubqueue.WithEndpoint("https://europe-west1-pubsub.googleapis.com/"), ""},
		{"http to loopback", topic, pubsubqueue.WithEndpoint("http://127.0.0.1:8085"), ""},
		{"http to localhost", topic, pubsubqueue.WithEndpoint("http://localhost:8085"), ""},
		{"http to [::1]", topic, pubsubqueue.WithEndpoint("http://[::1]:8085"), ""},
		{"emulator elsewhere", topic, pubsubqueue.WithEmulator("pubsub:8085"), ""},
		{"not a topic", "replies", nil, `pubsub: topic "replies": want projects/PROJECT/topics/TOPIC`},
		{"a subscription", project + "/subscriptions/s", nil, `pubsub: topic "projects/p/subscriptions/s": want projects/PROJECT/topics/TOPIC`},
		{"a topic with a query", topic + "?x=1", nil, `pubsub: topic "projects/p/topics/replies?x=1": want projects/PROJECT/topics/TOPIC`},
		{"plain http elsewhere", topic, pubsubqueue.WithEndpoint("http://pubsub.googleapis.com"),
			`pubsub: endpoint "http://pubsub.googleapis.com": plain http:// to pubsub.googleapis.com would send the access token unencrypted; use https:// (for an emulator: PUBSUB_EMULATOR_HOST)`},
		{"an endpoint with a path", topic, pubsubqueue.WithEndpoint("https://pubsub.googleapis.com/v1"),
			`pubsub: endpoint "https://pubsub.googleapis.com/v1": want https://HOST[:PORT] with no path`},
		{"another scheme", topic, pubsubqueue.WithEndpoint("ftp://pubsub.googleapis.com"),
			`pubsub: endpoint "ftp://pubsub.googleapis.com": want https://HOST[:PORT] with no path`},
		{"emulator as a URL", topic, pubsubqueue.WithEmulator("http://127.0.0.1:8085"),
			`pubsub: PUBSUB_EMULATOR_HOST="http://127.0.0.1:8085": want the emulator's HOST:PORT, with no scheme or path`},
		{"emulator without a port", topic, pubsubqueue.WithEmulator("127.0.0.1"),
			`pubsub: PUBSUB_EMULATOR_HOST="127.0.0.1": want the emulator's HOST:PORT, with no scheme or path`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var opts []pubsubqueue.QueueOption
			if tc.opt != nil {
				opts = append(opts, tc.opt)
			}
			q, err := pubsubqueue.New(tc.topic, opts...)
			switch {
			case tc.err == "" && (err != nil || q.Topic() != tc.topic):
				t.Errorf("New: %v", err)
			case tc.err != "" && (err == nil || err.Error() != tc.err):
				t.Errorf("New:\n got %v\nwant %s", err, tc.err)
			}
		})
	}
}
