package handler

import (
	"bytes"
	"testing"
)

// FuzzDecodeRecord: stored Data is parsed on every turn, so the decoder must
// never panic, and what it accepts must encode and decode to the same bytes.
func FuzzDecodeRecord(f *testing.F) {
	for _, s := range []string{
		``,
		`{}`,
		`null`,
		`[]`,
		`{"s":{"todo":{"Items":["milk"]}}}`,
		`{"s":{"a":1,"b":"x","c":[1,2],"d":null}}`,
		`{"o":[{"f":"abc","t":0,"m":[{"text":"hi"}]}]}`,
		`{"o":[{"f":"abc","t":1893456000000,"m":[{"text":"hi","buttonMarkup":[[{"text":"A","callbackData":"a"}]],"media":[{"type":"image","url":"u"}]}]}]}`,
		`{"s":{"n":{"N":3}},"o":[{"f":"x","t":-1,"m":[]}]}`,
		`{"o":[{"t":5}]}`,
		`{"s":"not an object"}`,
		"{\"s\":{\"\xff\":1}}",
		` {"s" : { "k" : { } } } `,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := decodeRecord(data)
		if err != nil {
			return
		}
		enc, err := encodeRecord(d)
		if err != nil {
			t.Fatalf("decoded %q but cannot encode it: %v", data, err)
		}
		d2, err := decodeRecord(enc)
		if err != nil {
			t.Fatalf("cannot decode our own encoding %q (of %q): %v", enc, data, err)
		}
		enc2, err := encodeRecord(d2)
		if err != nil || !bytes.Equal(enc, enc2) {
			t.Fatalf("encoding not stable: %q then %q (%v)", enc, enc2, err)
		}
	})
}

func TestFingerprint(t *testing.T) {
	base := Event{Type: EventChatMessage, UID: 1, ChatID: "c", Text: "hi"}
	same := base
	same.Command, same.Args = "x", "y" // what routing adds does not count
	if fingerprint(&base) != fingerprint(&same) {
		t.Error("fingerprint depends on routing")
	}
	others := []Event{
		{Type: EventChatMessage, UID: 2, ChatID: "c", Text: "hi"},
		{Type: EventChatMessage, UID: 1, ChatID: "d", Text: "hi"},
		{Type: EventChatMessage, UID: 1, ChatID: "c", Text: "hi!"},
		{Type: EventCallbackQuery, UID: 1, ChatID: "c", CallbackData: "hi"},
		{Type: EventChatMessage, UID: 1, ChatID: "c\x00hi", Text: ""},
	}
	seen := map[string]bool{fingerprint(&base): true}
	for _, e := range others {
		fp := fingerprint(&e)
		if seen[fp] {
			t.Errorf("fingerprint of %+v collides", e)
		}
		seen[fp] = true
	}
}
