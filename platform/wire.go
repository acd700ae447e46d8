package platform

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// SendPath is the Bot API's send-message endpoint.
const SendPath = "/bot/send-message"

// HeaderAppKey carries the bot token on every call in both directions.
const HeaderAppKey = "X-App-Key"

// Limits on a send-message call. The platform documents none of them: they
// are the kit's choice, in one place, easy to change. The text has no limit
// of its own besides the body's: the kit's conformance table has its bot
// echo 12,000 characters, and the platform states no maximum.
const (
	MaxBodyBytes         = 64 << 10 // the whole body
	MaxButtonsPerRow     = 8
	MaxButtons           = 100  // in all rows together
	MaxCallbackDataBytes = 1024 // the core refuses longer callback data when pressed
	MaxURLBytes          = 2048
)

// SendMessage is the documented send-message body:
//
//	{"uid": 12345, "message": {"text": "...", "buttonMarkup": [[...]], "media": [...]}}
type SendMessage struct {
	UID     int64   `json:"uid"`
	Message Message `json:"message"`
}

// Message is what a send-message call shows the user: text, rows of buttons
// and media. Media items are kept as the raw JSON objects the bot sent (the
// platform does not document their shape).
type Message struct {
	Text         string            `json:"text,omitempty"`
	ButtonMarkup [][]Button        `json:"buttonMarkup,omitempty"`
	Media        []json.RawMessage `json:"media,omitempty"`
}

// Button is one button of a message: with CallbackData it sends a
// callback-query webhook when pressed, with URL it opens a link.
type Button struct {
	Text         string `json:"text"`
	CallbackData string `json:"callbackData,omitempty"`
	URL          string `json:"url,omitempty"`
}

// The webhook event types the platform documents: the single key inside
// an update's "data".
const (
	EventChatMessage   = "chat-message"
	EventCallbackQuery = "callback-query"
)

// Update is a webhook body: {"data": {"<event type>": {...}}}. The fakes
// set exactly one of its events.
type Update struct {
	Data UpdateData `json:"data"`
}

// UpdateData holds an update's event.
type UpdateData struct {
	ChatMessage   *ChatMessage   `json:"chat-message,omitempty"`
	CallbackQuery *CallbackQuery `json:"callback-query,omitempty"`
}

// ChatMessage is a chat-message event: a user wrote to the bot.
type ChatMessage struct {
	UID     int64    `json:"uid"`
	ChatID  string   `json:"chatId"`
	Message ChatText `json:"message"`
}

// ChatText is a chat-message's message.
type ChatText struct {
	Text string `json:"text"`
}

// CallbackQuery is a callback-query event: a user pressed a callback button.
type CallbackQuery struct {
	UID          int64  `json:"uid"`
	ChatID       string `json:"chatId"`
	CallbackData string `json:"callbackData"`
}

// NewChatMessage returns the update of uid writing text in chat chatID.
func NewChatMessage(uid int64, chatID, text string) Update {
	return Update{Data: UpdateData{ChatMessage: &ChatMessage{UID: uid, ChatID: chatID, Message: ChatText{Text: text}}}}
}

// NewCallbackQuery returns the update of uid pressing a button carrying data
// in chat chatID.
func NewCallbackQuery(uid int64, chatID, data string) Update {
	return Update{Data: UpdateData{CallbackQuery: &CallbackQuery{UID: uid, ChatID: chatID, CallbackData: data}}}
}

// Encode returns the update's webhook body: compact JSON, with <, > and &
// left as they are, and no trailing newline.
func (u Update) Encode() []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(u); err != nil {
		panic(fmt.Sprintf("platform: encoding an update: %v", err)) // cannot happen for these types
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// MessageID formats the n-th accepted message's id as the platform's look:
// 24 hex digits.
func MessageID(n int64) string { return fmt.Sprintf("%024x", n) }
