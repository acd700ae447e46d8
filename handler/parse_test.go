package handler_test

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/sociogram-kit/kit/handler"
)

//go:embed testdata/*.json
var fixtures embed.FS

func fixture(t testing.TB, name string) []byte {
	b, err := fixtures.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseDocumentedExamples(t *testing.T) {
	u, err := handler.Parse(fixture(t, "chat-message.json"))
	if err != nil {
		t.Fatal(err)
	}
	m := u.ChatMessage
	if u.Type() != handler.EventChatMessage || m.UID != 12345 || m.ChatID != "507f1f77bcf86cd799439011" || m.Message.Text != "Hello bot!" {
		t.Errorf("chat-message = %+v", m)
	}
	u, err = handler.Parse(fixture(t, "callback-query.json"))
	if err != nil {
		t.Fatal(err)
	}
	q := u.CallbackQuery
	if u.Type() != handler.EventCallbackQuery || q.UID != 12345 || q.ChatID != "507f1f77bcf86cd799439011" || q.CallbackData != "menu_products" {
		t.Errorf("callback-query = %+v", q)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		body string
		want error
	}{
		{``, handler.ErrNotJSON},
		{`nope`, handler.ErrNotJSON},
		{`[]`, handler.ErrNotJSON},
		{`"str"`, handler.ErrNotJSON},
		{`{"data":{}} trailing`, handler.ErrNotJSON},
		{`null`, handler.ErrNoData},
		{`{}`, handler.ErrNoData},
		{`{"data":null}`, handler.ErrNoData},
		{`{"data":"x"}`, handler.ErrNoData},
		{`{"data":{"chat-message":{"uid":1.5}}}`, handler.ErrFieldType},
		{`{"data":{"chat-message":{"uid":1,"chatId":7}}}`, handler.ErrFieldType},
		{`{"data":{"chat-message":{"uid":1,"message":"hi"}}}`, handler.ErrFieldType},
		{`{"data":{"chat-message":[]}}`, handler.ErrFieldType},
		{`{"data":{"callback-query":{"uid":1,"callbackData":1}}}`, handler.ErrFieldType},
		{`{"data":{"callback-query":{"callbackData":"x"}}}`, handler.ErrMissingUID},
		{`{"data":{"chat-message":{"uid":1},"callback-query":{"uid":1}}}`, handler.ErrManyEvents},
	}
	for _, tt := range tests {
		_, err := handler.Parse([]byte(tt.body))
		var pe *handler.ParseError
		if !errors.As(err, &pe) || !errors.Is(err, tt.want) {
			t.Errorf("Parse(%s) = %v, want a *ParseError for %v", tt.body, err, tt.want)
		}
	}
}

func TestParseTolerates(t *testing.T) {
	for _, body := range []string{
		`{"data":{"wallet-connected":{"address":"0x1"}}}`,
		`{"data":{"chat-message":null}}`,
		`{"data":{"callback-query":{"uid":1,"message":"a field callback-query does not have"}}}`,
		`{"data":{"chat-message":{"uid":1,"message":{"text":"x","extra":[1]},"new":true}},"version":3}`,
	} {
		if _, err := handler.Parse([]byte(body)); err != nil {
			t.Errorf("Parse(%s) = %v, want it tolerated", body, err)
		}
	}
}

// reference decodes an envelope with encoding/json, the behaviour the
// hand-written scanner must match.
func reference(body []byte) (*handler.Update, bool) {
	var env struct {
		Data *struct {
			ChatMessage *struct {
				UID     *int64 `json:"uid"`
				ChatID  string `json:"chatId"`
				Message struct {
					Text string `json:"text"`
				} `json:"message"`
			} `json:"chat-message"`
			CallbackQuery *struct {
				UID          *int64 `json:"uid"`
				ChatID       string `json:"chatId"`
				CallbackData string `json:"callbackData"`
			} `json:"callback-query"`
		} `json:"data"`
	}
	if json.Unmarshal(body, &env) != nil || env.Data == nil {
		return nil, false
	}
	u := &handler.Update{}
	if m := env.Data.ChatMessage; m != nil {
		if m.UID == nil {
			return nil, false
		}
		u.ChatMessage = &handler.ChatMessage{UID: *m.UID, ChatID: m.ChatID}
		u.ChatMessage.Message.Text = m.Message.Text
	}
	if q := env.Data.CallbackQuery; q != nil {
		if q.UID == nil || u.ChatMessage != nil {
			return nil, false
		}
		u.CallbackQuery = &handler.CallbackQuery{UID: *q.UID, ChatID: q.ChatID, CallbackData: q.CallbackData}
	}
	return u, true
}

// FuzzParse checks the scanner against encoding/json: it never accepts
// invalid JSON, never calls valid JSON invalid (bar nesting deeper than its
// limit), and where keys have no upper case (encoding/json matches them
// case-insensitively) it accepts exactly what encoding/json accepts, with the
// same values. Errors are always a *ParseError, never a panic.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"chat-message.json", "callback-query.json"} {
		f.Add(fixture(f, name))
	}
	for _, s := range []string{
		`{"data":{"x":{}}}`, `{"data":{"chat-message":{"uid":1},"callback-query":{"uid":2}}}`,
		`{"data":{"chat-message":{"uid":-1,"message":{"text":"\u00e9\ud83d\ude00\ud800x"}}}}`,
		`{"data":{"callback-query":{"uid":1e3,"callbackData":null}}}`, `{"data":{"chat-message":null},"data":null}`,
		`[{"data":1}]`, `{"data":{"chat-message":{"uid":9223372036854775807,"chatId":"\"","x":[1,{"y":[true,false,null]}]}}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		u, err := handler.Parse(body)
		if err != nil {
			var pe *handler.ParseError
			if !errors.As(err, &pe) || u != nil {
				t.Fatalf("error %v is not a *ParseError or came with an update", err)
			}
			if errors.Is(err, handler.ErrNotJSON) && json.Valid(body) {
				var top map[string]any
				if json.Unmarshal(body, &top) == nil && bytes.Count(body, []byte("["))+bytes.Count(body, []byte("{")) < 500 {
					t.Fatalf("valid JSON object called not JSON: %q", body)
				}
			}
		} else if !json.Valid(body) {
			t.Fatalf("accepted invalid JSON %q", body)
		}
		if bytes.Equal(bytes.ToLower(body), body) {
			ref, ok := reference(body)
			if ok != (err == nil) {
				t.Fatalf("Parse(%q) error %v, encoding/json ok=%v", body, err, ok)
			}
			if ok && !reflect.DeepEqual(u, ref) {
				t.Fatalf("Parse(%q) = %+v, encoding/json %+v", body, u, ref)
			}
		}
	})
}
