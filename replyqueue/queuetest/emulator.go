package queuetest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/sociogram-kit/kit/internal/testtools"
)

// Emulator is the Google Cloud CLI's Pub/Sub emulator, started for one test
// (skipped without gcloud, failed under KIT_REQUIRE_TOOLS=1), with the
// REST calls the queue tests make on it. Unlike pstest, it speaks Pub/Sub's
// REST API, which pubsubqueue.Queue publishes through.
type Emulator struct {
	Host string // HOST:PORT, the value of PUBSUB_EMULATOR_HOST
}

// PubSubMessage is a message pulled from a subscription.
type PubSubMessage struct {
	ID          string            `json:"messageId"`
	Data        []byte            `json:"data"`
	Attributes  map[string]string `json:"attributes"`
	OrderingKey string            `json:"orderingKey"`
	PublishTime time.Time         `json:"publishTime"`
}

// StartEmulator starts the emulator for the test; it is stopped (its whole
// process group) when the test ends.
func StartEmulator(t testing.TB) *Emulator {
	t.Helper()
	return &Emulator{Host: testtools.StartPubSub(t)}
}

// CreateTopic creates topic (projects/P/topics/T).
func (e *Emulator) CreateTopic(t testing.TB, topic string) {
	t.Helper()
	e.call(t, http.MethodPut, topic, struct{}{}, nil)
}

// CreateSubscription creates sub (projects/P/subscriptions/S) on topic,
// with message ordering as terraform/queue.tf sets it, and a 60 s ack
// deadline.
func (e *Emulator) CreateSubscription(t testing.TB, sub, topic string, ordered bool) {
	t.Helper()
	e.call(t, http.MethodPut, sub, map[string]any{"topic": topic, "enableMessageOrdering": ordered, "ackDeadlineSeconds": 60}, nil)
}

// Pull receives want messages from sub in the order the emulator hands them
// out (each ordering key's in order), acknowledging each batch, and fails
// the test if they do not come within 10 s. (A pull waits for messages.)
func (e *Emulator) Pull(t testing.TB, sub string, want int) []PubSubMessage {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var got []PubSubMessage
	for len(got) < want {
		var resp struct {
			Received []struct {
				AckID   string        `json:"ackId"`
				Message PubSubMessage `json:"message"`
			} `json:"receivedMessages"`
		}
		if err := e.do(ctx, http.MethodPost, sub+":pull", map[string]any{"maxMessages": want - len(got)}, &resp); err != nil {
			t.Fatalf("pulled %d messages from %s, want %d: %v", len(got), sub, want, err)
		}
		var ack []string
		for _, r := range resp.Received {
			got = append(got, r.Message)
			ack = append(ack, r.AckID)
		}
		if len(ack) > 0 {
			e.call(t, http.MethodPost, sub+":acknowledge", map[string]any{"ackIds": ack}, nil)
		}
	}
	return got
}

// call is do with a 10 s timeout, failing the test on an error.
func (e *Emulator) call(t testing.TB, method, name string, body, out any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.do(ctx, method, name, body, out); err != nil {
		t.Fatal(err)
	}
}

// do sends body as JSON to the emulator's REST API at /v1/name and decodes
// the answer into out; anything but 200 is an error.
func (e *Emulator) do(ctx context.Context, method, name string, body, out any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, method, fmt.Sprintf("http://%s/v1/%s", e.Host, name), bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("pubsub emulator: %s %s: %w", method, name, err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("pubsub emulator: %s %s: %w", method, name, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("pubsub emulator: %s %s: %d %s", method, name, resp.StatusCode, answer)
	}
	if out != nil {
		if err := json.Unmarshal(answer, out); err != nil {
			return fmt.Errorf("pubsub emulator: %s %s: %w in %s", method, name, err, answer)
		}
	}
	return nil
}
