package platform

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ReadSendMessage checks a send-message call to a fake holding token and
// reads it: the endpoint, the method, X-App-Key (compared in constant time),
// then what ParseSendMessage checks. It returns the body as read (at most
// MaxBodyBytes of it, for a log) and, for a rejected call, an *Error.
func ReadSendMessage(r *http.Request, token string) (SendMessage, []byte, error) {
	if r.URL.Path != SendPath {
		return SendMessage{}, nil, &Error{Status: http.StatusNotFound, Err: ErrNotFound,
			Detail: fmt.Sprintf("%s: the Bot API has %s", excerpt(r.URL.Path, 80), SendPath)}
	}
	if r.Method != http.MethodPost {
		return SendMessage{}, nil, &Error{Status: http.StatusMethodNotAllowed, Err: ErrMethod}
	}
	if subtle.ConstantTimeCompare([]byte(r.Header.Get(HeaderAppKey)), []byte(token)) != 1 {
		return SendMessage{}, nil, &Error{Status: http.StatusUnauthorized, Err: ErrBadKey}
	}
	ct := r.Header.Get("Content-Type")
	if err := checkContentType(ct); err != nil {
		return SendMessage{}, nil, err
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	if err != nil {
		return SendMessage{}, body, malformed("the body could not be read")
	}
	m, err := ParseSendMessage(ct, body)
	if len(body) > MaxBodyBytes {
		body = body[:MaxBodyBytes]
	}
	return m, body, err
}

// ParseSendMessage checks a send-message body and its Content-Type against
// the platform's documented shape and the kit's limits (see the package
// documentation) and returns it. A rejection is an *Error: 415 for the
// Content-Type, 413 for the size, 400 (ErrMalformed) for the body.
func ParseSendMessage(contentType string, body []byte) (SendMessage, error) {
	if err := checkContentType(contentType); err != nil {
		return SendMessage{}, err
	}
	if len(body) > MaxBodyBytes {
		return SendMessage{}, &Error{Status: http.StatusRequestEntityTooLarge, Err: ErrTooLarge,
			Detail: fmt.Sprintf("over %d bytes", MaxBodyBytes)}
	}
	if !utf8.Valid(body) {
		return SendMessage{}, malformed("not valid UTF-8")
	}
	obj, err := single(body)
	if err != nil {
		return SendMessage{}, err
	}
	var m SendMessage
	var hasUID, hasMessage bool
	err = fields(obj, func() string { return "the body" }, func(key string, v []byte) error {
		switch key {
		case "uid":
			hasUID = true
			return parseUID(v, &m.UID)
		case "message":
			hasMessage = true
			return parseMessage(v, &m.Message)
		}
		return unknown(key, "the body", `"uid" and "message"`)
	})
	switch {
	case err != nil:
		return SendMessage{}, err
	case !hasUID:
		return SendMessage{}, malformed(`no "uid": want {"uid": <number>, "message": {...}}`)
	case !hasMessage:
		return SendMessage{}, malformed(`no "message": want {"uid": <number>, "message": {"text": "..."}}`)
	}
	return m, nil
}

func malformed(detail string) error {
	return &Error{Status: http.StatusBadRequest, Err: ErrMalformed, Detail: detail}
}

// checkContentType accepts application/json, any case, with no charset or
// utf-8.
func checkContentType(ct string) error {
	mt, params, err := mime.ParseMediaType(ct)
	if err == nil && mt == "application/json" {
		if cs, ok := params["charset"]; !ok || strings.EqualFold(cs, "utf-8") {
			return nil
		}
	}
	e := &Error{Status: http.StatusUnsupportedMediaType, Err: ErrContentType}
	if err == nil && mt == "application/json" {
		e.Detail = "the charset, when given, must be utf-8"
	}
	return e
}

// single returns the one JSON object body holds, refusing anything else:
// not JSON, not an object, or something after it. What it returns is valid
// JSON, which the walk below (fields, elements) relies on.
func single(body []byte) ([]byte, error) {
	v := trimSpace(body)
	if len(v) == 0 {
		return nil, malformed(`the body is empty: want {"uid": <number>, "message": {...}}`)
	}
	if !json.Valid(v) {
		return nil, notJSON(body)
	}
	if v[0] != '{' {
		return nil, malformed(`not a JSON object: want {"uid": <number>, "message": {...}}`)
	}
	return bytes.TrimRight(v, " \t\r\n"), nil
}

// notJSON says where body stops being one JSON value (the slow path, for
// the error only).
func notJSON(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	var v json.RawMessage
	if err := dec.Decode(&v); err != nil {
		var se *json.SyntaxError
		switch {
		case errors.As(err, &se):
			return malformed(fmt.Sprintf("not valid JSON (at byte %d)", se.Offset))
		case errors.Is(err, io.ErrUnexpectedEOF):
			return malformed("not valid JSON (the body ends early)")
		}
		return malformed("not valid JSON")
	}
	return malformed(fmt.Sprintf("something follows the JSON object (at byte %d)", dec.InputOffset()))
}

// trimSpace drops the JSON whitespace that leads b.
func trimSpace(b []byte) []byte {
	return bytes.TrimLeft(b, " \t\r\n")
}

// The walk over JSON already found valid: positions only, no checks.

// ws returns the index of the first non-whitespace byte of b from i.
func ws(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

// skipString returns the index after the string starting at b[i] == '"'.
func skipString(b []byte, i int) int {
	for i++; ; i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
}

// skipValue returns the index after the value starting at b[i].
func skipValue(b []byte, i int) int {
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for {
			switch b[i] {
			case '"':
				i = skipString(b, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
			i++
		}
	}
	for i < len(b) && !strings.ContainsRune(",}] \t\r\n", rune(b[i])) {
		i++
	}
	return i
}

// text returns the JSON string s (with its quotes) as Go text.
func text(s []byte) string {
	if bytes.IndexByte(s, '\\') < 0 {
		return string(s[1 : len(s)-1])
	}
	var out string
	json.Unmarshal(s, &out) // valid JSON: cannot fail
	return out
}

// fields calls f with each field of the valid JSON object obj, by its
// exact name, refusing a name given twice.
func fields(obj []byte, where func() string, f func(key string, v []byte) error) error {
	var seenBuf [4]string
	seen := seenBuf[:0]
	for i := ws(obj, 1); obj[i] != '}'; {
		end := skipString(obj, i)
		key := text(obj[i:end])
		i = ws(obj, ws(obj, end)+1) // past ':'
		end = skipValue(obj, i)
		v := obj[i:end]
		for _, s := range seen {
			if s == key {
				return malformed(fmt.Sprintf("%s has %s twice", where(), name(key)))
			}
		}
		seen = append(seen, key)
		if err := f(key, v); err != nil {
			return err
		}
		if i = ws(obj, end); obj[i] == ',' {
			i = ws(obj, i+1)
		}
	}
	return nil
}

// elements returns the items of the valid JSON array arr.
func elements(arr []byte) [][]byte {
	var out [][]byte
	for i := ws(arr, 1); arr[i] != ']'; {
		end := skipValue(arr, i)
		out = append(out, arr[i:end])
		if i = ws(arr, end); arr[i] == ',' {
			i = ws(arr, i+1)
		}
	}
	return out
}

// unknown is the error for a field the platform does not document.
func unknown(key, where, known string) error {
	return malformed(fmt.Sprintf("%s has an unknown field %s (the platform documents %s)", where, name(key), known))
}

// name quotes a field name for an error, unless it is long or odd (the
// error never quotes the body at length).
func name(key string) string {
	if len(key) > 40 || strings.ContainsFunc(key, func(r rune) bool { return r < 0x20 || r == 0x7f || r == utf8.RuneError }) {
		return "(a field name too long or odd to show)"
	}
	return strconv.Quote(key)
}

func parseUID(v []byte, uid *int64) error {
	const want = `"uid" must be a positive whole number`
	if v[0] != '-' && (v[0] < '0' || v[0] > '9') {
		return malformed(want)
	}
	if bytes.ContainsAny(v, ".eE") {
		return malformed(want + ", written without a fraction or exponent")
	}
	n, err := strconv.ParseInt(string(v), 10, 64)
	switch {
	case err != nil:
		return malformed(`"uid" is out of range`)
	case n <= 0:
		return malformed(`"uid" must be positive`)
	}
	*uid = n
	return nil
}

func parseMessage(v []byte, m *Message) error {
	if v[0] != '{' {
		return malformed(`"message" must be an object: {"text": "..."}`)
	}
	err := fields(v, func() string { return `"message"` }, func(key string, v []byte) error {
		switch key {
		case "text":
			return parseString(v, func() string { return `"text"` }, &m.Text)
		case "buttonMarkup":
			return parseMarkup(v, &m.ButtonMarkup)
		case "media":
			return parseMedia(v, &m.Media)
		}
		return unknown(key, `"message"`, `"text", "buttonMarkup" and "media"`)
	})
	switch {
	case err != nil:
		return err
	case m.Text == "" && len(m.Media) == 0:
		return malformed(`"message" needs a non-empty "text" or "media"`)
	}
	return nil
}

func parseString(v []byte, what func() string, s *string) error {
	if v[0] != '"' {
		return malformed(what() + " must be a string")
	}
	*s = text(v)
	return nil
}

func parseArray(v []byte, what func() string) ([][]byte, error) {
	if v[0] != '[' {
		return nil, malformed(what() + " must be an array")
	}
	return elements(v), nil
}

func parseMedia(v []byte, media *[]json.RawMessage) error {
	items, err := parseArray(v, func() string { return `"media"` })
	if err != nil {
		return err
	}
	out := make([]json.RawMessage, len(items))
	for i, it := range items {
		if it[0] != '{' {
			return malformed(fmt.Sprintf(`"media" item %d must be an object`, i+1))
		}
		out[i] = append(json.RawMessage(nil), it...) // the caller may reuse body
	}
	if len(out) > 0 {
		*media = out
	}
	return nil
}

func parseMarkup(v []byte, markup *[][]Button) error {
	rows, err := parseArray(v, func() string { return `"buttonMarkup"` })
	if err != nil {
		return err
	}
	n := 0
	out := make([][]Button, 0, len(rows))
	for i, raw := range rows {
		row, err := parseArray(raw, func() string { return fmt.Sprintf(`"buttonMarkup" row %d`, i+1) })
		switch {
		case err != nil:
			return err
		case len(row) == 0:
			return malformed(fmt.Sprintf(`"buttonMarkup" row %d is empty`, i+1))
		case len(row) > MaxButtonsPerRow:
			return malformed(fmt.Sprintf(`"buttonMarkup" row %d has %d buttons, over %d`, i+1, len(row), MaxButtonsPerRow))
		}
		if n += len(row); n > MaxButtons {
			return malformed(fmt.Sprintf(`"buttonMarkup" has over %d buttons`, MaxButtons))
		}
		bs := make([]Button, len(row))
		for j, rb := range row {
			where := func() string { return fmt.Sprintf("button %d of row %d", j+1, i+1) }
			if err := parseButton(rb, where, &bs[j]); err != nil {
				return err
			}
		}
		out = append(out, bs)
	}
	if len(out) > 0 {
		*markup = out
	}
	return nil
}

func parseButton(v []byte, where func() string, b *Button) error {
	if v[0] != '{' {
		return malformed(where() + ` must be an object: {"text": "...", "callbackData": "..."} or {"text": "...", "url": "..."}`)
	}
	var hasData, hasURL bool
	err := fields(v, where, func(key string, v []byte) error {
		switch key {
		case "text":
			return parseString(v, func() string { return where() + `'s "text"` }, &b.Text)
		case "callbackData":
			hasData = true
			return parseString(v, func() string { return where() + `'s "callbackData"` }, &b.CallbackData)
		case "url":
			hasURL = true
			return parseString(v, func() string { return where() + `'s "url"` }, &b.URL)
		}
		return unknown(key, where(), `"text", "callbackData" and "url"`)
	})
	switch {
	case err != nil:
		return err
	case b.Text == "":
		return malformed(where() + ` has no "text"`)
	case hasData == hasURL:
		return malformed(where() + ` needs exactly one of "callbackData" or "url"`)
	case hasData && b.CallbackData == "":
		return malformed(where() + `'s "callbackData" is empty`)
	case len(b.CallbackData) > MaxCallbackDataBytes:
		return malformed(fmt.Sprintf(`%s's "callbackData" has %d bytes, over %d`, where(), len(b.CallbackData), MaxCallbackDataBytes))
	case hasURL:
		return checkURL(b.URL, where)
	}
	return nil
}

// checkURL accepts an absolute http or https URL with a host.
func checkURL(s string, where func() string) error {
	if len(s) > MaxURLBytes {
		return malformed(fmt.Sprintf(`%s's "url" has %d bytes, over %d`, where(), len(s), MaxURLBytes))
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.ContainsAny(s, " \t\r\n") {
		return malformed(where() + `'s "url" must be an absolute http:// or https:// URL with a host, e.g. https://example.com/help`)
	}
	return nil
}

// excerpt cuts s to at most n bytes, on a rune boundary.
func excerpt(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
