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
	text      map[string]route
	command   map[string]route
	regexps   []regexpRoute
	anyText   route
	callback  map[string]route
	prefixes  []prefixRoute // longest first
	fallbacks map[EventType]route
}

// route is a handler and its label, the name the debug log line and the
// development diagnostics give it (e.g. "command:start"), built once at
// registration so that routing an event costs no formatting.
type route struct {
	h     HandlerFunc
	label string
}

type regexpRoute struct {
	re *regexp.Regexp
	route
}

type prefixRoute struct {
	prefix string
	route
}

func newRouter() router {
	return router{
		text:      map[string]route{},
		command:   map[string]route{},
		callback:  map[string]route{},
		fallbacks: map[EventType]route{},
	}
}

func mustHandler(h HandlerFunc, what string) {
	if h == nil {
		panic("handler: nil handler for " + what)
	}
}

// addUnique adds the route labelled kind+":"+key.
func addUnique(m map[string]route, kind, key string, h HandlerFunc, what string) {
	mustHandler(h, what)
	if _, dup := m[key]; dup {
		panic(fmt.Sprintf("handler: %s %q registered twice", what, key))
	}
	m[key] = route{h, kind + ":" + key}
}

// OnText handles chat-messages whose text is exactly text.
func (b *Mux) OnText(text string, h HandlerFunc) { addUnique(b.routes.text, "text", text, h, "text") }

// OnCommand handles chat-messages of the form "/name" or "/name args". name
// is given without the slash; Event.Command and Event.Args are set.
func (b *Mux) OnCommand(name string, h HandlerFunc) {
	name = strings.TrimPrefix(name, "/")
	if name == "" || strings.ContainsAny(name, " \t\n/") {
		panic(fmt.Sprintf("handler: invalid command name %q", name))
	}
	addUnique(b.routes.command, "command", name, h, "command")
}

// OnRegexp handles chat-messages whose text matches re (use (?i) for any
// case). Regexps are tried in registration order; Event.Matches is set.
func (b *Mux) OnRegexp(re *regexp.Regexp, h HandlerFunc) {
	if re == nil {
		panic("handler: nil regexp")
	}
	mustHandler(h, "regexp "+re.String())
	b.routes.regexps = append(b.routes.regexps, regexpRoute{re, route{h, "regexp:" + re.String()}})
}

// OnAnyText handles every chat-message with non-empty text that no exact,
// command or regexp route took.
func (b *Mux) OnAnyText(h HandlerFunc) {
	mustHandler(h, "any text")
	if b.routes.anyText.h != nil {
		panic("handler: OnAnyText registered twice")
	}
	b.routes.anyText = route{h, "any-text"}
}

// OnCallback handles callback-queries whose data is exactly data.
func (b *Mux) OnCallback(data string, h HandlerFunc) {
	addUnique(b.routes.callback, "callback", data, h, "callback data")
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
	b.routes.prefixes = append(b.routes.prefixes, prefixRoute{prefix, route{h, "callback-prefix:" + prefix}})
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
	b.routes.fallbacks[t] = route{h, "fallback:" + string(t)}
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

// route picks the route for ev and fills in what the route extracts. Its
// handler is nil when no route and no fallback takes the event.
func (r *router) route(ev *Event) route {
	if ev.Type == EventCallbackQuery {
		if rt, ok := r.callback[ev.CallbackData]; ok {
			return rt
		}
		for _, p := range r.prefixes {
			if strings.HasPrefix(ev.CallbackData, p.prefix) {
				return p.route
			}
		}
		return r.fallbacks[EventCallbackQuery]
	}
	if rt, ok := r.text[ev.Text]; ok {
		return rt
	}
	if name, args, ok := parseCommand(ev.Text); ok {
		if rt, ok := r.command[name]; ok {
			ev.Command, ev.Args = name, args
			return rt
		}
	}
	for _, rr := range r.regexps {
		if m := rr.re.FindStringSubmatch(ev.Text); m != nil {
			ev.Matches = m
			return rr.route
		}
	}
	if r.anyText.h != nil && ev.Text != "" {
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
