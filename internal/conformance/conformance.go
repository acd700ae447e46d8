// Package conformance is the one table of inbound webhook cases that every
// adapter runs, in process and through its entry point built on the fixture
// bot (package internal/fixture): the status table of package handler, the
// fixture bot's replies byte for byte, and odd but valid inputs. Adding a
// case adds it to every adapter; a difference between adapters is a failing
// test. The kit's real entry points serve whatever bot/ holds: their deploy
// proofs run only StatusCases (RunStatus), which hold for any bot.
package conformance

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sociogram-kit/kit/sociogramtest"
)

// Token is the bot token the cases are built with; start the adapter under
// test with it.
const Token = "conformance-token-5f3b9c"

// Request is an inbound webhook, independent of how an adapter receives it.
type Request struct {
	Method string
	Header http.Header // canonical or not: adapters must treat names case-insensitively
	Body   []byte
}

// Response is what the adapter answered.
type Response struct {
	Status int
	Header http.Header
	Body   string
}

// Case is one inbound webhook and what must come of it.
type Case struct {
	Name    string
	Req     Request
	Faults  []sociogramtest.Fault // injected at the fake Bot API first
	Status  int
	Replies []string // the send-message bodies the fake must receive, in order

	botIndependent bool // a 200 that dispatches nothing, whatever the bot
}

// Deliver sends req through the adapter under test and returns its answer.
type Deliver func(t *testing.T, req Request) Response

// Run runs every case of Cases against an adapter serving the fixture bot
// (package internal/fixture): it resets api, injects the case's faults,
// delivers the request and checks the status, Allow on 405, that no answer
// contains the token, and the exact bytes of every reply at api.
func Run(t *testing.T, api *sociogramtest.API, deliver Deliver) {
	run(t, api, deliver, Cases())
}

// RunStatus runs StatusCases the same way: for the real entry points, which
// serve whatever bot/ holds.
func RunStatus(t *testing.T, api *sociogramtest.API, deliver Deliver) {
	run(t, api, deliver, StatusCases())
}

func run(t *testing.T, api *sociogramtest.API, deliver Deliver, cases []Case) {
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			api.Reset()
			api.Inject(c.Faults...)
			resp := deliver(t, c.Req)
			if resp.Status != c.Status {
				t.Errorf("status = %d, want %d (body %q)", resp.Status, c.Status, resp.Body)
			}
			if c.Status == http.StatusMethodNotAllowed && resp.Header.Get("Allow") != http.MethodPost {
				t.Errorf("Allow = %q, want POST", resp.Header.Get("Allow"))
			}
			if strings.Contains(resp.Body, Token) || strings.Contains(resp.Body, "wrong-token") {
				t.Errorf("answer leaks a token: %q", resp.Body)
			}
			CheckReplies(t, api, c.Replies)
		})
	}
}

// CheckReplies asserts that api received exactly want, in order, byte for
// byte (ignoring a trailing newline).
func CheckReplies(t *testing.T, api *sociogramtest.API, want []string) {
	t.Helper()
	// Replies are sent before the webhook answers; this short grace only
	// covers adapters whose answer travels through another process.
	deadline := time.Now().Add(200 * time.Millisecond)
	for len(api.Sent()) < len(want) && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	sent := api.Sent()
	if len(sent) != len(want) {
		var got []string
		for _, s := range sent {
			got = append(got, string(s.Body))
		}
		t.Fatalf("fake API got %d replies, want %d:\n got %q\nwant %q", len(sent), len(want), got, want)
	}
	for i, s := range sent {
		if got := strings.TrimSuffix(string(s.Body), "\n"); got != want[i] {
			t.Errorf("reply %d:\n got %s\nwant %s", i, got, want[i])
		}
	}
}
