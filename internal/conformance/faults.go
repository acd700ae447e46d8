package conformance

import (
	"strings"
	"testing"
	"time"

	"github.com/sociogram-kit/kit/sociogramtest"
)

// FaultCase is a webhook delivered while the fake Bot API misbehaves.
type FaultCase struct {
	Name      string
	Faults    []sociogramtest.Fault
	Status    int
	Delivered int      // how many times the reply reaches the API: never more than once
	Log       []string // what the adapter's log must say
}

// FaultCases: within the webhook's deadline every reply is delivered exactly
// once; a failure that may have reached the API is never retried; past the
// deadline the webhook answers 500 and the log names the uid, never the
// reply's text.
func FaultCases() []FaultCase {
	return []FaultCase{
		{Name: "429 with Retry-After", Faults: []sociogramtest.Fault{{Status: 429, RetryAfter: "1"}}, Status: 200, Delivered: 1},
		{Name: "5xx twice", Faults: []sociogramtest.Fault{{Status: 503}, {Status: 500}}, Status: 200, Delivered: 1},
		{Name: "slow answer", Faults: []sociogramtest.Fault{{Latency: 300e6}}, Status: 200, Delivered: 1},
		{Name: "connection dropped after the API accepted", Faults: []sociogramtest.Fault{{Drop: sociogramtest.DropAfter}},
			Status: 200, Delivered: 1, Log: []string{"reply to uid 12345", "may have been delivered"}},
		{Name: "connection dropped before the API accepted", Faults: []sociogramtest.Fault{{Drop: sociogramtest.DropBefore}},
			Status: 200, Delivered: 0, Log: []string{"reply to uid 12345", "may have been delivered"}},
		{Name: "Retry-After past the deadline", Faults: []sociogramtest.Fault{{Status: 429, RetryAfter: "60"}},
			Status: 500, Delivered: 0, Log: []string{"reply to uid 12345 not delivered", "no time left before the deadline"}},
	}
}

// RunFaults delivers a "hello" chat-message for every fault case. logs returns
// the adapter's log output so far.
func RunFaults(t *testing.T, api *sociogramtest.API, deliver Deliver, logs func() string) {
	for _, c := range FaultCases() {
		t.Run(c.Name, func(t *testing.T) {
			api.Reset()
			api.Inject(c.Faults...)
			before := len(logs())
			resp := deliver(t, post(chat("hello")))
			if resp.Status != c.Status {
				t.Errorf("status = %d, want %d", resp.Status, c.Status)
			}
			want := make([]string, c.Delivered)
			for i := range want {
				want[i] = ReplyHello("hello")
			}
			CheckReplies(t, api, want)
			// The log line is written just after the answer, maybe by another process.
			out := logs()[before:]
			for deadline := time.Now().Add(2 * time.Second); !containsAll(out, c.Log) && time.Now().Before(deadline); {
				time.Sleep(10 * time.Millisecond)
				out = logs()[before:]
			}
			for _, s := range c.Log {
				if !strings.Contains(out, s) {
					t.Errorf("log does not say %s:\n%s", s, out)
				}
			}
			if strings.Contains(out, Token) {
				t.Error("the token appears in the log")
			}
			if strings.Contains(out, "Hello there") {
				t.Errorf("the log holds the reply's text:\n%s", out)
			}
		})
	}
}

func containsAll(s string, subs []string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
