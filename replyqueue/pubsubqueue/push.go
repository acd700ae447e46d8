package pubsubqueue

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/sociogram-kit/kit/botapi"
	"github.com/sociogram-kit/kit/replyqueue"
)

// DefaultDedupWindow is how long PushHandler remembers a sent reply's ID.
const DefaultDedupWindow = 10 * time.Minute

// maxPush caps a push request's body (Pub/Sub messages are at most 10 MB;
// replies are small).
const maxPush = 1 << 20

// PushEnvelope is the body of a Pub/Sub push request (wrapped format).
type PushEnvelope struct {
	Message struct {
		Data        []byte            `json:"data"` // base64 in JSON
		Attributes  map[string]string `json:"attributes"`
		MessageID   string            `json:"messageId"`
		PublishTime time.Time         `json:"publishTime"`
		OrderingKey string            `json:"orderingKey"`
	} `json:"message"`
	Subscription    string `json:"subscription"`
	DeliveryAttempt int    `json:"deliveryAttempt"`
}

// DefaultHold is how long PushHandler holds a push whose user must wait for
// a slot before it nacks it: well within the subscription's ack deadline
// and the function's timeout (60 s each in terraform/queue.tf), with room
// for the send itself and the client's retries.
const DefaultHold = 30 * time.Second

// PushHandler delivers pushed replies. See the package documentation.
type PushHandler struct {
	deliver *replyqueue.Deliverer
	logger  *slog.Logger
	window  time.Duration
	hold    time.Duration
	clock   botapi.Clock

	mu       sync.Mutex
	seen     map[string]time.Time // reply ID -> when sent
	inFlight map[string]bool      // reply IDs being sent
}

// PushOption configures a PushHandler.
type PushOption func(*PushHandler)

// WithHold sets how long a push may wait for its user's slot (DefaultHold);
// 0 nacks at once a push that cannot be sent at once, for Pub/Sub to push
// again after its retry policy's backoff.
func WithHold(d time.Duration) PushOption { return func(h *PushHandler) { h.hold = max(d, 0) } }

// NewPushHandler returns a PushHandler delivering with d.
func NewPushHandler(d *replyqueue.Deliverer, logger *slog.Logger, opts ...PushOption) *PushHandler {
	h := &PushHandler{deliver: d, logger: logger, window: DefaultDedupWindow, hold: DefaultHold,
		clock: d.Pacer().Clock(), seen: map[string]time.Time{}, inFlight: map[string]bool{}}
	for _, o := range opts {
		o(h)
	}
	return h
}

// ServeHTTP handles one push: 204 acks it; 429 (waited longer than the hold
// for its user's slot) and 503 (not delivered) have Pub/Sub push it again
// after a backoff; 400 answers a body that is not a push envelope (Pub/Sub
// retries that too, and then dead-letters it). It handles many pushes at
// once: while one user's push waits for its slot, other users' are sent.
func (h *PushHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var env PushEnvelope
	body, err := io.ReadAll(io.LimitReader(r.Body, maxPush))
	if err == nil {
		err = json.Unmarshal(body, &env)
	}
	if err != nil || r.Method != http.MethodPost {
		http.Error(w, "not a Pub/Sub push request", http.StatusBadRequest)
		return
	}
	ctx := r.Context()
	m := env.Message
	id := m.Attributes[AttrReplyID]
	attrs := []any{"message_id", m.MessageID, "ordering_key", m.OrderingKey, "delivery_attempt", env.DeliveryAttempt,
		"age_ms", h.clock.Now().Sub(m.PublishTime).Milliseconds()}
	switch h.claim(id) {
	case claimSent:
		h.logger.InfoContext(ctx, "reply already sent; acknowledged", attrs...)
		w.WriteHeader(http.StatusNoContent)
		return
	case claimBusy:
		h.logger.InfoContext(ctx, "reply being sent by another push; Pub/Sub pushes it again", attrs...)
		http.Error(w, "being sent", http.StatusServiceUnavailable)
		return
	}
	defer h.release(id)
	out, err := h.deliver.DeliverBy(ctx, m.Data, h.clock.Now().Add(h.hold))
	if out == replyqueue.Retry {
		if errors.Is(err, replyqueue.ErrNoTime) && ctx.Err() == nil {
			h.logger.InfoContext(ctx, "queued reply waits its turn; Pub/Sub pushes it again", attrs...)
			http.Error(w, "waiting for its slot", http.StatusTooManyRequests)
			return
		}
		h.logger.WarnContext(ctx, "queued reply not delivered; Pub/Sub retries it", append(attrs, "error", err.Error())...)
		http.Error(w, "not delivered", http.StatusServiceUnavailable)
		return
	}
	if id != "" {
		h.remember(id)
	}
	switch {
	case errors.Is(err, replyqueue.ErrBadReply):
		h.logger.ErrorContext(ctx, "queued message is not a reply; dropped", append(attrs, "error", err.Error())...)
	case err != nil:
		h.logger.WarnContext(ctx, "queued reply may have been delivered; not sent again", append(attrs, "error", err.Error())...)
	default:
		h.logger.InfoContext(ctx, "reply sent", attrs...)
	}
	w.WriteHeader(http.StatusNoContent)
}

type claim int

const (
	claimed   claim = iota // go on and send it
	claimSent              // sent already: ack
	claimBusy              // another push of it is being sent: nack
)

// claim marks id as being sent, unless it was sent within the window or is
// being sent. A reply without an ID is always claimed.
func (h *PushHandler) claim(id string) claim {
	if id == "" {
		return claimed
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if at, ok := h.seen[id]; ok && h.clock.Now().Sub(at) < h.window {
		return claimSent
	}
	if h.inFlight[id] {
		return claimBusy
	}
	h.inFlight[id] = true
	return claimed
}

func (h *PushHandler) release(id string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.inFlight, id)
}

func (h *PushHandler) remember(id string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	now := h.clock.Now()
	h.seen[id] = now
	if len(h.seen)%1024 == 0 {
		for k, at := range h.seen {
			if now.Sub(at) >= h.window {
				delete(h.seen, k)
			}
		}
	}
}
