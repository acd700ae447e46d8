package handler

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"
)

// SignedPrefix starts the callback data of every signed button. A bot that
// declares signed buttons (NewSignedButton) cannot register a callback
// route of its own for it.
const SignedPrefix = "~"

// Errors of a signed button's click (SignedButton.Decode), wrapped.
var (
	// ErrButtonInvalid: not a button this bot signed with its current key(s):
	// tampered with, forged, malformed, of another kind, signed before a key
	// rotation, or not a click at all.
	ErrButtonInvalid = errors.New("handler: not a valid signed button")
	// ErrButtonExpired: signed by the bot, but its time (ButtonTTL) is over.
	ErrButtonExpired = errors.New("handler: the button has expired")
	// ErrButtonOtherUser: signed by the bot for another user (ButtonForUser).
	ErrButtonOtherUser = errors.New("handler: the button was sent to another user")
	// ErrButtonUnrouted: a valid signed button whose kind has no
	// OnSignedButton route and that no intercept (a conversation) took.
	ErrButtonUnrouted = errors.New("handler: no route for this signed button")
)

// SignedButton is a kind of button whose callback data carries a payload of
// type P, authenticated with HMAC-SHA256 under the bot's button key
// (WithButtonKey), optionally expiring (ButtonTTL) and bound to the user it
// was sent to (ButtonForUser). A client can send any callback data, and an
// ordinary button stays clickable forever; a signed one proves the bot made
// it, for whom, and until when. Declare it once, at package level:
//
//	type Pick struct {
//		Product string `json:"p"` // short JSON names keep the data short
//	}
//
//	var pick = handler.NewSignedButton[Pick]("pick", handler.ButtonTTL(time.Hour), handler.ButtonForUser())
//
// make buttons in a handler with pick.Button(ev, "Tea", Pick{"tea"}), and
// route their clicks with OnSignedButton(mux, pick, ...). A click that is
// tampered with, expired or another user's never reaches that route: it goes
// to the handler set by Mux.OnInvalidButton (by default a polite reply).
//
// Signing proves origin, not freshness: a valid button can be clicked
// again until it expires. For a one-time action (confirm an order), check
// the user's state too, as package conversation does.
//
// The data is SignedPrefix, the kind's name, ".", then the unpadded
// base64url of: a flags byte, the expiry (Unix seconds, uvarint) and the
// uid (varint) when set, the payload's JSON, and the first 16 bytes (128
// bits, RFC 2104's recommended length) of the HMAC of all that and the
// name. Its length is 1 + len(name) + 1 + ceil(4/3 × (1 + 5 + 5 + len(JSON)
// + 16)): about 60 bytes for a 10-byte payload. The platform documents no
// limit; keep payloads small (an id, not a record).
type SignedButton[P any] struct {
	name    string
	ttl     time.Duration
	forUser bool
}

// ButtonOption configures a SignedButton.
type ButtonOption func(*buttonKind)

type buttonKind struct {
	ttl     time.Duration
	forUser bool
}

// ButtonTTL makes the kind's buttons expire d after they are made (on the
// Mux's clock, to the second). Without it they never expire.
func ButtonTTL(d time.Duration) ButtonOption {
	if d <= 0 {
		panic(fmt.Sprintf("handler: ButtonTTL needs a positive duration, got %v", d))
	}
	return func(k *buttonKind) { k.ttl = d }
}

// ButtonForUser binds the kind's buttons to the user they are sent to (the
// event's uid): another user's click is refused with ErrButtonOtherUser.
func ButtonForUser() ButtonOption { return func(k *buttonKind) { k.forUser = true } }

var (
	buttonNamesMu sync.Mutex
	buttonNames   = map[string]bool{}
)

// maxButtonName bounds a kind's name, which every button's data repeats.
const maxButtonName = 16

// NewSignedButton declares a kind of signed button called name (1 to 16
// letters, digits, '-' or '_'; short, as every button's data repeats it).
// It panics when the name is invalid or already declared in this process,
// or when P cannot be encoded as JSON: call it at package level.
func NewSignedButton[P any](name string, opts ...ButtonOption) *SignedButton[P] {
	if !validButtonName(name) {
		panic(fmt.Sprintf("handler: signed button name %q: want 1 to %d letters, digits, '-' or '_'", name, maxButtonName))
	}
	if _, err := json.Marshal(new(P)); err != nil {
		panic(fmt.Sprintf("handler: signed button %q: %T cannot be encoded as JSON: %v", name, *new(P), err))
	}
	var k buttonKind
	for _, o := range opts {
		o(&k)
	}
	buttonNamesMu.Lock()
	defer buttonNamesMu.Unlock()
	if buttonNames[name] {
		panic(fmt.Sprintf("handler: signed button %q declared twice (NewSignedButton)", name))
	}
	buttonNames[name] = true
	return &SignedButton[P]{name: name, ttl: k.ttl, forUser: k.forUser}
}

func validButtonName(name string) bool {
	if name == "" || len(name) > maxButtonName {
		return false
	}
	for _, c := range []byte(name) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// signedDeclared reports whether this process declared a signed button.
func signedDeclared() bool {
	buttonNamesMu.Lock()
	defer buttonNamesMu.Unlock()
	return len(buttonNames) > 0
}

// Name returns the kind's name.
func (s *SignedButton[P]) Name() string { return s.name }

// Button returns a callback button labelled text whose data carries payload,
// signed for the user of ev, expiring per ButtonTTL from ev.Now(). Like
// State.Get it never panics: when the data cannot be made (P's JSON fails,
// the Mux has no key, or ev was not dispatched by a Mux) the turn fails with the reason (500,
// nothing sent).
func (s *SignedButton[P]) Button(ev *Event, text string, payload P) Button {
	return CallbackButton(text, s.Data(ev, payload))
}

// Data returns the signed callback data of Button.
func (s *SignedButton[P]) Data(ev *Event, payload P) string {
	switch {
	case ev.mux == nil:
		ev.failed = errors.Join(ev.failed, fmt.Errorf("handler: signed button %q made for an event no Mux dispatched", s.name))
		return ""
	case len(ev.mux.buttons.keys) == 0:
		ev.failed = errors.Join(ev.failed, fmt.Errorf("handler: signed button %q: no key: give handler.WithButtonKey (there is no token to derive one from)", s.name))
		return ""
	}
	p, err := json.Marshal(payload)
	if err != nil {
		ev.failed = errors.Join(ev.failed, fmt.Errorf("handler: signed button %q: payload cannot be encoded: %w", s.name, err))
		return ""
	}
	d := buttonData{name: s.name, payload: p}
	if s.ttl > 0 {
		d.expires = ev.Now().Add(s.ttl + time.Second - 1).Unix() // rounded up to the second
	}
	if s.forUser {
		d.uid, d.bound = ev.UID, true
	}
	return sealButton(ev.mux.buttons.keys[0], d)
}

// Decode returns the payload of ev's click on a button of this kind. The
// error wraps ErrButtonInvalid (not this kind, not signed with the bot's
// key, or not a click), ErrButtonExpired or ErrButtonOtherUser.
func (s *SignedButton[P]) Decode(ev *Event) (P, error) {
	var p P
	if ev.Type != EventCallbackQuery || ev.mux == nil {
		return p, fmt.Errorf("%w: not a button click", ErrButtonInvalid)
	}
	d, err := openButton(ev.mux.buttons.keys, ev.CallbackData)
	switch {
	case err != nil:
		return p, err
	case d.name != s.name:
		return p, fmt.Errorf("%w: a %q button, not %q", ErrButtonInvalid, d.name, s.name)
	case d.expires != 0 && ev.Now().Unix() >= d.expires:
		return p, fmt.Errorf("%w (%s)", ErrButtonExpired, time.Unix(d.expires, 0).UTC().Format(time.RFC3339))
	case d.bound && d.uid != ev.UID:
		return p, ErrButtonOtherUser
	}
	if err := json.Unmarshal(d.payload, &p); err != nil {
		return p, fmt.Errorf("%w: payload does not decode into %T: %v", ErrButtonInvalid, p, err)
	}
	return p, nil
}
