package handler

import (
	"bytes"
	"errors"
	"testing"
)

var fuzzKeys = [][]byte{bytes.Repeat([]byte("k"), 32), bytes.Repeat([]byte("o"), 32)}

// FuzzOpenButton: the decoder of untrusted callback data never panics,
// refuses with ErrButtonInvalid, and accepts only data that sealing what it
// decoded gives back byte for byte (so only data the bot signed).
func FuzzOpenButton(f *testing.F) {
	for _, d := range []buttonData{
		{name: "pick", payload: []byte(`{"p":"tea"}`), expires: 1790000000, uid: 1234567890, bound: true},
		{name: "p", payload: []byte(`"x"`)},
		{name: "confirm", payload: []byte(`true`), uid: -5, bound: true},
		{name: "n", payload: []byte(`7`), expires: 1},
		{name: "empty", payload: nil},
	} {
		f.Add(sealButton(fuzzKeys[0], d))
		f.Add(sealButton(fuzzKeys[1], d))
	}
	for _, s := range []string{"", "~", "~.", "~p.", "~p.A", "~p.AAAAAAAAAAAAAAAAAAAAAAAA", "~p.=", "~p..", "~é.AAAA", "pick", "~pick.!!"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		checkSigned(t, data)
		d, err := openButton(fuzzKeys, data)
		if err != nil {
			if !errors.Is(err, ErrButtonInvalid) {
				t.Fatalf("openButton(%q): %v, not ErrButtonInvalid", data, err)
			}
			return
		}
		again0, again1 := sealButton(fuzzKeys[0], d), sealButton(fuzzKeys[1], d)
		if data != again0 && data != again1 {
			t.Fatalf("openButton accepted %q, which is not what the bot signs for %+v (%q)", data, d, again0)
		}
	})
}

// checkSigned signs data as a body, as one who holds the key could, so
// that the parser behind the tag meets arbitrary bytes too: it must not
// panic, and what it accepts must have a sane expiry.
func checkSigned(t *testing.T, data string) {
	body := []byte(data)
	body = append(body, buttonTag(fuzzKeys[0], "f", body)...)
	d, err := openButton(fuzzKeys, SignedPrefix+"f."+b64.EncodeToString(body))
	switch {
	case len(data) == 0 && err == nil:
		t.Fatal("an empty body was accepted")
	case err != nil && !errors.Is(err, ErrButtonInvalid):
		t.Fatalf("signed body %q: %v, not ErrButtonInvalid", data, err)
	case err == nil && (d.expires < 0 || d.name != "f"):
		t.Fatalf("signed body %q decoded as %+v", data, d)
	}
}
