package emulator

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// QueuePath answers GET with the bot's reply-queue numbers (QueueStats), or
// 204 when the bot shows none. The page polls it every second.
const QueuePath = "/emulator/queue"

// The bot's own route with its queue's numbers (the plain-HTTP adapter's
// GET /queue, beside its /webhook), how long the emulator waits for it and
// how long an answer is reused.
const (
	botQueuePath = "queue"
	queueTimeout = time.Second
	queueTTL     = time.Second
)

// QueueStats is what the bot's GET /queue reports: replies waiting (the one
// being sent included), sent and failed so far, and the oldest one's age.
type QueueStats struct {
	Depth       int   `json:"depth"`
	Sent        int64 `json:"sent"`
	Failed      int64 `json:"failed"`
	OldestAgeMS int64 `json:"oldest_age_ms"`
}

// queueCache holds the last answer of the bot's /queue for queueTTL, so
// several open pages cost the bot one request a second.
type queueCache struct {
	mu      sync.Mutex
	url     string
	at      time.Time
	stats   *QueueStats
	pending chan struct{} // closed when the fetch under way ends
}

// QueueURL is where the bot at botURL shows its queue: queue beside the
// webhook's path (http://host:8080/webhook → http://host:8080/queue).
func QueueURL(botURL string) (string, error) {
	u, err := url.Parse(botURL)
	if err != nil {
		return "", err
	}
	u.RawQuery, u.Fragment = "", ""
	return u.ResolveReference(&url.URL{Path: botQueuePath}).String(), nil
}

// BotQueue fetches the bot's queue numbers, or nil when the bot has no
// queue route, cannot be reached or answers anything else. Answers are
// reused for a second.
func (e *Emulator) BotQueue(ctx context.Context) *QueueStats {
	u, err := QueueURL(e.store.getSettings().BotURL)
	if err != nil {
		return nil
	}
	c := &e.queue
	for {
		c.mu.Lock()
		if c.url == u && e.clock.Now().Sub(c.at) < queueTTL {
			s := c.stats
			c.mu.Unlock()
			return s
		}
		if c.pending == nil {
			break // this call fetches; c.mu still held
		}
		p := c.pending
		c.mu.Unlock()
		select {
		case <-p:
		case <-ctx.Done():
			return nil
		}
	}
	done := make(chan struct{})
	c.pending = done
	c.mu.Unlock()
	s := e.fetchQueue(ctx, u)
	c.mu.Lock()
	c.url, c.at, c.stats, c.pending = u, e.clock.Now(), s, nil
	c.mu.Unlock()
	close(done)
	return s
}

func (e *Emulator) fetchQueue(ctx context.Context, u string) *QueueStats {
	ctx, cancel := context.WithTimeout(ctx, queueTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil
	}
	resp, err := e.hc.Do(req)
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil
	}
	var s QueueStats
	if err := json.NewDecoder(io.LimitReader(resp.Body, 4<<10)).Decode(&s); err != nil {
		return nil
	}
	return &s
}

func (e *Emulator) serveQueue(w http.ResponseWriter, r *http.Request) {
	s := e.BotQueue(r.Context())
	if s == nil {
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(w, http.StatusOK, s)
}
