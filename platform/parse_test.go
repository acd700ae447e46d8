package platform_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"testing"

	"github.com/sociogram-kit/kit/platform"
)

// conditions maps each status ParseSendMessage answers to its condition.
var conditions = map[int]error{
	http.StatusBadRequest:            platform.ErrMalformed,
	http.StatusRequestEntityTooLarge: platform.ErrTooLarge,
	http.StatusUnsupportedMediaType:  platform.ErrContentType,
}

// TestParse: ParseSendMessage gives every body of the table the table's
// verdict (the calls whose method, endpoint or key is wrong never reach it).
func TestParse(t *testing.T) {
	for _, c := range calls {
		if c.method != "" || c.path != "" || c.key != "" {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			m, err := platform.ParseSendMessage(c.header().Get("Content-Type"), []byte(c.body))
			if c.status == http.StatusOK {
				if err != nil {
					t.Fatalf("rejected: %v", err)
				}
				checkRoundTrip(t, m)
				return
			}
			var pe *platform.Error
			if !errors.As(err, &pe) {
				t.Fatalf("error %v (%T), want a *platform.Error", err, err)
			}
			if pe.Status != c.status || pe.Error() != c.err {
				t.Errorf("got %d %q\nwant %d %q", pe.Status, pe.Error(), c.status, c.err)
			}
			if !errors.Is(err, conditions[c.status]) {
				t.Errorf("errors.Is(%v, %v) = false", err, conditions[c.status])
			}
			if !reflect.DeepEqual(m, platform.SendMessage{}) {
				t.Errorf("a rejected body returned %+v", m)
			}
		})
	}
}

// checkRoundTrip: the package's JSON tags write what its parser reads, so
// an accepted message encodes to a body that parses back to itself.
func checkRoundTrip(t *testing.T, m platform.SendMessage) {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	back, err := platform.ParseSendMessage("application/json", b)
	if err != nil {
		t.Fatalf("re-encoded %s: %v", b, err)
	}
	if !sameMessage(back, m) {
		t.Errorf("round trip:\n got %+v\nwant %+v", back, m)
	}
}

// sameMessage compares two messages, their media items as JSON values
// (encoding/json compacts a json.RawMessage and escapes <, > and & in it).
func sameMessage(a, b platform.SendMessage) bool {
	if len(a.Message.Media) != len(b.Message.Media) {
		return false
	}
	for i := range a.Message.Media {
		var x, y any
		if json.Unmarshal(a.Message.Media[i], &x) != nil || json.Unmarshal(b.Message.Media[i], &y) != nil || !reflect.DeepEqual(x, y) {
			return false
		}
	}
	a.Message.Media, b.Message.Media = nil, nil
	return reflect.DeepEqual(a, b)
}

// TestParseDocsExample: the docs' example reads as documented.
func TestParseDocsExample(t *testing.T) {
	m, err := platform.ParseSendMessage("application/json", []byte(docsExample))
	if err != nil {
		t.Fatal(err)
	}
	want := platform.SendMessage{UID: 12345, Message: platform.Message{
		Text: "Hello! How can I help you today?",
		ButtonMarkup: [][]platform.Button{{
			{Text: "Get Started", CallbackData: "start_action"},
			{Text: "Help", URL: "https://example.com/help"},
		}},
	}}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("got %+v\nwant %+v", m, want)
	}
}

// TestErrorAnswer: a rejection's answer, as both fakes write it.
func TestErrorAnswer(t *testing.T) {
	e := &platform.Error{Status: 429, Err: platform.ErrRateLimit, Detail: "1 message per second per user <&>", RetryAfter: 1500e6}
	if got := string(e.Body()); got != `{"success":false,"error":"rate limit: 1 message per second per user <&>"}`+"\n" {
		t.Errorf("body %s", got)
	}
	if e.RetryAfterSeconds() != 2 {
		t.Errorf("Retry-After %d, want 2 (whole seconds, rounded up)", e.RetryAfterSeconds())
	}
	if got := string(platform.AcceptedBody(platform.MessageID(26))); got != `{"success":true,"messageId":"00000000000000000000001a"}`+"\n" {
		t.Errorf("accepted body %s", got)
	}
}
