package pubsubqueue

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"golang.org/x/oauth2"

	"github.com/sociogram-kit/kit/internal/googleapi"
	"github.com/sociogram-kit/kit/internal/outbound"
	"github.com/sociogram-kit/kit/replyqueue"
)

// AttrReplyID is the message attribute carrying the reply's ID.
const AttrReplyID = "reply_id"

// EnvEmulatorHost is the variable naming the Pub/Sub emulator (HOST:PORT),
// as Google's client libraries read it; give its value to WithEmulator.
const EnvEmulatorHost = "PUBSUB_EMULATOR_HOST"

// DefaultEndpoint is Pub/Sub's global REST endpoint.
const DefaultEndpoint = "https://pubsub.googleapis.com"

// Scope is the OAuth scope the Queue asks Application Default Credentials for.
const Scope = "https://www.googleapis.com/auth/pubsub"

// ErrNoCredentials is the error of a publish for which no Google
// credentials or access token could be had (wrapped with the reason).
var ErrNoCredentials = errors.New("pubsub: no credentials for publishing")

// Queue publishes replies to a topic through Pub/Sub's REST API (no client
// library, no gRPC). It implements replyqueue.Queue.
type Queue struct {
	topic string
	api   googleapi.Client

	// The options', for New.
	endpoint string // a base URL, or the emulator's HOST:PORT
	emulator bool
	hc       *http.Client
	source   oauth2.TokenSource
}

// QueueOption configures a Queue.
type QueueOption func(*Queue)

// WithEmulator publishes to the Pub/Sub emulator at hostport (the value of
// PUBSUB_EMULATOR_HOST) over plain HTTP, without credentials.
func WithEmulator(hostport string) QueueOption {
	return func(q *Queue) { q.endpoint, q.emulator = hostport, true }
}

// WithEndpoint publishes to baseURL instead of DefaultEndpoint, e.g. a
// locational endpoint such as https://europe-west1-pubsub.googleapis.com.
// Plain http is accepted for a loopback host only (a test's fake).
func WithEndpoint(baseURL string) QueueOption {
	return func(q *Queue) { q.endpoint, q.emulator = baseURL, false }
}

// WithHTTPClient publishes through hc's transport (and its timeout); the
// Queue still follows no redirect. hc is not changed.
func WithHTTPClient(hc *http.Client) QueueOption {
	return func(q *Queue) { q.hc = hc }
}

// WithTokenSource authorises each publish with a token of ts instead of
// Application Default Credentials.
func WithTokenSource(ts oauth2.TokenSource) QueueOption {
	return func(q *Queue) { q.source = ts }
}

// New returns the Queue publishing to topic (projects/PROJECT/topics/TOPIC)
// at DefaultEndpoint, authorised by Application Default Credentials with
// Scope. It makes no network call: the credentials are found at the first
// publish (on Cloud Functions, from the metadata server). It fails on a
// topic of another shape and on an endpoint that is not https (or http to a
// loopback host), or an emulator host that is not HOST:PORT.
func New(topic string, opts ...QueueOption) (*Queue, error) {
	q := &Queue{topic: topic, endpoint: DefaultEndpoint, hc: &http.Client{Transport: outbound.NewTransport(16, 10*time.Second)}}
	for _, o := range opts {
		o(q)
	}
	if err := checkTopic(topic); err != nil {
		return nil, err
	}
	check := googleapi.Endpoint
	if q.emulator {
		check = googleapi.Emulator
	}
	base, err := check(q.endpoint, EnvEmulatorHost)
	if err != nil {
		return nil, fmt.Errorf("pubsub: %w", err)
	}
	q.api = googleapi.Client{
		Base: base,
		// A 3xx comes back as the answer, an APIError: Go would send the
		// Authorization header on to whatever host it names.
		HTTP:     outbound.NoRedirects(q.hc),
		Attempts: attempts,
		Backoff:  backoff,
		API:      "Pub/Sub",
		NewError: q.apiError,
	}
	if !q.emulator {
		q.api.Auth = &googleapi.Credentials{Scope: Scope, Source: q.source, Err: ErrNoCredentials, EnvEmulatorHost: EnvEmulatorHost}
	}
	return q, nil
}

// Topic returns the topic the Queue publishes to.
func (q *Queue) Topic() string { return q.topic }

// Enqueue publishes r with its GroupKey as the ordering key and its ID as
// the attribute reply_id, and returns once Pub/Sub has stored it (it
// answered with the message's id). A publish Pub/Sub could not take for a
// passing reason (429, 5xx, a broken connection) is tried again, up to
// three times while ctx lasts; a failure returns an *APIError or the
// transport's error, and the webhook answers 500, so a redelivery may
// publish again.
func (q *Queue) Enqueue(ctx context.Context, r replyqueue.Reply) error {
	return q.publish(ctx, message{Data: r.Body, OrderingKey: r.GroupKey(), Attributes: map[string]string{AttrReplyID: r.ID}})
}
