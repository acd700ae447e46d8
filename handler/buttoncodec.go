package handler

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strings"
)

// buttonData is what a signed button's callback data says.
type buttonData struct {
	name    string
	expires int64 // Unix seconds; 0: never
	uid     int64
	bound   bool // uid is set
	payload []byte
}

// Layout of the signed part (before base64url).
const (
	flagExpires = 1 << iota
	flagUID
	flagsKnown = flagExpires | flagUID

	tagLen        = 16   // bytes of HMAC-SHA256 kept: 128 bits
	maxButtonData = 1024 // longer callback data is refused before any work
)

var b64 = base64.RawURLEncoding.Strict()

// sealButton encodes d and signs it with key:
//
//	SignedPrefix name "." base64url(flags [expires uvarint] [uid varint] payload tag)
func sealButton(key []byte, d buttonData) string {
	body := make([]byte, 1, 1+2*binary.MaxVarintLen64+len(d.payload)+tagLen)
	if d.expires != 0 {
		body[0] |= flagExpires
		body = binary.AppendUvarint(body, uint64(d.expires))
	}
	if d.bound {
		body[0] |= flagUID
		body = binary.AppendVarint(body, d.uid)
	}
	body = append(body, d.payload...)
	body = append(body, buttonTag(key, d.name, body)...)
	var sb strings.Builder
	sb.Grow(len(SignedPrefix) + len(d.name) + 1 + b64.EncodedLen(len(body)))
	sb.WriteString(SignedPrefix)
	sb.WriteString(d.name)
	sb.WriteByte('.')
	sb.WriteString(b64.EncodeToString(body))
	return sb.String()
}

// buttonTag is the truncated HMAC of a button's name and body; the name is
// in it, so one kind's data cannot pass as another's.
func buttonTag(key []byte, name string, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("sociogram-kit signed button v1\x00"))
	m.Write([]byte(name))
	m.Write([]byte{0})
	m.Write(body)
	return m.Sum(nil)[:tagLen]
}

// openButton checks data's tag against each key and decodes it. It is the
// parser of untrusted callback data: any failure is ErrButtonInvalid, and
// nothing but the tag is read before the tag has matched.
func openButton(keys [][]byte, data string) (buttonData, error) {
	if len(data) > maxButtonData {
		return buttonData{}, fmt.Errorf("%w: %d bytes, over %d", ErrButtonInvalid, len(data), maxButtonData)
	}
	rest, ok := strings.CutPrefix(data, SignedPrefix)
	name, enc, dot := strings.Cut(rest, ".")
	if !ok || !dot || !validButtonName(name) {
		return buttonData{}, fmt.Errorf("%w: not signed button data", ErrButtonInvalid)
	}
	// Go's base64 decoder skips \r and \n; only the canonical form (what
	// the bot signs) is accepted, so no two data strings open the same.
	body, err := b64.DecodeString(enc)
	if err != nil || strings.ContainsAny(enc, "\r\n") || len(body) < 1+tagLen {
		return buttonData{}, fmt.Errorf("%w: malformed", ErrButtonInvalid)
	}
	signed, tag := body[:len(body)-tagLen], body[len(body)-tagLen:]
	match := 0
	for _, k := range keys {
		if hmac.Equal(tag, buttonTag(k, name, signed)) {
			match++
		}
	}
	if match == 0 {
		return buttonData{}, fmt.Errorf("%w: signature does not match (tampered with, or signed with another key)", ErrButtonInvalid)
	}
	return parseSigned(name, signed)
}

// parseSigned decodes a body whose tag matched. A bot never signs a body
// this refuses, so a refusal means a bug or a key that leaked.
func parseSigned(name string, b []byte) (buttonData, error) {
	d := buttonData{name: name}
	flags := b[0]
	b = b[1:]
	if flags&^flagsKnown != 0 {
		return buttonData{}, fmt.Errorf("%w: unknown flags %#x", ErrButtonInvalid, flags)
	}
	if flags&flagExpires != 0 {
		v, n := binary.Uvarint(b)
		if n <= 0 || v == 0 || v > 1<<62 {
			return buttonData{}, fmt.Errorf("%w: bad expiry", ErrButtonInvalid)
		}
		d.expires, b = int64(v), b[n:]
	}
	if flags&flagUID != 0 {
		v, n := binary.Varint(b)
		if n <= 0 {
			return buttonData{}, fmt.Errorf("%w: bad uid", ErrButtonInvalid)
		}
		d.uid, d.bound, b = v, true, b[n:]
	}
	d.payload = b
	return d, nil
}
