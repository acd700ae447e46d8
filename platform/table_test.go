package platform_test

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/sociogram-kit/kit/platform"
)

// The token and user of every case.
const (
	token = "platform-test-token-3c9e"
	uid   = 12345
)

// call is one send-message call and the answer every fake must give it.
type call struct {
	name   string
	method string // default POST
	path   string // default platform.SendPath
	key    string // X-App-Key: default token, "-" for none
	ctype  string // Content-Type: default application/json, "-" for none
	body   string
	status int
	err    string // a rejection's error text, exactly; "" for 200
}

func (c call) header() http.Header {
	h := http.Header{}
	switch c.key {
	case "":
		h.Set(platform.HeaderAppKey, token)
	case "-":
	default:
		h.Set(platform.HeaderAppKey, c.key)
	}
	switch c.ctype {
	case "":
		h.Set("Content-Type", "application/json")
	case "-":
	default:
		h.Set("Content-Type", c.ctype)
	}
	return h
}

// text returns a message body with text.
func text(s string) string { return fmt.Sprintf(`{"uid":%d,"message":{"text":%q}}`, uid, s) }

// msg returns a body whose message is the JSON object fields (without braces).
func msg(fields string) string { return fmt.Sprintf(`{"uid":%d,"message":{%s}}`, uid, fields) }

// markup returns a body with text "x" and the JSON button markup m.
func markup(m string) string { return msg(`"text":"x","buttonMarkup":` + m) }

// buttons returns rows of n callback buttons each.
func buttons(rows ...int) string {
	var rs []string
	for i, n := range rows {
		var bs []string
		for j := range n {
			bs = append(bs, fmt.Sprintf(`{"text":"b%d.%d","callbackData":"d%d.%d"}`, i, j, i, j))
		}
		rs = append(rs, "["+strings.Join(bs, ",")+"]")
	}
	return "[" + strings.Join(rs, ",") + "]"
}

const good = `{"uid":12345,"message":{"text":"hi"}}`

// docsExample is the platform's documented example body.
const docsExample = `{"uid": 12345,
 "message": {"text": "Hello! How can I help you today?",
             "buttonMarkup": [[{"text": "Get Started", "callbackData": "start_action"},
                               {"text": "Help", "url": "https://example.com/help"}]]}}`

// calls is the one table of accepted and rejected send-message calls. Every
// fake of the platform (the emulator, sociogramtest) must answer each with
// the status and, for a rejection, exactly {"success":false,"error":err}
// (TestFakesAgree); ParseSendMessage must give the same verdict (TestParse);
// the fuzz target starts from these bodies.
var calls = []call{
	// Accepted.
	{name: "the docs' example", body: docsExample, status: 200},
	{name: "text only", body: good, status: 200},
	{name: "media only", body: msg(`"media":[{"type":"image","url":"https://example.com/a.png"}]`), status: 200},
	{name: "empty text beside media", body: msg(`"text":"","media":[{}]`), status: 200},
	{name: "text, buttons and media", body: msg(`"text":"x","buttonMarkup":[[{"text":"a","callbackData":"a"}],[{"text":"b","url":"http://example.com/b?q=1#f"}]],"media":[{"k":[1,{"n":null}]}]`), status: 200},
	{name: "fields in another order", body: `{"message":{"buttonMarkup":[[{"url":"https://example.com","text":"a"}]],"text":"x"},"uid":12345}`, status: 200},
	{name: "a field name written with an escape", body: `{"u\u0069d":12345,"message":{"text":"hi"}}`, status: 200},
	{name: "a newline after the object, as botapi writes it", body: good + "\n", status: 200},
	{name: "whitespace around the object", body: " \r\n\t" + good + " \n\t\r ", status: 200},
	{name: "unicode, escapes and HTML characters", body: msg(`"text":"héllo <b> & \u00e9 \ud83d\udc4b 👋 \" \\ \n"`), status: 200},
	{name: "the largest uid", body: `{"uid":9223372036854775807,"message":{"text":"hi"}}`, status: 200},
	{name: "a long text (the conformance table's bot echoes 12,000 characters)", body: text(strings.Repeat("hé 👋 ", 6000)), status: 200},
	{name: "MaxButtonsPerRow buttons in a row", body: markup(buttons(platform.MaxButtonsPerRow)), status: 200},
	{name: "MaxButtons buttons in all", body: markup(buttons(8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 4)), status: 200},
	{name: "callbackData of MaxCallbackDataBytes", body: markup(`[[{"text":"a","callbackData":"` + strings.Repeat("d", platform.MaxCallbackDataBytes) + `"}]]`), status: 200},
	{name: "no buttons: an empty buttonMarkup", body: markup(`[]`), status: 200},
	{name: "Content-Type with charset utf-8", ctype: "application/json; charset=UTF-8", body: good, status: 200},
	{name: "Content-Type in capitals", ctype: "Application/JSON", body: good, status: 200},
	{name: "a body of exactly MaxBodyBytes", body: good + strings.Repeat(" ", platform.MaxBodyBytes-len(good)), status: 200},

	// The call.
	{name: "no X-App-Key", key: "-", body: good, status: 401, err: "invalid X-App-Key"},
	{name: "wrong X-App-Key", key: "another-bots-token", body: good, status: 401, err: "invalid X-App-Key"},
	{name: "X-App-Key with the token as a prefix", key: token + "x", body: good, status: 401, err: "invalid X-App-Key"},
	{name: "GET", method: "GET", body: "", status: 405, err: "method must be POST"},
	{name: "PUT", method: "PUT", body: good, status: 405, err: "method must be POST"},
	{name: "another endpoint", path: "/bot/send-photo", body: good, status: 404, err: "unknown endpoint: /bot/send-photo: the Bot API has /bot/send-message"},
	{name: "no Content-Type", ctype: "-", body: good, status: 415, err: "Content-Type must be application/json"},
	{name: "Content-Type text/plain", ctype: "text/plain", body: good, status: 415, err: "Content-Type must be application/json"},
	{name: "Content-Type of a form", ctype: "application/x-www-form-urlencoded", body: good, status: 415, err: "Content-Type must be application/json"},
	{name: "Content-Type with another charset", ctype: "application/json; charset=latin1", body: good, status: 415, err: "Content-Type must be application/json: the charset, when given, must be utf-8"},
	{name: "a body over MaxBodyBytes", body: good + strings.Repeat(" ", platform.MaxBodyBytes-len(good)+1), status: 413, err: "body too large: over 65536 bytes"},

	// The JSON.
	{name: "empty body", body: "", status: 400, err: `malformed body: the body is empty: want {"uid": <number>, "message": {...}}`},
	{name: "only whitespace", body: " \n", status: 400, err: `malformed body: the body is empty: want {"uid": <number>, "message": {...}}`},
	{name: "not JSON", body: "uid=12345&text=hi", status: 400, err: "malformed body: not valid JSON (at byte 1)"},
	{name: "JSON cut short", body: `{"uid":12345,"message":{"text":"hi"`, status: 400, err: "malformed body: not valid JSON (the body ends early)"},
	{name: "a JSON array", body: "[" + good + "]", status: 400, err: `malformed body: not a JSON object: want {"uid": <number>, "message": {...}}`},
	{name: "JSON null", body: "null", status: 400, err: `malformed body: not a JSON object: want {"uid": <number>, "message": {...}}`},
	{name: "two objects", body: good + good, status: 400, err: "malformed body: something follows the JSON object (at byte 37)"},
	{name: "something after the object", body: good + " x", status: 400, err: "malformed body: something follows the JSON object (at byte 37)"},
	{name: "invalid UTF-8", body: msg("\"text\":\"\xff\""), status: 400, err: "malformed body: not valid UTF-8"},

	// Field names.
	{name: "an unknown field", body: `{"uid":12345,"chatId":"507f1f77bcf86cd799439011","message":{"text":"hi"}}`, status: 400, err: `malformed body: the body has an unknown field "chatId" (the platform documents "uid" and "message")`},
	{name: "uid in capitals", body: `{"UID":12345,"message":{"text":"hi"}}`, status: 400, err: `malformed body: the body has an unknown field "UID" (the platform documents "uid" and "message")`},
	{name: "an unknown message field", body: msg(`"text":"hi","parseMode":"html"`), status: 400, err: `malformed body: "message" has an unknown field "parseMode" (the platform documents "text", "buttonMarkup" and "media")`},
	{name: "buttonMarkup in lower case", body: msg(`"text":"hi","buttonmarkup":[[{"text":"a","callbackData":"a"}]]`), status: 400, err: `malformed body: "message" has an unknown field "buttonmarkup" (the platform documents "text", "buttonMarkup" and "media")`},
	{name: "an unknown button field", body: markup(`[[{"text":"a","callbackData":"a","style":"primary"}]]`), status: 400, err: `malformed body: button 1 of row 1 has an unknown field "style" (the platform documents "text", "callbackData" and "url")`},
	{name: "callback_data as Telegram spells it", body: markup(`[[{"text":"a","callback_data":"a"}]]`), status: 400, err: `malformed body: button 1 of row 1 has an unknown field "callback_data" (the platform documents "text", "callbackData" and "url")`},
	{name: "a field name too long to show", body: `{"uid":12345,"message":{"text":"hi"},"` + strings.Repeat("k", 41) + `":1}`, status: 400, err: `malformed body: the body has an unknown field (a field name too long or odd to show) (the platform documents "uid" and "message")`},
	{name: "uid twice", body: `{"uid":12345,"uid":67890,"message":{"text":"hi"}}`, status: 400, err: `malformed body: the body has "uid" twice`},
	{name: "text twice", body: msg(`"text":"hi","text":"ho"`), status: 400, err: `malformed body: "message" has "text" twice`},

	// uid.
	{name: "no uid", body: `{"message":{"text":"hi"}}`, status: 400, err: `malformed body: no "uid": want {"uid": <number>, "message": {...}}`},
	{name: "uid as a string", body: `{"uid":"12345","message":{"text":"hi"}}`, status: 400, err: `malformed body: "uid" must be a positive whole number`},
	{name: "uid null", body: `{"uid":null,"message":{"text":"hi"}}`, status: 400, err: `malformed body: "uid" must be a positive whole number`},
	{name: "uid with a fraction", body: `{"uid":1.5,"message":{"text":"hi"}}`, status: 400, err: `malformed body: "uid" must be a positive whole number, written without a fraction or exponent`},
	{name: "uid with a zero fraction", body: `{"uid":12345.0,"message":{"text":"hi"}}`, status: 400, err: `malformed body: "uid" must be a positive whole number, written without a fraction or exponent`},
	{name: "uid with an exponent", body: `{"uid":1e3,"message":{"text":"hi"}}`, status: 400, err: `malformed body: "uid" must be a positive whole number, written without a fraction or exponent`},
	{name: "uid zero", body: `{"uid":0,"message":{"text":"hi"}}`, status: 400, err: `malformed body: "uid" must be positive`},
	{name: "uid negative", body: `{"uid":-12345,"message":{"text":"hi"}}`, status: 400, err: `malformed body: "uid" must be positive`},
	{name: "uid over 64 bits", body: `{"uid":9223372036854775808,"message":{"text":"hi"}}`, status: 400, err: `malformed body: "uid" is out of range`},

	// message and text.
	{name: "no message", body: `{"uid":12345}`, status: 400, err: `malformed body: no "message": want {"uid": <number>, "message": {"text": "..."}}`},
	{name: "message as a string", body: `{"uid":12345,"message":"hi"}`, status: 400, err: `malformed body: "message" must be an object: {"text": "..."}`},
	{name: "message null", body: `{"uid":12345,"message":null}`, status: 400, err: `malformed body: "message" must be an object: {"text": "..."}`},
	{name: "message as an array", body: `{"uid":12345,"message":[{"text":"hi"}]}`, status: 400, err: `malformed body: "message" must be an object: {"text": "..."}`},
	{name: "empty message", body: msg(``), status: 400, err: `malformed body: "message" needs a non-empty "text" or "media"`},
	{name: "empty text", body: text(""), status: 400, err: `malformed body: "message" needs a non-empty "text" or "media"`},
	{name: "empty text and empty media", body: msg(`"text":"","media":[]`), status: 400, err: `malformed body: "message" needs a non-empty "text" or "media"`},
	{name: "text as a number", body: msg(`"text":5`), status: 400, err: `malformed body: "text" must be a string`},
	{name: "text null", body: msg(`"text":null`), status: 400, err: `malformed body: "text" must be a string`},

	// media.
	{name: "media as an object", body: msg(`"media":{"type":"image"}`), status: 400, err: `malformed body: "media" must be an array`},
	{name: "media null", body: msg(`"text":"x","media":null`), status: 400, err: `malformed body: "media" must be an array`},
	{name: "a media item that is not an object", body: msg(`"media":["https://example.com/a.png"]`), status: 400, err: `malformed body: "media" item 1 must be an object`},

	// buttonMarkup.
	{name: "buttonMarkup as an object", body: markup(`{"text":"a","callbackData":"a"}`), status: 400, err: `malformed body: "buttonMarkup" must be an array`},
	{name: "buttonMarkup null", body: markup(`null`), status: 400, err: `malformed body: "buttonMarkup" must be an array`},
	{name: "a row that is a button, not an array", body: markup(`[{"text":"a","callbackData":"a"}]`), status: 400, err: `malformed body: "buttonMarkup" row 1 must be an array`},
	{name: "an empty row", body: markup(`[[{"text":"a","callbackData":"a"}],[]]`), status: 400, err: `malformed body: "buttonMarkup" row 2 is empty`},
	{name: "a row over MaxButtonsPerRow", body: markup(buttons(2, platform.MaxButtonsPerRow+1)), status: 400, err: `malformed body: "buttonMarkup" row 2 has 9 buttons, over 8`},
	{name: "over MaxButtons in all", body: markup(buttons(8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 5)), status: 400, err: `malformed body: "buttonMarkup" has over 100 buttons`},
	{name: "a button that is a string", body: markup(`[["Help"]]`), status: 400, err: `malformed body: button 1 of row 1 must be an object: {"text": "...", "callbackData": "..."} or {"text": "...", "url": "..."}`},
	{name: "a button without text", body: markup(`[[{"callbackData":"a"}]]`), status: 400, err: `malformed body: button 1 of row 1 has no "text"`},
	{name: "a button with empty text", body: markup(`[[{"text":"a","callbackData":"a"},{"text":"","url":"https://example.com"}]]`), status: 400, err: `malformed body: button 2 of row 1 has no "text"`},
	{name: "a button text as a number", body: markup(`[[{"text":1,"callbackData":"a"}]]`), status: 400, err: `malformed body: button 1 of row 1's "text" must be a string`},
	{name: "a button with callbackData and url", body: markup(`[[{"text":"a","callbackData":"a"}],[{"text":"b","callbackData":"b","url":"https://example.com"}]]`), status: 400, err: `malformed body: button 1 of row 2 needs exactly one of "callbackData" or "url"`},
	{name: "a button with neither", body: markup(`[[{"text":"a"}]]`), status: 400, err: `malformed body: button 1 of row 1 needs exactly one of "callbackData" or "url"`},
	{name: "empty callbackData", body: markup(`[[{"text":"a","callbackData":""}]]`), status: 400, err: `malformed body: button 1 of row 1's "callbackData" is empty`},
	{name: "callbackData null", body: markup(`[[{"text":"a","callbackData":null}]]`), status: 400, err: `malformed body: button 1 of row 1's "callbackData" must be a string`},
	{name: "callbackData over MaxCallbackDataBytes", body: markup(`[[{"text":"a","callbackData":"` + strings.Repeat("d", platform.MaxCallbackDataBytes+1) + `"}]]`), status: 400, err: `malformed body: button 1 of row 1's "callbackData" has 1025 bytes, over 1024`},
	{name: "a javascript: URL", body: markup(`[[{"text":"a","url":"javascript:alert(1)"}]]`), status: 400, err: `malformed body: button 1 of row 1's "url" must be an absolute http:// or https:// URL with a host, e.g. https://example.com/help`},
	{name: "a relative URL", body: markup(`[[{"text":"a","url":"/help"}]]`), status: 400, err: `malformed body: button 1 of row 1's "url" must be an absolute http:// or https:// URL with a host, e.g. https://example.com/help`},
	{name: "a URL without a host", body: markup(`[[{"text":"a","url":"https:///help"}]]`), status: 400, err: `malformed body: button 1 of row 1's "url" must be an absolute http:// or https:// URL with a host, e.g. https://example.com/help`},
	{name: "an ftp URL", body: markup(`[[{"text":"a","url":"ftp://example.com/f"}]]`), status: 400, err: `malformed body: button 1 of row 1's "url" must be an absolute http:// or https:// URL with a host, e.g. https://example.com/help`},
	{name: "a URL with a space", body: markup(`[[{"text":"a","url":"https://example.com/a b"}]]`), status: 400, err: `malformed body: button 1 of row 1's "url" must be an absolute http:// or https:// URL with a host, e.g. https://example.com/help`},
	{name: "an empty URL", body: markup(`[[{"text":"a","url":""}]]`), status: 400, err: `malformed body: button 1 of row 1's "url" must be an absolute http:// or https:// URL with a host, e.g. https://example.com/help`},
	{name: "a URL over MaxURLBytes", body: markup(`[[{"text":"a","url":"https://example.com/` + strings.Repeat("p", platform.MaxURLBytes) + `"}]]`), status: 400, err: `malformed body: button 1 of row 1's "url" has 2068 bytes, over 2048`},
}
