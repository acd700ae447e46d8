package handler

import (
	"encoding/json"
	"fmt"
	"time"
)

// StoredStates is a user's record as a turn at a given time reads it, for
// tools that show state (the plain-HTTP server's development endpoint GET
// /dev/state, and through it the emulator's State panel). A bot's handlers
// use State instead.
type StoredStates struct {
	// States holds each state by its name (NewState) as the JSON it is
	// stored as; a state at its zero value is not stored. Empty when the
	// user has no record or it expired.
	States map[string]json.RawMessage
	// Pending counts the replies committed with the state and not yet known
	// to be delivered (the outbox; see the package documentation's "State").
	Pending int
	// Expired reports that the record's Expires had passed: a turn reads it
	// as empty (States and Pending are then empty too).
	Expired bool
}

// DecodeRecordStates decodes a Record a Mux stored (WithStore) as a turn
// running at now would see it. It fails, naming what is wrong, when the
// record's Data is not in the turn's format.
func DecodeRecordStates(rec Record, now time.Time) (StoredStates, error) {
	out := StoredStates{States: map[string]json.RawMessage{}}
	if !rec.Expires.IsZero() && !now.Before(rec.Expires) {
		out.Expired = true
		return out, nil
	}
	d, err := decodeRecord(rec.Data)
	if err != nil {
		return StoredStates{}, fmt.Errorf("handler: the state record (version %d) is not in the turn's format: %w", rec.Version, err)
	}
	for name, raw := range d.S {
		out.States[name] = raw
	}
	for _, e := range d.O {
		out.Pending += len(e.M)
	}
	return out, nil
}

// StoreKey returns the key under which a Mux keeps uid's record in its Store:
// the decimal uid.
func StoreKey(uid int64) string { return storeKey(uid) }
