package platform_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/sociogram-kit/kit/botapi"
	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/platform"
)

// TestCoreRequestParses: what the kit's client sends (botapi.EncodeRequest
// of a handler.Message) is what the platform documents, read by this
// package's own parser with exact field names. A wrong or differently cased
// JSON tag on handler.Message or handler.Button, or a lost omitempty (an
// empty "url" beside "callbackData"), fails here and in every fake (the
// table's "buttonMarkup in lower case" and "a button with callbackData and
// url" are those mistakes); a dropped field fails the comparison.
func TestCoreRequestParses(t *testing.T) {
	cases := []struct {
		name string
		msg  handler.Message
		want platform.Message
	}{
		{"text", handler.Message{Text: "Hello there!"},
			platform.Message{Text: "Hello there!"}},
		{"characters HTML and JSON escape", handler.Message{Text: `<b>"a" & 'b'</b> \ é 👋` + "\n\t"},
			platform.Message{Text: `<b>"a" & 'b'</b> \ é 👋` + "\n\t"}},
		{"both kinds of button", handler.Message{Text: "How can I help you?", ButtonMarkup: [][]handler.Button{
			handler.Row(handler.URLButton("📖 Documentation", "https://docs.example.com")),
			handler.Row(handler.CallbackButton("💬 Live Chat", "support_live_chat"), handler.CallbackButton("Back", "menu")),
		}}, platform.Message{Text: "How can I help you?", ButtonMarkup: [][]platform.Button{
			{{Text: "📖 Documentation", URL: "https://docs.example.com"}},
			{{Text: "💬 Live Chat", CallbackData: "support_live_chat"}, {Text: "Back", CallbackData: "menu"}},
		}}},
		{"media only", handler.Message{Media: []json.RawMessage{json.RawMessage(`{"type":"image","url":"https://example.com/a.png"}`)}},
			platform.Message{Media: []json.RawMessage{json.RawMessage(`{"type":"image","url":"https://example.com/a.png"}`)}}},
		{"everything", handler.Message{Text: "x", ButtonMarkup: [][]handler.Button{handler.Row(handler.CallbackButton("a", "~k.QUJD"))},
			Media: []json.RawMessage{json.RawMessage(`{}`), json.RawMessage(`{"k":[1,2]}`)}},
			platform.Message{Text: "x", ButtonMarkup: [][]platform.Button{{{Text: "a", CallbackData: "~k.QUJD"}}},
				Media: []json.RawMessage{json.RawMessage(`{}`), json.RawMessage(`{"k":[1,2]}`)}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := botapi.EncodeRequest(&buf, 12345, c.msg); err != nil {
				t.Fatal(err)
			}
			got, err := platform.ParseSendMessage("application/json", buf.Bytes())
			if err != nil {
				t.Fatalf("the platform refuses the core's request %s: %v", buf.Bytes(), err)
			}
			if want := (platform.SendMessage{UID: 12345, Message: c.want}); !reflect.DeepEqual(got, want) {
				t.Errorf("the core's request %s reads as\n %+v\nwant %+v", buf.Bytes(), got, want)
			}
		})
	}
}

// TestCoreParsesUpdates: the webhooks the fakes send (this package's
// types) are read by the core (handler.Parse, exact keys) as what they say.
func TestCoreParsesUpdates(t *testing.T) {
	const chat = "507f1f77bcf86cd799439011"
	u, err := handler.Parse(platform.NewChatMessage(12345, chat, `Hello <bot> & "you"`).Encode())
	if err != nil {
		t.Fatal(err)
	}
	if m := u.ChatMessage; u.Type() != handler.EventChatMessage || m.UID != 12345 || m.ChatID != chat || m.Message.Text != `Hello <bot> & "you"` {
		t.Errorf("chat-message read as %+v", m)
	}
	u, err = handler.Parse(platform.NewCallbackQuery(12345, chat, "menu_products").Encode())
	if err != nil {
		t.Fatal(err)
	}
	if q := u.CallbackQuery; u.Type() != handler.EventCallbackQuery || q.UID != 12345 || q.ChatID != chat || q.CallbackData != "menu_products" {
		t.Errorf("callback-query read as %+v", q)
	}
	if string(handler.EventChatMessage) != platform.EventChatMessage || string(handler.EventCallbackQuery) != platform.EventCallbackQuery {
		t.Errorf("event names differ: core %q %q, platform %q %q", handler.EventChatMessage, handler.EventCallbackQuery,
			platform.EventChatMessage, platform.EventCallbackQuery)
	}
	if handler.HeaderAppKey != platform.HeaderAppKey || botapi.SendPath != platform.SendPath {
		t.Errorf("core %q %q, platform %q %q", handler.HeaderAppKey, botapi.SendPath, platform.HeaderAppKey, platform.SendPath)
	}
}

// TestUpdateEncode: the webhook bodies byte for byte, as the docs show them.
func TestUpdateEncode(t *testing.T) {
	for got, want := range map[string]string{
		string(platform.NewChatMessage(12345, "507f1f77bcf86cd799439011", "Hello bot!").Encode()):      `{"data":{"chat-message":{"uid":12345,"chatId":"507f1f77bcf86cd799439011","message":{"text":"Hello bot!"}}}}`,
		string(platform.NewCallbackQuery(12345, "507f1f77bcf86cd799439011", "menu_products").Encode()): `{"data":{"callback-query":{"uid":12345,"chatId":"507f1f77bcf86cd799439011","callbackData":"menu_products"}}}`,
		string(platform.NewChatMessage(1, "c", "<&>").Encode()):                                        `{"data":{"chat-message":{"uid":1,"chatId":"c","message":{"text":"<&>"}}}}`,
	} {
		if got != want {
			t.Errorf("got  %s\nwant %s", got, want)
		}
	}
}
