package handler

import (
	"cmp"
	"context"
	"crypto/subtle"
	"log/slog"
	"slices"
	"strings"
	"sync/atomic"
)

// HeaderAppKey is the header that carries the bot token, in both directions.
const HeaderAppKey = "X-App-Key"

// Token is a bot token. It prints and logs as [REDACTED]; call Reveal for the
// value.
type Token string

// Reveal returns the token's value.
func (t Token) Reveal() string { return string(t) }

// String returns "[REDACTED]", so the token cannot leak through fmt.
func (t Token) String() string { return "[REDACTED]" }

// GoString returns "[REDACTED]", so the token cannot leak through %#v.
func (t Token) GoString() string { return "[REDACTED]" }

// LogValue returns "[REDACTED]", so the token cannot leak through log/slog.
func (t Token) LogValue() slog.Value { return slog.StringValue("[REDACTED]") }

// Verifier decides whether the X-App-Key of an inbound webhook is acceptable.
// Implementations must compare in constant time. Keyring is the standard one;
// the Lambda adapter wraps it to re-read a rotated secret.
type Verifier interface {
	Verify(ctx context.Context, key string) bool
}

// Keyring holds the tokens a bot accepts, the first being the one it sends
// with. Keeping two tokens during a rotation lets webhooks carrying either
// through. A Keyring is safe for concurrent use; Set replaces the tokens
// atomically.
type Keyring struct {
	tokens atomic.Pointer[[]Token]
}

// NewKeyring returns a keyring holding tokens. Empty tokens are dropped.
func NewKeyring(tokens ...string) *Keyring {
	k := &Keyring{}
	k.Set(tokens...)
	return k
}

// Set replaces the keyring's tokens. Empty tokens are dropped.
func (k *Keyring) Set(tokens ...string) {
	ts := make([]Token, 0, len(tokens))
	for _, t := range tokens {
		if t != "" {
			ts = append(ts, Token(t))
		}
	}
	k.tokens.Store(&ts)
}

// Len reports how many tokens the keyring holds.
func (k *Keyring) Len() int { return len(*k.tokens.Load()) }

// Primary returns the token to send with ("" when the keyring is empty).
func (k *Keyring) Primary() string {
	ts := *k.tokens.Load()
	if len(ts) == 0 {
		return ""
	}
	return string(ts[0])
}

// Redact returns s with every token of the keyring replaced by [REDACTED],
// the longest first, so that no part of one survives. Error texts that may
// echo a token (a Bot API error body) go through it.
func (k *Keyring) Redact(s string) string {
	ts := slices.Clone(*k.tokens.Load())
	slices.SortFunc(ts, func(a, b Token) int { return cmp.Compare(len(b), len(a)) })
	for _, t := range ts {
		s = strings.ReplaceAll(s, string(t), "[REDACTED]")
	}
	return s
}

// Verify reports whether key equals one of the tokens. Every token is
// compared, in constant time, whatever the outcome, so the timing reveals
// neither the token nor which one matched.
func (k *Keyring) Verify(_ context.Context, key string) bool {
	ok := 0
	for _, t := range *k.tokens.Load() {
		ok |= subtle.ConstantTimeCompare([]byte(key), []byte(t))
	}
	return key != "" && ok == 1
}
