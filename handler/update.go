package handler

import (
	"errors"
	"fmt"
)

// EventType names an event by its key inside the envelope's data object.
type EventType string

// The event types the platform documents.
const (
	EventChatMessage   EventType = "chat-message"
	EventCallbackQuery EventType = "callback-query"
)

// ChatMessage is the payload of a chat-message event: a user wrote to the bot.
type ChatMessage struct {
	UID     int64  `json:"uid"`
	ChatID  string `json:"chatId"`
	Message struct {
		Text string `json:"text"`
	} `json:"message"`
}

// CallbackQuery is the payload of a callback-query event: a user pressed one
// of the bot's callback buttons.
type CallbackQuery struct {
	UID          int64  `json:"uid"`
	ChatID       string `json:"chatId"`
	CallbackData string `json:"callbackData"`
}

// Update is a parsed webhook envelope. At most one of its fields is set; both
// are nil when data held only event types this version does not know.
type Update struct {
	ChatMessage   *ChatMessage   `json:"chat-message"`
	CallbackQuery *CallbackQuery `json:"callback-query"`
}

// Type reports the update's event type, or "" when it holds no known event.
func (u *Update) Type() EventType {
	switch {
	case u.ChatMessage != nil:
		return EventChatMessage
	case u.CallbackQuery != nil:
		return EventCallbackQuery
	}
	return ""
}

// Errors returned by Parse, wrapped in a *ParseError.
var (
	ErrNotJSON    = errors.New("body is not a JSON object")
	ErrNoData     = errors.New(`no "data" object: want {"data":{"chat-message":{...}}} or {"data":{"callback-query":{...}}}`)
	ErrFieldType  = errors.New("a field has the wrong JSON type")
	ErrMissingUID = errors.New(`event has no "uid"`)
	ErrManyEvents = errors.New(`"data" holds more than one known event`)
)

// ParseError is returned for a body that is not a valid webhook envelope.
// Its message, which the webhook's 400 answer carries, says what is wrong
// and what is expected; it is safe to show to the sender: it never quotes
// the body.
type ParseError struct {
	Err    error  // one of the ErrXxx conditions above
	Field  string // the offending field, when known
	Detail string // for ErrNotJSON: what exactly (e.g. the body ends early); said instead of Err's text
}

func (e *ParseError) Error() string {
	msg := e.Err.Error()
	if e.Detail != "" {
		msg = e.Detail
	}
	if e.Field != "" {
		return fmt.Sprintf("invalid webhook: %s (%s)", msg, e.Field)
	}
	return "invalid webhook: " + msg
}

func (e *ParseError) Unwrap() error { return e.Err }

// Parse decodes a webhook body. It returns a *ParseError for input that is
// not a JSON object with a data object, for a known event whose fields have
// the wrong JSON types or no uid, and for data holding two known events.
// Unknown keys inside data and unknown fields inside events are skipped (but
// must be valid JSON): a new event type must not break a deployed bot. Keys
// match exactly; a known event key whose value is null counts as absent; of
// duplicate keys the last wins.
func Parse(body []byte) (*Update, error) {
	s := scanner{b: body}
	var u *Update
	err := s.topLevel(&u)
	trailing := false
	if err == nil {
		if s.ws(); s.i != len(s.b) {
			err, trailing = syntaxError{}, true
		}
	}
	switch {
	case err != nil:
		return nil, &ParseError{Err: ErrNotJSON, Detail: notJSON(&s, trailing)}
	case s.typeErr != nil && s.typeErr.field == "data":
		return nil, &ParseError{Err: ErrNoData, Field: s.typeErr.Error()}
	case s.typeErr != nil:
		return nil, &ParseError{Err: ErrFieldType, Field: s.typeErr.Error()}
	case u == nil:
		return nil, &ParseError{Err: ErrNoData}
	case u.ChatMessage != nil && u.CallbackQuery != nil:
		return nil, &ParseError{Err: ErrManyEvents}
	case u.ChatMessage != nil && u.ChatMessage.UID == missingUID:
		return nil, &ParseError{Err: ErrMissingUID, Field: "data.chat-message.uid"}
	case u.CallbackQuery != nil && u.CallbackQuery.UID == missingUID:
		return nil, &ParseError{Err: ErrMissingUID, Field: "data.callback-query.uid"}
	}
	return u, nil
}

// missingUID marks a uid not (yet) seen while parsing. No JSON integer maps
// to it because parseInt64 only yields it for "-9223372036854775808", which
// is rejected as a uid anyway.
const missingUID = -1 << 63

func (s *scanner) topLevel(u **Update) error {
	if s.null() {
		return nil // encoding/json's behaviour: null decodes to nothing
	}
	if s.kind() != "object" {
		return syntaxError{} // valid JSON or not, it is not an envelope
	}
	return s.object(func(key []byte) error {
		if string(key) != "data" {
			return s.skip()
		}
		if s.null() {
			*u = nil
			return nil
		}
		if s.kind() != "object" {
			return s.fail("data")
		}
		if *u == nil {
			*u = &Update{}
		}
		return s.data(*u)
	})
}

func (s *scanner) data(u *Update) error {
	return s.object(func(key []byte) error {
		switch string(key) {
		case string(EventChatMessage):
			if s.null() {
				u.ChatMessage = nil
				return nil
			}
			if s.kind() != "object" {
				return s.fail("data.chat-message")
			}
			if u.ChatMessage == nil {
				u.ChatMessage = &ChatMessage{UID: missingUID}
			}
			return s.chatMessage(u.ChatMessage)
		case string(EventCallbackQuery):
			if s.null() {
				u.CallbackQuery = nil
				return nil
			}
			if s.kind() != "object" {
				return s.fail("data.callback-query")
			}
			if u.CallbackQuery == nil {
				u.CallbackQuery = &CallbackQuery{UID: missingUID}
			}
			return s.callbackQuery(u.CallbackQuery)
		}
		return s.skip()
	})
}

func (s *scanner) uid(field string, dst *int64) error {
	n, ok, err := s.int64Field(field)
	if ok && n != missingUID {
		*dst = n
	}
	return err
}

func (s *scanner) chatMessage(m *ChatMessage) error {
	return s.object(func(key []byte) error {
		switch string(key) {
		case "uid":
			return s.uid("data.chat-message.uid", &m.UID)
		case "chatId":
			return s.stringField("data.chat-message.chatId", &m.ChatID)
		case "message":
			if s.null() {
				return nil
			}
			if s.kind() != "object" {
				return s.fail("data.chat-message.message")
			}
			return s.object(func(key []byte) error {
				if string(key) == "text" {
					return s.stringField("data.chat-message.message.text", &m.Message.Text)
				}
				return s.skip()
			})
		}
		return s.skip()
	})
}

func (s *scanner) callbackQuery(q *CallbackQuery) error {
	return s.object(func(key []byte) error {
		switch string(key) {
		case "uid":
			return s.uid("data.callback-query.uid", &q.UID)
		case "chatId":
			return s.stringField("data.callback-query.chatId", &q.ChatID)
		case "callbackData":
			return s.stringField("data.callback-query.callbackData", &q.CallbackData)
		}
		return s.skip()
	})
}
