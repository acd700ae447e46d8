package pubsubqueue

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

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

// PushHandler delivers pushed replies. See the package documentation.
type PushHandler struct {
	deliver *replyqueue.Deliverer
	logger  *slog.Logger
	window  time.Duration
	now     func() time.Time

	mu   sync.Mutex
	seen map[string]time.Time // reply ID -> when sent
}

// NewPushHandler returns a PushHandler delivering with d.
func NewPushHandler(d *replyqueue.Deliverer, logger *slog.Logger) *PushHandler {
	return &PushHandler{deliver: d, logger: logger, window: DefaultDedupWindow, now: time.Now, seen: map[string]time.Time{}}
}

// ServeHTTP handles one push: 204 acks it, 503 has Pub/Sub retry it, 400
// answers a body that is not a push envelope (Pub/Sub retries that too, and
// then dead-letters it).
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
		"age_ms", h.now().Sub(m.PublishTime).Milliseconds()}
	if id != "" && h.sent(id) {
		h.logger.InfoContext(ctx, "reply already sent; acknowledged", attrs...)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	out, err := h.deliver.Deliver(ctx, m.Data)
	if out == replyqueue.Retry {
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

func (h *PushHandler) sent(id string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	at, ok := h.seen[id]
	return ok && h.now().Sub(at) < h.window
}

func (h *PushHandler) remember(id string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	now := h.now()
	h.seen[id] = now
	if len(h.seen)%1024 == 0 {
		for k, at := range h.seen {
			if now.Sub(at) >= h.window {
				delete(h.seen, k)
			}
		}
	}
}
