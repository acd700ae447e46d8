package httpadapter_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	httpadapter "github.com/sociogram-kit/kit/adapters/http"
	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/replyqueue"
	"github.com/sociogram-kit/kit/replyqueue/queuetest"
	"github.com/sociogram-kit/kit/sociogramtest"
)

// TestQueueRoute: GET /queue shows replies waiting while the Bot API holds
// them, then counts them sent; other methods are refused.
func TestQueueRoute(t *testing.T) {
	blocked := make(chan struct{})
	sender := handler.SenderFunc(func(ctx context.Context, uid int64, msg handler.Message) error {
		select {
		case <-blocked:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	q := replyqueue.NewLocal(sender, replyqueue.WithLogger(slog.New(slog.DiscardHandler)))
	defer q.Close(context.Background())
	srv := httptest.NewServer(httpadapter.Handler(queuetest.NewBot(t, q), httpadapter.WithQueueStats(q.Stats)))
	defer srv.Close()

	if got := getQueue(t, srv.URL); got != (httpadapter.QueueStats{}) {
		t.Errorf("idle queue = %+v, want all zero", got)
	}
	for uid := int64(1); uid <= 3; uid++ {
		resp, err := sociogramtest.Deliver(context.Background(), srv.URL+httpadapter.WebhookPath, queuetest.Token, sociogramtest.ChatMessage(uid, "hello"))
		if err != nil || resp.Status != http.StatusOK {
			t.Fatalf("webhook %d: %d %v", uid, resp.Status, err)
		}
	}
	if got := getQueue(t, srv.URL); got.Depth != 3 || got.Sent != 0 || got.Failed != 0 {
		t.Errorf("with the API holding replies: %+v, want depth 3, none sent", got)
	}
	close(blocked)
	deadline := time.Now().Add(10 * time.Second)
	var got httpadapter.QueueStats
	for got = getQueue(t, srv.URL); got.Sent < 3 && time.Now().Before(deadline); got = getQueue(t, srv.URL) {
		time.Sleep(10 * time.Millisecond)
	}
	if want := (httpadapter.QueueStats{Sent: 3}); got != want {
		t.Errorf("after the API let go: %+v, want %+v", got, want)
	}

	resp, err := http.Post(srv.URL+httpadapter.QueuePath, "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /queue answered %d, want 405", resp.StatusCode)
	}
}

// TestQueueRouteAbsent: without a queue, GET /queue is 404.
func TestQueueRouteAbsent(t *testing.T) {
	srv := httptest.NewServer(httpadapter.Handler(http.NotFoundHandler()))
	defer srv.Close()
	resp, err := http.Get(srv.URL + httpadapter.QueuePath)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /queue without a queue answered %d, want 404", resp.StatusCode)
	}
}

// getQueue reads GET /queue, checking its status, type and exact keys.
func getQueue(t *testing.T, base string) httpadapter.QueueStats {
	t.Helper()
	resp, err := http.Get(base + httpadapter.QueuePath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("GET /queue: %d %q %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	var keys map[string]json.Number
	if err := json.Unmarshal(body, &keys); err != nil || len(keys) != 4 {
		t.Fatalf("GET /queue body %s: want 4 numeric fields (%v)", body, err)
	}
	for _, k := range []string{"depth", "sent", "failed", "oldest_age_ms"} {
		if _, ok := keys[k]; !ok {
			t.Fatalf("GET /queue body %s has no %q", body, k)
		}
	}
	var s httpadapter.QueueStats
	if err := json.Unmarshal(body, &s); err != nil {
		t.Fatal(err)
	}
	if s.Depth > 0 && s.OldestAgeMS < 0 || s.Depth == 0 && s.OldestAgeMS != 0 {
		t.Errorf("oldest_age_ms %d with depth %d", s.OldestAgeMS, s.Depth)
	}
	s.OldestAgeMS = 0 // varies; checked above
	return s
}
