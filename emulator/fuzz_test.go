package emulator_test

import (
	"errors"
	"testing"

	"github.com/sociogram-kit/kit/emulator"
)

// FuzzParseSend: send-message bodies are untrusted input. ParseSend never
// panics, every error is ErrMalformed, and what it accepts has the
// documented shape.
func FuzzParseSend(f *testing.F) {
	for _, s := range []string{
		`{"uid":12345,"message":{"text":"Hello! How can I help you today?","buttonMarkup":[[{"text":"Get Started","callbackData":"start_action"},{"text":"Help","url":"https://example.com/help"}]]}}`,
		`{"uid":1,"message":{"media":[{}]}}`, `{"uid":"1"}`, `[]`, `null`, `{"uid":1,"message":null}`,
		`{"uid":1e3,"message":{"text":"x"}}`, `{"uid":1,"message":{"text":"x","buttonMarkup":[[]]}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := emulator.ParseSend(body)
		if err != nil {
			if !errors.Is(err, emulator.ErrMalformed) {
				t.Fatalf("error %v is not ErrMalformed", err)
			}
			return
		}
		if req.UID <= 0 || (req.Message.Text == "" && len(req.Message.Media) == 0) {
			t.Fatalf("accepted %+v", req)
		}
		for _, row := range req.Message.ButtonMarkup {
			for _, b := range row {
				if b.Text == "" || (b.CallbackData == "") == (b.URL == "") {
					t.Fatalf("accepted button %+v", b)
				}
			}
		}
	})
}
