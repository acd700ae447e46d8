package conformance

import (
	"net/http"
	"strings"

	"github.com/sociogram-kit/kit/sociogramtest"
)

const uid = 12345

// The fixture bot's replies to uid, as bytes on the wire.
const (
	replyMoreInfo = `{"uid":12345,"message":{"text":"You clicked a button with data: more_info"}}`
	replyGreeting = `{"uid":12345,"message":{"text":"Great to meet you! I'm here to help."}}`
	replyProducts = `{"uid":12345,"message":{"text":"Here are our products: Product A, Product B, Product C."}}`
	replySupport  = `{"uid":12345,"message":{"text":"How can I help you?","buttonMarkup":[[{"text":"📖 Documentation","url":"https://docs.example.com"}],[{"text":"💬 Live Chat","callbackData":"support_live_chat"}]]}}`
	replyLiveChat = `{"uid":12345,"message":{"text":"You clicked a button with data: support_live_chat"}}`
	replyStart    = `{"uid":12345,"message":{"text":"Welcome! What would you like to do?","buttonMarkup":[[{"text":"👋 Greeting","callbackData":"greeting"}],[{"text":"🛍 Products","callbackData":"menu_products"}],[{"text":"🆘 Support","callbackData":"menu_support"}]]}}`
)

// ReplyHello is the fixture bot's answer to a text containing "hello"; text
// must already be JSON-escaped.
func ReplyHello(escapedText string) string {
	return `{"uid":12345,"message":{"text":"Hello there! You said: \"` + escapedText + `\"","buttonMarkup":[[{"text":"Tell me more","callbackData":"more_info"}]]}}`
}

func post(body string, kv ...string) Request {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("X-App-Key", Token)
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			h.Del(kv[i])
		} else {
			h.Set(kv[i], kv[i+1])
		}
	}
	return Request{Method: http.MethodPost, Header: h, Body: []byte(body)}
}

func chat(text string) string  { return string(sociogramtest.ChatMessage(uid, text)) }
func press(data string) string { return string(sociogramtest.CallbackQuery(uid, data)) }

// StatusCases returns the cases whose outcome does not depend on the bot:
// the status table, and events that dispatch nothing (so no reply). The deploy
// proofs run them against the real entry points, which serve whatever bot/
// holds.
func StatusCases() []Case {
	var out []Case
	for _, c := range Cases() {
		if c.Status != 200 && len(c.Faults) == 0 || c.botIndependent {
			out = append(out, c)
		}
	}
	return out
}

// Cases returns the conformance table for the fixture bot.
func Cases() []Case {
	long := strings.Repeat("hello ", 2000)
	lower := post(chat("hello"))
	lower.Header = http.Header{"x-app-key": {Token}, "content-type": {"application/json"}}
	get := post("")
	get.Method = http.MethodGet
	put := post(chat("hello"))
	put.Method = http.MethodPut
	return []Case{
		// The docs' examples and the example bot.
		{Name: "docs chat-message", Req: post(`{"data": {"chat-message": {"uid": 12345, "chatId": "507f1f77bcf86cd799439011", "message": {"text": "Hello bot!"}}}}`),
			Status: 200, Replies: []string{ReplyHello("Hello bot!")}},
		{Name: "docs callback-query", Req: post(`{"data": {"callback-query": {"uid": 12345, "chatId": "507f1f77bcf86cd799439011", "callbackData": "menu_products"}}}`),
			Status: 200, Replies: []string{replyProducts}},
		{Name: "start menu", Req: post(chat("/start")), Status: 200, Replies: []string{replyStart}},
		{Name: "start with argument", Req: post(chat("/start ref42")), Status: 200, Replies: []string{replyStart}},
		{Name: "button greeting", Req: post(press("greeting")), Status: 200, Replies: []string{replyGreeting}},
		{Name: "button menu_support", Req: post(press("menu_support")), Status: 200, Replies: []string{replySupport}},
		{Name: "button more_info", Req: post(press("more_info")), Status: 200, Replies: []string{replyMoreInfo}},
		{Name: "button support_live_chat", Req: post(press("support_live_chat")), Status: 200, Replies: []string{replyLiveChat}},
		{Name: "other text no reply", Req: post(chat("what time is it?")), Status: 200},
		{Name: "empty text no reply", Req: post(chat("")), Status: 200},
		{Name: "hello any case", Req: post(chat("HeLLo")), Status: 200, Replies: []string{ReplyHello("HeLLo")}},
		{Name: "unicode and emoji", Req: post(chat("hello 👋 мир, 你好")), Status: 200, Replies: []string{ReplyHello("hello 👋 мир, 你好")}},
		{Name: "quotes and html", Req: post(chat(`hello "<b>&</b>"`)), Status: 200, Replies: []string{ReplyHello(`hello \"<b>&</b>\"`)}},
		{Name: "very long text", Req: post(chat(long)), Status: 200, Replies: []string{ReplyHello(long)}},
		{Name: "unknown fields tolerated", Req: post(`{"data":{"chat-message":{"uid":12345,"chatId":"c","lang":"en","message":{"text":"hello","entities":[1]}}},"meta":{"v":2}}`),
			Status: 200, Replies: []string{ReplyHello("hello")}},
		{Name: "unknown event beside a known one", Req: post(`{"data":{"wallet-connected":{"address":"0xabc"},"callback-query":{"uid":12345,"callbackData":"greeting"}}}`),
			Status: 200, Replies: []string{replyGreeting}},
		{Name: "only unknown event keys", Req: post(`{"data":{"payment-confirmed":{"uid":12345,"amount":"1.5"}}}`), Status: 200, botIndependent: true},
		{Name: "empty data", Req: post(`{"data":{}}`), Status: 200, botIndependent: true},
		{Name: "charset parameter", Req: post(chat("hello"), "Content-Type", "application/json; charset=utf-8"), Status: 200, Replies: []string{ReplyHello("hello")}},
		{Name: "no content type", Req: post(chat("hello"), "Content-Type", ""), Status: 200, Replies: []string{ReplyHello("hello")}},
		{Name: "lower-case header names", Req: lower, Status: 200, Replies: []string{ReplyHello("hello")}},

		// The status table.
		{Name: "GET is 405", Req: get, Status: 405},
		{Name: "PUT is 405", Req: put, Status: 405},
		{Name: "missing key is 401", Req: post(chat("hello"), "X-App-Key", ""), Status: 401},
		{Name: "wrong key is 401", Req: post(chat("hello"), "X-App-Key", "wrong-token"), Status: 401},
		{Name: "key with a prefix of the token is 401", Req: post(chat("hello"), "X-App-Key", Token[:8]), Status: 401},
		{Name: "body over 1 MiB is 413", Req: post(`{"data":{"chat-message":{"uid":12345,"message":{"text":"` + strings.Repeat("a", 1<<20) + `"}}}}`), Status: 413},
		{Name: "text/plain is 415", Req: post(chat("hello"), "Content-Type", "text/plain"), Status: 415},
		{Name: "form is 415", Req: post(chat("hello"), "Content-Type", "application/x-www-form-urlencoded"), Status: 415},
		{Name: "not JSON is 400", Req: post(`hello`), Status: 400},
		{Name: "truncated JSON is 400", Req: post(`{"data":{"chat-message":{"uid":1`), Status: 400},
		{Name: "empty body is 400", Req: post(``), Status: 400},
		{Name: "no data is 400", Req: post(`{"chat-message":{"uid":12345}}`), Status: 400},
		{Name: "data not an object is 400", Req: post(`{"data":[1,2]}`), Status: 400},
		{Name: "uid as string is 400", Req: post(`{"data":{"chat-message":{"uid":"12345","message":{"text":"hello"}}}}`), Status: 400},
		{Name: "text as number is 400", Req: post(`{"data":{"chat-message":{"uid":12345,"message":{"text":5}}}}`), Status: 400},
		{Name: "callbackData as object is 400", Req: post(`{"data":{"callback-query":{"uid":12345,"callbackData":{}}}}`), Status: 400},
		{Name: "missing uid is 400", Req: post(`{"data":{"chat-message":{"message":{"text":"hello"}}}}`), Status: 400},
		{Name: "two known events is 400", Req: post(`{"data":{"chat-message":{"uid":1,"message":{"text":"hello"}},"callback-query":{"uid":1,"callbackData":"x"}}}`), Status: 400},
		{Name: "reply rejected by the API is 500", Req: post(chat("hello")), Faults: []sociogramtest.Fault{{Status: 400}}, Status: 500},
	}
}
