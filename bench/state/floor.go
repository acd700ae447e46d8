package state

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/sociogram-kit/kit/handler"
)

// Floor is the hand-written floor: the least a careful person would write
// with net/http, encoding/json and log/slog for the benchmark's bot (any
// text adds one to the user's counter and replies "count N"), keeping the
// counter in a FloorStore with optimistic concurrency. Per webhook it checks
// X-App-Key in constant time, decodes the body with encoding/json, reads the
// item, writes it back on the condition that its version has not moved
// (rereading up to 10 times on a conflict), sends the reply after the write,
// answers 200 (500 when the store or the send fails) and logs one JSON line
// (event, uid, status, duration) as the kit does.
//
// It gives none of the kit's guarantees beyond the atomic update: a webhook
// redelivered after a failed send runs again (counts twice).
type Floor struct {
	Token  string
	Store  FloorStore
	Sender handler.Sender // the same sink as the kit's, called the same way
	Logger *slog.Logger
	TTL    time.Duration // the item expires this long after its last write

	// Outbox makes the floor do the kit's writes: the reply is kept in the
	// item with the counter, and a second conditional write clears it
	// after the send. It separates the cost of that write from the rest.
	Outbox bool
}

// FloorStore is the floor's store: one item per key, written only if its
// version is still the one read (0: no item), with version+1.
type FloorStore interface {
	Get(ctx context.Context, key string) (version int64, data []byte, expires time.Time, err error)
	Put(ctx context.Context, key string, version int64, data []byte, expires time.Time) error
}

// errConflict is a FloorStore's Put whose version had moved.
var errConflict = errors.New("floor: version changed")

// floorItem is the item's data.
type floorItem struct {
	N       int      `json:"n"`
	Pending []string `json:"p,omitempty"` // Outbox only: the reply not yet sent
}

type floorUpdate struct {
	Data struct {
		ChatMessage *struct {
			UID     int64 `json:"uid"`
			Message struct {
				Text string `json:"text"`
			} `json:"message"`
		} `json:"chat-message"`
	} `json:"data"`
}

// ServeHTTP answers one webhook.
func (f *Floor) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	status, uid := f.serve(r)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	io.WriteString(w, http.StatusText(status)+"\n")
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	f.Logger.LogAttrs(r.Context(), level, "webhook", slog.String("event", "chat-message"), slog.Int64("uid", uid),
		slog.Int("status", status), slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000))
}

func (f *Floor) serve(r *http.Request) (status int, uid int64) {
	if r.Method != http.MethodPost {
		return http.StatusMethodNotAllowed, 0
	}
	if subtle.ConstantTimeCompare([]byte(r.Header.Get(handler.HeaderAppKey)), []byte(f.Token)) != 1 {
		return http.StatusUnauthorized, 0
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	var u floorUpdate
	if err != nil || json.Unmarshal(body, &u) != nil || u.Data.ChatMessage == nil {
		return http.StatusBadRequest, 0
	}
	m := u.Data.ChatMessage
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	if err := f.turn(ctx, m.UID); err != nil {
		return http.StatusInternalServerError, m.UID
	}
	return http.StatusOK, m.UID
}

// turn adds one to uid's counter and replies it, the reply after the write.
func (f *Floor) turn(ctx context.Context, uid int64) error {
	key := strconv.FormatInt(uid, 10)
	for range 10 {
		version, data, expires, err := f.Store.Get(ctx, key)
		if err != nil {
			return err
		}
		var it floorItem
		if len(data) > 0 && (expires.IsZero() || time.Now().Before(expires)) {
			if err := json.Unmarshal(data, &it); err != nil {
				return err
			}
		}
		it.N++
		reply := "count " + strconv.Itoa(it.N)
		if f.Outbox {
			it.Pending = []string{reply}
		}
		if data, err = json.Marshal(it); err != nil {
			return err
		}
		err = f.Store.Put(ctx, key, version, data, time.Now().Add(f.TTL))
		if errors.Is(err, errConflict) {
			continue
		}
		if err != nil {
			return err
		}
		if err := f.Sender.Send(ctx, uid, handler.Message{Text: reply}); err != nil {
			return err
		}
		if !f.Outbox {
			return nil
		}
		it.Pending = nil
		if data, err = json.Marshal(it); err != nil {
			return err
		}
		return f.Store.Put(ctx, key, version+1, data, time.Now().Add(f.TTL))
	}
	return errConflict
}
