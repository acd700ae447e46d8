package pubsubqueue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/sociogram-kit/kit/internal/googleapi"
)

// maxAnswer caps what is read of Pub/Sub's answer to a publish (a few
// hundred bytes, or Google's error).
const maxAnswer = 64 << 10

// attempts is how many times a publish is tried; backoff is the wait
// before the second try (with jitter), doubled before each further one.
const (
	attempts = 3
	backoff  = 100 * time.Millisecond
)

// APIError is a publish Pub/Sub answered with something other than 200:
// its HTTP status and what Google said about it.
type APIError struct {
	Topic      string
	StatusCode int    // the HTTP status
	Status     string // Google's status, e.g. PERMISSION_DENIED, when it gave one
	Message    string // Google's message, or the start of a body that was not Google's error
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("pubsub: publish to %s: %d %s", e.Topic, e.StatusCode, http.StatusText(e.StatusCode))
	if e.Status != "" {
		s += " (" + e.Status + ")"
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Temporary reports whether the same publish may succeed if tried again.
func (e *APIError) Temporary() bool { return temporary(e.StatusCode) }

func temporary(code int) bool {
	switch code {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// retryable says which answers a publish is tried again after (besides a
// broken connection): a temporary status, not a refusal.
func retryable(e *googleapi.Error) bool { return temporary(e.StatusCode) }

// message is one message of a publish request (REST: PubsubMessage).
type message struct {
	Data        []byte            `json:"data"` // base64 in JSON
	OrderingKey string            `json:"orderingKey,omitempty"`
	Attributes  map[string]string `json:"attributes,omitempty"`
}

// publish sends m and returns once Pub/Sub answered with its message id,
// trying again after a temporary failure.
func (q *Queue) publish(ctx context.Context, m message) error {
	body, err := json.Marshal(struct {
		Messages []message `json:"messages"`
	}{[]message{m}})
	if err != nil {
		return fmt.Errorf("pubsub: %w", err)
	}
	answer, err := q.api.Call(ctx, http.MethodPost, "/v1/"+q.topic+":publish", body, maxAnswer, retryable)
	switch {
	case errors.As(err, new(*APIError)), errors.Is(err, ErrNoCredentials):
		return err // they name the topic or the credentials
	case err != nil:
		return fmt.Errorf("pubsub: publish to %s: %w", q.topic, err)
	}
	var ok struct {
		MessageIDs []string `json:"messageIds"`
	}
	if json.Unmarshal(answer, &ok) != nil || len(ok.MessageIDs) != 1 {
		return &APIError{Topic: q.topic, StatusCode: http.StatusOK, Message: "no message id in the answer: " + q.api.Clip(string(answer))}
	}
	return nil
}

// apiError is a failed publish's *googleapi.Error as an APIError.
func (q *Queue) apiError(e *googleapi.Error) error {
	a := &APIError{Topic: q.topic, StatusCode: e.StatusCode}
	switch {
	case e.StatusCode/100 == 3:
		a.Message = "redirect not followed"
	case e.Google:
		a.Status, a.Message = e.Status, e.Message
	default:
		a.Message = e.Body
	}
	return a
}

// ErrBadTopic is New's error for a topic name of the wrong shape (wrapped
// with the name and the shape wanted).
var ErrBadTopic = errors.New("pubsub: topic")

// checkTopic accepts projects/PROJECT/topics/TOPIC.
func checkTopic(topic string) error {
	p := strings.Split(topic, "/")
	if len(p) != 4 || p[0] != "projects" || p[2] != "topics" || p[1] == "" || p[3] == "" ||
		strings.ContainsAny(topic, "?# \t\r\n") {
		return fmt.Errorf("%w %q: want projects/PROJECT/topics/TOPIC", ErrBadTopic, topic)
	}
	return nil
}
