package handler

import (
	"encoding/json"
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
	ErrNoData     = errors.New(`no "data" object`)
	ErrFieldType  = errors.New("a field has the wrong JSON type")
	ErrMissingUID = errors.New(`event has no "uid"`)
	ErrManyEvents = errors.New(`"data" holds more than one known event`)
)

// ParseError is returned for a body that is not a valid webhook envelope.
// Its message is safe to show to the sender: it never quotes the body.
type ParseError struct {
	Err   error  // one of the ErrXxx conditions above
	Field string // the offending field, when known
}

func (e *ParseError) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("invalid webhook: %v (%s)", e.Err, e.Field)
	}
	return "invalid webhook: " + e.Err.Error()
}

func (e *ParseError) Unwrap() error { return e.Err }

// envelope mirrors the wire shape. Unknown keys inside data and unknown fields
// inside events are ignored by encoding/json, which is what the platform's
// "new events must not break a deployed bot" needs. Note that encoding/json
// matches keys case-insensitively.
type envelope struct {
	Data *rawUpdate `json:"data"`
}

type rawUpdate struct {
	ChatMessage   *rawChatMessage   `json:"chat-message"`
	CallbackQuery *rawCallbackQuery `json:"callback-query"`
}

// The raw events carry UID as a pointer so that a missing uid can be told
// from uid 0.
type rawChatMessage struct {
	UID     *int64 `json:"uid"`
	ChatID  string `json:"chatId"`
	Message struct {
		Text string `json:"text"`
	} `json:"message"`
}

type rawCallbackQuery struct {
	UID          *int64 `json:"uid"`
	ChatID       string `json:"chatId"`
	CallbackData string `json:"callbackData"`
}

// Parse decodes a webhook body. It returns a *ParseError for input that is not
// a JSON object with a data object, for a known event whose fields have the
// wrong JSON types or no uid, and for data holding two known events. A known
// event key whose value is null counts as absent.
func Parse(body []byte) (*Update, error) {
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, parseError(err)
	}
	if env.Data == nil {
		return nil, &ParseError{Err: ErrNoData}
	}
	d := env.Data
	if d.ChatMessage != nil && d.CallbackQuery != nil {
		return nil, &ParseError{Err: ErrManyEvents}
	}
	u := &Update{}
	switch {
	case d.ChatMessage != nil:
		e := d.ChatMessage
		if e.UID == nil {
			return nil, &ParseError{Err: ErrMissingUID, Field: "chat-message.uid"}
		}
		m := &ChatMessage{UID: *e.UID, ChatID: e.ChatID}
		m.Message.Text = e.Message.Text
		u.ChatMessage = m
	case d.CallbackQuery != nil:
		e := d.CallbackQuery
		if e.UID == nil {
			return nil, &ParseError{Err: ErrMissingUID, Field: "callback-query.uid"}
		}
		u.CallbackQuery = &CallbackQuery{UID: *e.UID, ChatID: e.ChatID, CallbackData: e.CallbackData}
	}
	return u, nil
}

func parseError(err error) *ParseError {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field == "" || te.Field == "data" {
			if te.Field == "" {
				return &ParseError{Err: ErrNotJSON}
			}
			return &ParseError{Err: ErrNoData, Field: "data is " + te.Value}
		}
		return &ParseError{Err: ErrFieldType, Field: te.Field + " is " + te.Value}
	}
	return &ParseError{Err: ErrNotJSON}
}
