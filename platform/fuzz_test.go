package platform_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/sociogram-kit/kit/platform"
)

// FuzzParseSendMessage: send-message bodies are untrusted input. Seeded
// with every body of the table. ParseSendMessage never panics; a rejection
// is an *Error with a status and its condition; with encoding/json as the
// oracle, what it accepts is valid JSON whose uid and text are what it
// read, and has the documented shape within the limits; and what it
// accepts, encoded again with this package's tags, reads back the same.
func FuzzParseSendMessage(f *testing.F) {
	for _, c := range calls {
		f.Add([]byte(c.body))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		m, err := platform.ParseSendMessage("application/json", body)
		if err != nil {
			var pe *platform.Error
			if !errors.As(err, &pe) || conditions[pe.Status] == nil || !errors.Is(err, conditions[pe.Status]) {
				t.Fatalf("error %v (%T): want a *platform.Error with a status and its condition", err, err)
			}
			return
		}
		if !json.Valid(body) {
			t.Fatalf("accepted a body encoding/json finds invalid")
		}
		var oracle struct {
			UID     int64 `json:"uid"`
			Message struct {
				Text string `json:"text"`
			} `json:"message"`
		}
		if err := json.Unmarshal(body, &oracle); err != nil || oracle.UID != m.UID || oracle.Message.Text != m.Message.Text {
			t.Fatalf("read uid %d text %q; encoding/json reads %+v (%v)", m.UID, m.Message.Text, oracle, err)
		}
		msg := m.Message
		if m.UID <= 0 || (msg.Text == "" && len(msg.Media) == 0) {
			t.Fatalf("accepted %+v", m)
		}
		n := 0
		for _, row := range msg.ButtonMarkup {
			if len(row) == 0 || len(row) > platform.MaxButtonsPerRow {
				t.Fatalf("accepted a row of %d buttons", len(row))
			}
			for _, b := range row {
				n++
				if b.Text == "" || (b.CallbackData == "") == (b.URL == "") || len(b.CallbackData) > platform.MaxCallbackDataBytes {
					t.Fatalf("accepted button %+v", b)
				}
			}
		}
		if n > platform.MaxButtons {
			t.Fatalf("accepted %d buttons", n)
		}
		for _, it := range msg.Media {
			var obj map[string]json.RawMessage
			if json.Unmarshal(it, &obj) != nil || obj == nil {
				t.Fatalf("accepted media item %s", it)
			}
		}
		again, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		back, err := platform.ParseSendMessage("application/json", again)
		if err != nil || !sameMessage(back, m) {
			t.Fatalf("re-encoded %s reads as %+v, %v; want %+v", again, back, err, m)
		}
	})
}
