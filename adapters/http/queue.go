package httpadapter

import (
	"encoding/json"
	"net/http"

	"github.com/sociogram-kit/kit/replyqueue"
)

// QueuePath answers GET with the reply queue's numbers, when the server has
// one (WithQueueStats); without one it is not routed (404).
const QueuePath = "/queue"

// QueueStats is the JSON body of GET /queue.
type QueueStats struct {
	Depth       int   `json:"depth"`         // replies waiting, the one being sent included
	Sent        int64 `json:"sent"`          // delivered (or possibly delivered) so far
	Failed      int64 `json:"failed"`        // given up on so far
	OldestAgeMS int64 `json:"oldest_age_ms"` // how long the oldest waiting reply has waited
}

// Option configures Handler and NewServer.
type Option func(*options)

type options struct {
	stats func() replyqueue.Stats
}

// WithQueueStats serves GET /queue from stats (for example a
// *replyqueue.Local's Stats): read-only counts, no replies and no token.
func WithQueueStats(stats func() replyqueue.Stats) Option {
	return func(o *options) { o.stats = stats }
}

func serveQueue(stats func() replyqueue.Stats) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		s := stats()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		json.NewEncoder(w).Encode(QueueStats{Depth: s.Depth, Sent: s.Sent, Failed: s.Failed,
			OldestAgeMS: s.OldestAge.Milliseconds()})
	}
}
