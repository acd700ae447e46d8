package replyqueue_test

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/replyqueue"
)

// TestReplyRoundTrip: the queued body is the documented send-message body
// and decodes back to the same message.
func TestReplyRoundTrip(t *testing.T) {
	msg := handler.Message{Text: "Hi <b>&", ButtonMarkup: [][]handler.Button{{handler.CallbackButton("A", "a"), handler.URLButton("B", "https://x")}},
		Media: []json.RawMessage{json.RawMessage(`{"type":"image"}`)}}
	r, err := replyqueue.NewReply(42, msg, "id")
	if err != nil {
		t.Fatal(err)
	}
	want := `{"uid":42,"message":{"text":"Hi <b>&","buttonMarkup":[[{"text":"A","callbackData":"a"},{"text":"B","url":"https://x"}]],"media":[{"type":"image"}]}}`
	if string(r.Body) != want {
		t.Errorf("body = %s\nwant   %s", r.Body, want)
	}
	uid, got, err := replyqueue.Decode(r.Body)
	if err != nil || uid != 42 || !reflect.DeepEqual(got, msg) {
		t.Errorf("Decode = %d %+v %v", uid, got, err)
	}
	for _, bad := range []string{``, `[]`, `{"uid":0,"message":{}}`, `{"uid":1}`, `{"message":{}}`, `{"uid":"1","message":{}}`} {
		if _, _, err := replyqueue.Decode([]byte(bad)); err == nil {
			t.Errorf("Decode(%s) accepted", bad)
		}
	}
}

// TestIDs: the same webhook handled twice gives the same IDs, reply by
// reply; another event or another reply index gives another ID.
func TestIDs(t *testing.T) {
	ids := func(ev handler.Event, n int) []string {
		var out []string
		q := queueFunc(func(_ context.Context, r replyqueue.Reply) error { out = append(out, r.ID); return nil })
		sink := replyqueue.NewSink(q)
		h := replyqueue.Middleware(func(ctx context.Context, ev *handler.Event) error {
			for i := 0; i < n; i++ {
				sink.Send(ctx, ev.UID, handler.Message{Text: "x"})
			}
			return nil
		})
		h(context.Background(), &ev)
		return out
	}
	ev := handler.Event{Type: handler.EventChatMessage, UID: 7, ChatID: "c", Text: "hello"}
	a, b := ids(ev, 2), ids(ev, 2)
	if !reflect.DeepEqual(a, b) || a[0] == a[1] || len(a[0]) != 64 {
		t.Errorf("ids %v and %v: want equal pairs of distinct 64-char ids", a, b)
	}
	other := ev
	other.Text = "hello!"
	if c := ids(other, 1); c[0] == a[0] {
		t.Error("another text gave the same id")
	}
	cb := handler.Event{Type: handler.EventCallbackQuery, UID: 7, ChatID: "c", CallbackData: "hello"}
	if c := ids(cb, 1); c[0] == a[0] {
		t.Error("a callback with the same data as a text gave the same id")
	}
}

type queueFunc func(context.Context, replyqueue.Reply) error

func (f queueFunc) Enqueue(ctx context.Context, r replyqueue.Reply) error { return f(ctx, r) }

// FuzzDecode: queued bodies are parsed by the sender; nothing may panic, and
// whatever decodes re-encodes to a body that re-encodes to itself.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"uid":42,"message":{"text":"hi","buttonMarkup":[[{"text":"A","callbackData":"a"}]]}}`))
	f.Add([]byte(`{"uid":1,"message":{"media":[{"x":1}]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		uid, msg, err := replyqueue.Decode(b)
		if err != nil {
			return
		}
		r, err := replyqueue.NewReply(uid, msg, "")
		if err != nil {
			t.Fatal(err)
		}
		uid2, msg2, err := replyqueue.Decode(r.Body)
		if err != nil || uid2 != uid {
			t.Fatalf("round trip: %d %v", uid2, err)
		}
		if r2, _ := replyqueue.NewReply(uid2, msg2, ""); string(r2.Body) != string(r.Body) {
			t.Fatalf("re-encoded %s, first %s", r2.Body, r.Body)
		}
	})
}
