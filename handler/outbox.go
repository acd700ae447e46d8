package handler

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// recordData is the JSON a turn keeps in a Record's Data:
//
//	{"s": {name: state...}, "o": [{"f": fingerprint, "t": unixMillis, "m": [Message...]}]}
//
// s holds the states by name (NewState), o the outbox: replies committed with
// the state and not yet known to be delivered, one entry per turn.
type recordData struct {
	S map[string]json.RawMessage `json:"s,omitempty"`
	O []entry                    `json:"o,omitempty"`
}

// entry is one turn's pending replies.
type entry struct {
	F string    `json:"f"` // the event's fingerprint
	T int64     `json:"t"` // when the turn committed, in Unix milliseconds; 0: abandoned
	M []Message `json:"m"` // the replies not yet delivered, in order
}

// decodeRecord parses a record's Data; empty Data is an empty record. It is
// the one parser of stored bytes, so it checks the shape it relies on.
func decodeRecord(data []byte) (recordData, error) {
	var d recordData
	if len(data) == 0 {
		return d, nil
	}
	if err := json.Unmarshal(data, &d); err != nil {
		return recordData{}, err
	}
	if d.S == nil && d.O == nil && !isObject(data) {
		return recordData{}, errors.New("not a JSON object")
	}
	for name, raw := range d.S {
		if len(raw) == 0 || string(raw) == "null" {
			return recordData{}, fmt.Errorf("state %q is null", name)
		}
	}
	for i, e := range d.O {
		if e.F == "" || e.T < 0 {
			return recordData{}, fmt.Errorf("outbox entry %d has no fingerprint or a negative time", i)
		}
	}
	return d, nil
}

// isObject reports whether data, valid JSON, is an object.
func isObject(data []byte) bool {
	for _, c := range data {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return c == '{'
	}
	return false
}

func encodeRecord(d recordData) ([]byte, error) {
	b, err := json.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("handler: encoding the state record: %w", err)
	}
	return b, nil
}

// find returns the index of the outbox entry with fingerprint f, or -1.
func (d *recordData) find(f string) int {
	for i := range d.O {
		if d.O[i].F == f {
			return i
		}
	}
	return -1
}

// orphans splits the outbox into the replies of turns that failed or died
// (abandoned, or committed more than lease ago), in order, and the entries
// of turns that may still be sending.
func (d *recordData) orphans(now time.Time, lease time.Duration) (carried []Message, kept []entry) {
	cutoff := now.Add(-lease).UnixMilli()
	for _, e := range d.O {
		if e.T == 0 || e.T <= cutoff {
			carried = append(carried, e.M...)
		} else {
			kept = append(kept, e)
		}
	}
	return carried, kept
}

// fingerprint identifies an event for redelivery: the webhook carries no
// event id, so it is a hash of what the event says.
func fingerprint(ev *Event) string {
	h := sha256.New()
	h.Write([]byte(ev.Type))
	h.Write([]byte{0})
	h.Write(strconv.AppendInt(nil, ev.UID, 10))
	h.Write([]byte{0})
	h.Write([]byte(ev.ChatID))
	h.Write([]byte{0})
	if ev.Type == EventCallbackQuery {
		h.Write([]byte(ev.CallbackData))
	} else {
		h.Write([]byte(ev.Text))
	}
	var sum [sha256.Size]byte
	return base64.RawURLEncoding.EncodeToString(h.Sum(sum[:0])[:12])
}

// collector is the Sender of a turn's handler: replies wait in it until the
// turn has committed.
type collector struct{ msgs []Message }

func (c *collector) Send(_ context.Context, _ int64, msg Message) error {
	c.msgs = append(c.msgs, msg)
	return nil
}

// sendInOrder sends msgs through the event's sender, stopping at the first
// failure that may pass (the rest are returned, in order, to try again). A
// failure that will not pass (the sender's error says Temporary() == false,
// e.g. the platform answered 400) drops that message. A reply that may have
// been delivered counts as sent. Failures are recorded on the event.
func sendInOrder(ctx context.Context, ev *Event, msgs []Message) (unsent []Message, ok bool, sent int) {
	ok = true
	for i, m := range msgs {
		err := ev.Send(ctx, m)
		switch {
		case err == nil || errors.Is(err, ErrMaybeDelivered):
			sent++
		case permanent(err):
			ok = false
		default:
			return msgs[i:], false, sent
		}
	}
	return nil, ok, sent
}

// permanent reports whether a send error says that trying again cannot help.
func permanent(err error) bool {
	var t interface{ Temporary() bool }
	return errors.As(err, &t) && !t.Temporary()
}
