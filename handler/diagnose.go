package handler

import (
	"strconv"
	"strings"
)

// HeaderOutcome is the header that, with WithDiagnostics, tells the sender
// of a webhook what the bot did with it: "replied N (route LABEL)", or
// "no reply: " and why (see Event routes and the reasons below). The
// emulator shows it on the message that produced no reply.
const HeaderOutcome = "X-Sociogram-Outcome"

// WithDiagnostics makes the bot say in every 2xx and 5xx answer to a
// webhook what happened to the event, in the X-Sociogram-Outcome header
// (HeaderOutcome): the route that took it and how many replies it sent, or
// why nothing answered ("no route matched", "empty text ...", "only unknown
// event keys ..."). It is for development: the plain-HTTP adapter sets it
// when SOCIOGRAM_DEV is on, so that the emulator and trigger can show why
// the bot did not reply. Never set it in production: it tells whoever holds
// the token how the bot routes. The log line says the same at debug level
// whatever this option says.
func WithDiagnostics() Option { return func(b *Mux) { b.diag = true } }

// SetRoute names what took the event, for an intercept (Mux.Intercept) that
// answers the event itself instead of passing it on: package conversation's
// flows set "flow:NAME". The debug log line and the diagnostics header then
// name it instead of the route the intercept stood in front of. An
// intercept that answers without naming itself is "intercept".
func (e *Event) SetRoute(label string) { e.route = label }

// Reasons an event got no handler, as the log line's "unrouted" and the
// diagnostics header say them.
const (
	reasonNoRoute   = "no route matched"
	reasonEmptyText = "empty text (a chat-message's text is data.chat-message.message.text)"
	reasonNoEvent   = `no event in "data" (want a "chat-message" or "callback-query" object)`
	maxKeysNamed    = 5
	maxKeyShown     = 40
)

// unrouted says why a dispatched event had no handler.
func unrouted(ev *Event) string {
	if ev.Type == EventChatMessage && ev.Text == "" {
		return reasonEmptyText
	}
	return reasonNoRoute
}

// noEvent says why a valid envelope held no event the bot knows: its data
// object was empty, or held only keys this version does not know, named.
func noEvent(body []byte) string {
	keys := dataKeys(body)
	if len(keys) == 0 {
		return reasonNoEvent
	}
	var sb strings.Builder
	sb.WriteString("only unknown event keys: ")
	for i, k := range keys {
		if i > 0 {
			sb.WriteString(", ")
		}
		if i == maxKeysNamed {
			sb.WriteString("...")
			break
		}
		if len(k) > maxKeyShown {
			k = strings.ToValidUTF8(k[:maxKeyShown], "") + "..."
		}
		sb.WriteString(strconv.Quote(k))
	}
	sb.WriteString(` (known: "chat-message", "callback-query")`)
	return sb.String()
}

// dataKeys lists the keys of the envelope's (last) data object other than
// the known event types (whose value was then null), at most
// maxKeysNamed+1. It is only called for a body Parse accepted.
func dataKeys(body []byte) []string {
	s := scanner{b: body}
	var keys []string
	s.object(func(key []byte) error {
		if string(key) != "data" || s.peek() != '{' {
			return s.skip()
		}
		keys = keys[:0]
		return s.object(func(k []byte) error {
			if len(keys) <= maxKeysNamed && string(k) != string(EventChatMessage) && string(k) != string(EventCallbackQuery) {
				keys = append(keys, string(k))
			}
			return s.skip()
		})
	})
	return keys
}

// notJSON says what is wrong with a body Parse refused as not a JSON
// object, s being the scanner that refused it and trailing whether it read
// a whole object with more after it: empty, cut off, not JSON at some byte,
// another JSON type, more after the object, or nested too deep. It never
// quotes the body.
func notJSON(s *scanner, trailing bool) string {
	const want = `; want a JSON object like {"data":{"chat-message":{...}}}`
	switch {
	case len(strings.TrimSpace(string(s.b))) == 0:
		return "the body is empty" + want
	case trailing:
		return "the body goes on after the JSON object (at byte " + strconv.Itoa(s.i+1) + ")" + want
	case s.depth == 0: // refused at the first value: see whether it is JSON at all
		kind := s.kind()
		v := scanner{b: s.b}
		if v.skip() == nil && v.peek() == 0 {
			return "the body is a JSON " + kind + ", not an object" + want
		}
		s = &v
	}
	if s.depth > maxDepth {
		return "the body nests deeper than " + strconv.Itoa(maxDepth) + " levels"
	}
	if len(strings.TrimSpace(string(s.b[min(s.i, len(s.b)):]))) == 0 {
		return "the body is not valid JSON: it ends early, after " + strconv.Itoa(len(s.b)) + " bytes (cut off?)" + want
	}
	return "the body is not valid JSON (at byte " + strconv.Itoa(s.i+1) + ")" + want
}

// outcome is the diagnostics header's value, "" when there is none to give
// (an event refused before dispatch: its 4xx body says why).
func (r *result) outcome() string {
	switch {
	case r.unrouted != "":
		return "no reply: " + r.unrouted
	case r.ev == nil:
		return ""
	case r.ev.sent == 0:
		return headerSafe("no reply: route " + r.ev.route + " sent nothing")
	}
	return headerSafe("replied " + strconv.Itoa(r.ev.sent) + " (route " + r.ev.route + ")")
}

// headerSafe replaces control characters (a route label comes from the
// bot's code: a regexp may hold a newline) with spaces.
func headerSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}
