package handler

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode"
)

// HandlerFunc handles one event. Returning an error makes the webhook answer
// 500 and calls the bot's error hook.
type HandlerFunc func(ctx context.Context, ev *Event) error

// Middleware wraps every handler the bot dispatches to, in the order given to
// Use: the first is the outermost.
type Middleware func(HandlerFunc) HandlerFunc

// router holds the routes. Matching is deterministic and does not depend on
// registration order except among regexps:
//
// chat-message: exact text (OnText), then command (OnCommand), then regexps
// (OnRegexp) in registration order, then OnAnyText for non-empty text, then
// the chat-message fallback.
//
// callback-query: exact data (OnCallback), then the longest matching prefix
// (OnCallbackPrefix), then the callback-query fallback.
type router struct {
	text      map[string]HandlerFunc
	command   map[string]HandlerFunc
	regexps   []regexpRoute
	anyText   HandlerFunc
	callback  map[string]HandlerFunc
	prefixes  []prefixRoute // longest first
	fallbacks map[EventType]HandlerFunc
}

type regexpRoute struct {
	re *regexp.Regexp
	h  HandlerFunc
}

type prefixRoute struct {
	prefix string
	h      HandlerFunc
}

func newRouter() router {
	return router{
		text:      map[string]HandlerFunc{},
		command:   map[string]HandlerFunc{},
		callback:  map[string]HandlerFunc{},
		fallbacks: map[EventType]HandlerFunc{},
	}
}

func mustHandler(h HandlerFunc, what string) {
	if h == nil {
		panic("handler: nil handler for " + what)
	}
}

func addUnique(m map[string]HandlerFunc, key string, h HandlerFunc, what string) {
	mustHandler(h, what)
	if _, dup := m[key]; dup {
		panic(fmt.Sprintf("handler: %s %q registered twice", what, key))
	}
	m[key] = h
}

// OnText handles chat-messages whose text is exactly text.
func (b *Mux) OnText(text string, h HandlerFunc) { addUnique(b.routes.text, text, h, "text") }

// OnCommand handles chat-messages of the form "/name" or "/name args". name
// is given without the slash; Event.Command and Event.Args are set.
func (b *Mux) OnCommand(name string, h HandlerFunc) {
	name = strings.TrimPrefix(name, "/")
	if name == "" || strings.ContainsAny(name, " \t\n/") {
		panic(fmt.Sprintf("handler: invalid command name %q", name))
	}
	addUnique(b.routes.command, name, h, "command")
}

// OnRegexp handles chat-messages whose text matches re (use (?i) for any
// case). Regexps are tried in registration order; Event.Matches is set.
func (b *Mux) OnRegexp(re *regexp.Regexp, h HandlerFunc) {
	if re == nil {
		panic("handler: nil regexp")
	}
	mustHandler(h, "regexp "+re.String())
	b.routes.regexps = append(b.routes.regexps, regexpRoute{re, h})
}

// OnAnyText handles every chat-message with non-empty text that no exact,
// command or regexp route took.
func (b *Mux) OnAnyText(h HandlerFunc) {
	mustHandler(h, "any text")
	if b.routes.anyText != nil {
		panic("handler: OnAnyText registered twice")
	}
	b.routes.anyText = h
}

// OnCallback handles callback-queries whose data is exactly data.
func (b *Mux) OnCallback(data string, h HandlerFunc) {
	addUnique(b.routes.callback, data, h, "callback data")
}

// OnCallbackPrefix handles callback-queries whose data starts with prefix.
// When several prefixes match, the longest wins.
func (b *Mux) OnCallbackPrefix(prefix string, h HandlerFunc) {
	mustHandler(h, "callback prefix "+prefix)
	for _, p := range b.routes.prefixes {
		if p.prefix == prefix {
			panic(fmt.Sprintf("handler: callback prefix %q registered twice", prefix))
		}
	}
	b.routes.prefixes = append(b.routes.prefixes, prefixRoute{prefix, h})
	sort.SliceStable(b.routes.prefixes, func(i, j int) bool {
		return len(b.routes.prefixes[i].prefix) > len(b.routes.prefixes[j].prefix)
	})
}

// OnFallback handles events of type t that no other route took.
func (b *Mux) OnFallback(t EventType, h HandlerFunc) {
	if t != EventChatMessage && t != EventCallbackQuery {
		panic(fmt.Sprintf("handler: fallback for unknown event type %q", t))
	}
	mustHandler(h, "fallback "+string(t))
	if _, dup := b.routes.fallbacks[t]; dup {
		panic(fmt.Sprintf("handler: fallback for %s registered twice", t))
	}
	b.routes.fallbacks[t] = h
}

// Use appends middleware. The first given is the outermost.
func (b *Mux) Use(mw ...Middleware) {
	for _, m := range mw {
		if m == nil {
			panic("handler: nil middleware")
		}
	}
	b.middleware = append(b.middleware, mw...)
}

// route picks the handler for ev and fills in what the route extracts. It
// returns nil when no route and no fallback takes the event.
func (r *router) route(ev *Event) HandlerFunc {
	if ev.Type == EventCallbackQuery {
		if h, ok := r.callback[ev.CallbackData]; ok {
			return h
		}
		for _, p := range r.prefixes {
			if strings.HasPrefix(ev.CallbackData, p.prefix) {
				return p.h
			}
		}
		return r.fallbacks[EventCallbackQuery]
	}
	if h, ok := r.text[ev.Text]; ok {
		return h
	}
	if name, args, ok := parseCommand(ev.Text); ok {
		if h, ok := r.command[name]; ok {
			ev.Command, ev.Args = name, args
			return h
		}
	}
	for _, rr := range r.regexps {
		if m := rr.re.FindStringSubmatch(ev.Text); m != nil {
			ev.Matches = m
			return rr.h
		}
	}
	if r.anyText != nil && ev.Text != "" {
		return r.anyText
	}
	return r.fallbacks[EventChatMessage]
}

// parseCommand splits "/name args" into its name and trimmed arguments.
func parseCommand(text string) (name, args string, ok bool) {
	if len(text) < 2 || text[0] != '/' {
		return "", "", false
	}
	name = text[1:]
	if i := strings.IndexFunc(name, unicode.IsSpace); i >= 0 {
		name, args = name[:i], strings.TrimSpace(name[i:])
	}
	return name, args, name != ""
}
