package handler

import (
	"context"
	"encoding/json"
)

// Message is the body of a send-message call: text, rows of buttons and
// media. Media items are passed through as raw JSON because the platform does
// not document their shape.
type Message struct {
	Text         string            `json:"text,omitempty"`
	ButtonMarkup [][]Button        `json:"buttonMarkup,omitempty"`
	Media        []json.RawMessage `json:"media,omitempty"`
}

// Button is one button of a message. Set CallbackData for a button that sends
// a callback-query webhook when pressed, or URL for one that opens a link.
type Button struct {
	Text         string `json:"text"`
	CallbackData string `json:"callbackData,omitempty"`
	URL          string `json:"url,omitempty"`
}

// CallbackButton returns a button that sends a callback-query with data.
func CallbackButton(text, data string) Button { return Button{Text: text, CallbackData: data} }

// URLButton returns a button that opens url.
func URLButton(text, url string) Button { return Button{Text: text, URL: url} }

// Row groups buttons into one row of a message's button markup.
func Row(buttons ...Button) []Button { return buttons }

// Sender delivers a message to a user. The Bot API client implements it; so
// can a queue that delivers later, or a test double. Send returns once the
// message is delivered (or durably queued) or has failed; it must honour ctx.
type Sender interface {
	Send(ctx context.Context, uid int64, msg Message) error
}

// SenderFunc adapts a function to the Sender interface.
type SenderFunc func(ctx context.Context, uid int64, msg Message) error

// Send calls f(ctx, uid, msg).
func (f SenderFunc) Send(ctx context.Context, uid int64, msg Message) error { return f(ctx, uid, msg) }
