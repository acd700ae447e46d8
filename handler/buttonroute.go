package handler

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
)

// OnSignedButton routes valid clicks on buttons of kind s to h, with their
// payload. Invalid ones go to the Mux's OnInvalidButton handler.
func OnSignedButton[P any](m *Mux, s *SignedButton[P], h func(ctx context.Context, ev *Event, payload P) error) {
	if h == nil {
		panic("handler: nil handler for signed button " + s.name)
	}
	c := m.buttonConfig()
	if _, dup := c.routes[s.name]; dup {
		panic(fmt.Sprintf("handler: signed button %q routed twice", s.name))
	}
	routed, invalid := "signed-button:"+s.name, "invalid-button:"+s.name
	c.routes[s.name] = func(ctx context.Context, ev *Event) error {
		p, err := s.Decode(ev)
		if err != nil {
			ev.route = invalid
			return c.invalid(ctx, ev, err)
		}
		ev.route = routed
		return h(ctx, ev, p)
	}
}

// OnInvalidButton sets the handler of signed-button clicks that must not
// reach their route: err wraps ErrButtonInvalid, ErrButtonExpired,
// ErrButtonOtherUser or ErrButtonUnrouted. The default replies politely
// (DefaultInvalidButton).
func (b *Mux) OnInvalidButton(h func(ctx context.Context, ev *Event, err error) error) {
	if h == nil {
		panic("handler: nil handler for invalid buttons")
	}
	b.buttonConfig().invalid = h
}

// DefaultInvalidButton is the default OnInvalidButton handler: a short
// reply saying why the button did nothing.
func DefaultInvalidButton(ctx context.Context, ev *Event, err error) error {
	switch {
	case errors.Is(err, ErrButtonExpired):
		return ev.Reply(ctx, "Sorry, this button has expired. Please start again.")
	case errors.Is(err, ErrButtonOtherUser):
		return ev.Reply(ctx, "Sorry, this button was meant for someone else.")
	}
	return ev.Reply(ctx, "Sorry, this button no longer works. Please start again.")
}

// WithButtonKey sets the keys of signed buttons: the first signs, every one
// is accepted, so "new,old" rotates the key without breaking buttons sent
// before. Each must be at least 16 bytes (32 random bytes recommended).
// Without it the key is derived from the bot token given to New (and the
// tokens of WithAcceptedTokens) with HMAC-SHA256, so signed buttons work
// with no setup; a new token then makes the buttons sent before it invalid.
func WithButtonKey(keys ...[]byte) Option {
	return func(b *Mux) { b.buttonConfig().keys = append([][]byte(nil), keys...) }
}

// minButtonKey is the shortest key WithButtonKey accepts.
const minButtonKey = 16

// buttonConfig is a Mux's signed-button setup.
type buttonConfig struct {
	keys    [][]byte // the first signs
	invalid func(ctx context.Context, ev *Event, err error) error
	routes  map[string]HandlerFunc // by kind name
}

func (b *Mux) buttonConfig() *buttonConfig {
	if b.buttons == nil {
		b.buttons = &buttonConfig{invalid: DefaultInvalidButton, routes: map[string]HandlerFunc{}}
	}
	return b.buttons
}

// initButtons checks or derives the button keys, and when the process
// declares signed buttons routes SignedPrefix to them; New calls it.
func (b *Mux) initButtons(token string) error {
	c := b.buttonConfig()
	if len(c.keys) == 0 {
		for _, t := range append([]string{token}, b.accepted...) {
			if t != "" {
				c.keys = append(c.keys, deriveButtonKey(t))
			}
		}
	}
	for i, k := range c.keys {
		if len(k) < minButtonKey {
			return fmt.Errorf("handler: WithButtonKey: key %d is %d bytes, want at least %d (32 random bytes recommended)", i+1, len(k), minButtonKey)
		}
	}
	if signedDeclared() {
		b.OnCallbackPrefix(SignedPrefix, b.routeSigned)
	}
	return nil
}

// deriveButtonKey is the default key: HMAC-SHA256 of a fixed label under
// the token, so the key reveals nothing of the token.
func deriveButtonKey(token string) []byte {
	m := hmac.New(sha256.New, []byte(token))
	m.Write([]byte("sociogram-kit signed button key v1"))
	return m.Sum(nil)
}

// routeSigned handles every callback whose data starts with SignedPrefix.
func (b *Mux) routeSigned(ctx context.Context, ev *Event) error {
	c := b.buttons
	name, _, _ := strings.Cut(strings.TrimPrefix(ev.CallbackData, SignedPrefix), ".")
	if h, ok := c.routes[name]; ok {
		return h(ctx, ev)
	}
	ev.route = "invalid-button" // not a kind this bot routes (the label does not repeat untrusted data)
	if _, err := openButton(c.keys, ev.CallbackData); err != nil {
		return c.invalid(ctx, ev, err)
	}
	return c.invalid(ctx, ev, fmt.Errorf("%w: %q", ErrButtonUnrouted, name))
}
