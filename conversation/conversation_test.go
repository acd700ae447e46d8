package conversation_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sociogram-kit/kit/botapi"
	"github.com/sociogram-kit/kit/conversation"
	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/sociogramtest"
	"github.com/sociogram-kit/kit/store/memstore"
)

// Signup is the test flow's answers.
type Signup struct {
	Name string `json:"name"`
	Age  int    `json:"age"`
}

var (
	confirm = handler.NewSignedButton[bool]("t-ok", handler.ButtonForUser())
	members = handler.NewState[[]Signup]("t-members")
)

var signup = conversation.New("t-signup", conversation.Flow[Signup]{
	Steps: []conversation.Step[Signup]{
		conversation.Text("Your name?", func(s string, a *Signup) error {
			if s = strings.TrimSpace(s); s == "" || len(s) > 20 {
				return conversation.Retry("A name is 1 to 20 characters.")
			}
			a.Name = s
			return nil
		}),
		conversation.Text("Your age?", func(s string, a *Signup) error {
			n, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil || n < 1 || n > 120 {
				return conversation.Retry("Please send a whole number from 1 to 120.")
			}
			a.Age = n
			return nil
		}),
		{
			Ask: func(ev *handler.Event, a *Signup) handler.Message {
				return handler.Message{Text: a.Name + ", " + strconv.Itoa(a.Age) + "?", ButtonMarkup: [][]handler.Button{{
					confirm.Button(ev, "Yes", true), confirm.Button(ev, "No", false)}}}
			},
			Answer: func(ev *handler.Event, _ *Signup) error {
				ok, err := confirm.Decode(ev)
				switch {
				case err != nil:
					return conversation.Retry("Please use the buttons.")
				case !ok:
					return conversation.ErrCancel
				}
				return nil
			},
		},
	},
	Done: func(ctx context.Context, ev *handler.Event, a Signup) error {
		m := members.Get(ev)
		*m = append(*m, a)
		return ev.Reply(ctx, "Welcome, "+a.Name+" ("+strconv.Itoa(a.Age)+")")
	},
	Timeout:  10 * time.Minute,
	TimedOut: "Timed out.",
})

const token = "test-token"

// newBot serves the test bot over loopback, its state in memory, its
// replies going to a fake Bot API without rate spacing.
func newBot(t *testing.T) (*sociogramtest.Server, string, *sociogramtest.Clock) {
	t.Helper()
	api := sociogramtest.NewServer(t, token)
	clock := sociogramtest.NewClock(time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC))
	m, err := handler.New(token,
		handler.WithSender(botapi.New(token, botapi.WithBaseURL(api.URL), botapi.WithRateLimit(false))),
		handler.WithStore(memstore.New()), handler.WithClock(clock.Now),
		handler.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	signup.Register(m)
	m.OnCommand("signup", signup.Start)
	m.OnCommand("help", func(ctx context.Context, ev *handler.Event) error { return ev.Reply(ctx, "help") })
	m.OnCommand("members", func(ctx context.Context, ev *handler.Event) error {
		var names []string
		for _, s := range *members.Get(ev) {
			names = append(names, s.Name)
		}
		return ev.Reply(ctx, "members: "+strings.Join(names, ", "))
	})
	m.OnCommand("active", func(ctx context.Context, ev *handler.Event) error {
		return ev.Reply(ctx, "active: "+strconv.FormatBool(signup.Active(ev)))
	})
	m.OnAnyText(func(ctx context.Context, ev *handler.Event) error { return ev.Reply(ctx, "echo: "+ev.Text) })
	srv := httptest.NewServer(m)
	t.Cleanup(srv.Close)
	return api, srv.URL, clock
}

// say is one event of a conversation and the replies it must get.
type say struct {
	uid   int64
	text  string        // a chat-message, or
	click string        // the label of a button in the last message with buttons sent to from
	from  int64         // whose button (default uid)
	later time.Duration // the clock moves this far first
	want  []string
}

func TestConversation(t *testing.T) {
	const (
		name   = "Your name?"
		age    = "Your age?"
		annOK  = "Ann, 33?"
		noNum  = "Please send a whole number from 1 to 120.\n\nYour age?"
		annIn  = "Welcome, Ann (33)"
		cancel = "Cancelled."
	)
	happy := []say{{uid: 1, text: "/signup", want: []string{name}}, {uid: 1, text: "Ann", want: []string{age}}}
	cases := []struct {
		name string
		says []say
	}{
		{"the whole flow", append(happy,
			say{uid: 1, text: "thirty", want: []string{noNum}},
			say{uid: 1, text: "33", want: []string{annOK}},
			say{uid: 1, click: "Yes", want: []string{annIn}},
			say{uid: 1, text: "/members", want: []string{"members: Ann"}},
			say{uid: 1, text: "hello", want: []string{"echo: hello"}},
		)},
		{"/cancel ends it; the next text is routed as usual", append(happy,
			say{uid: 1, text: "/cancel", want: []string{cancel}},
			say{uid: 1, text: "33", want: []string{"echo: 33"}},
			say{uid: 1, text: "/active", want: []string{"active: false"}},
		)},
		{"/cancel with arguments", append(happy, say{uid: 1, text: "/cancel now", want: []string{cancel}})},
		{"/cancelled is not /cancel", append(happy, say{uid: 1, text: "/cancelled", want: []string{noNum}})},
		{"another command runs, the flow waits", append(happy,
			say{uid: 1, text: "/help", want: []string{"help"}},
			say{uid: 1, text: "/active", want: []string{"active: true"}},
			say{uid: 1, text: "33", want: []string{annOK}},
		)},
		{"an unknown command is an answer", append(happy, say{uid: 1, text: "/nope", want: []string{noNum}})},
		{"the start command starts over", append(happy,
			say{uid: 1, text: "/signup", want: []string{name}},
			say{uid: 1, text: "Bob", want: []string{age}},
		)},
		{"idle past the timeout: told, then routed as usual", append(happy,
			say{uid: 1, text: "33", later: 10 * time.Minute, want: []string{"Timed out.", "echo: 33"}},
			say{uid: 1, text: "34", want: []string{"echo: 34"}},
		)},
		{"idle just under the timeout: still on", append(happy,
			say{uid: 1, text: "33", later: 10*time.Minute - time.Millisecond, want: []string{annOK}},
		)},
		{"every answer restarts the timeout", append(happy,
			say{uid: 1, text: "x", later: 9 * time.Minute, want: []string{noNum}},
			say{uid: 1, text: "33", later: 9 * time.Minute, want: []string{annOK}},
		)},
		{"No button cancels", append(happy,
			say{uid: 1, text: "33", want: []string{annOK}},
			say{uid: 1, click: "No", want: []string{cancel}},
			say{uid: 1, text: "/members", want: []string{"members: "}},
		)},
		{"a text at the button step asks again", append(happy,
			say{uid: 1, text: "33", want: []string{annOK}},
			say{uid: 1, text: "yes", want: []string{"Please use the buttons.\n\n" + annOK}},
		)},
		{"another user's button (in a text step, then at the button step): asked again", append(happy,
			say{uid: 1, text: "33", want: []string{annOK}},
			say{uid: 2, text: "/signup", want: []string{name}},
			say{uid: 2, click: "Yes", from: 1, want: []string{"Please answer with a message.\n\n" + name}},
			say{uid: 2, text: "Bob", want: []string{age}},
			say{uid: 2, text: "40", want: []string{"Bob, 40?"}},
			say{uid: 2, click: "Yes", from: 1, want: []string{"Please use the buttons.\n\nBob, 40?"}},
			say{uid: 1, click: "Yes", want: []string{annIn}},
		)},
		{"users are independent", []say{
			{uid: 1, text: "/signup", want: []string{name}},
			{uid: 2, text: "/signup", want: []string{name}},
			{uid: 1, text: "Ann", want: []string{age}},
			{uid: 2, text: "Bob", want: []string{age}},
			{uid: 3, text: "hi", want: []string{"echo: hi"}},
		}},
		{"a stale confirm button after the flow: never the normal route", append(happy,
			say{uid: 1, text: "33", want: []string{annOK}},
			say{uid: 1, click: "Yes", want: []string{annIn}},
			say{uid: 1, click: "Yes", want: []string{"Sorry, this button no longer works. Please start again."}},
			say{uid: 1, text: "/members", want: []string{"members: Ann"}},
		)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			api, url, clock := newBot(t)
			for i, s := range c.says {
				clock.Advance(s.later)
				body := sociogramtest.ChatMessage(s.uid, s.text)
				if s.click != "" {
					from := s.from
					if from == 0 {
						from = s.uid
					}
					data, ok := clickData(api.Sent(), from, s.click)
					if !ok {
						t.Fatalf("step %d: no button %q sent to uid %d", i+1, s.click, from)
					}
					body = sociogramtest.CallbackQuery(s.uid, data)
				}
				before := len(api.Sent())
				resp, err := sociogramtest.Deliver(context.Background(), url, token, body)
				if err != nil || resp.Status != 200 {
					t.Fatalf("step %d (%+v): %+v %v", i+1, s, resp, err)
				}
				var got []string
				for _, r := range api.Sent()[before:] {
					if r.UID != s.uid {
						t.Errorf("step %d: a reply to uid %d, want %d", i+1, r.UID, s.uid)
					}
					got = append(got, r.Message.Text)
				}
				if !slices.Equal(got, s.want) {
					t.Fatalf("step %d (%s%s): replies %q, want %q", i+1, s.text, s.click, got, s.want)
				}
			}
		})
	}
}

// clickData finds the data of the button labelled label in the last
// message with buttons sent to uid.
func clickData(sent []sociogramtest.Sent, uid int64, label string) (string, bool) {
	for i := len(sent) - 1; i >= 0; i-- {
		if sent[i].UID != uid || len(sent[i].Message.ButtonMarkup) == 0 {
			continue
		}
		for _, row := range sent[i].Message.ButtonMarkup {
			for _, b := range row {
				if b.Text == label {
					return b.CallbackData, true
				}
			}
		}
		return "", false
	}
	return "", false
}

func TestNewPanics(t *testing.T) {
	step := conversation.Text("q", func(string, *Signup) error { return nil })
	done := func(context.Context, *handler.Event, Signup) error { return nil }
	for name, f := range map[string]func(){
		"no name": func() {
			conversation.New("", conversation.Flow[Signup]{Steps: []conversation.Step[Signup]{step}, Done: done})
		},
		"no steps": func() { conversation.New("t-a", conversation.Flow[Signup]{Done: done}) },
		"no done":  func() { conversation.New("t-b", conversation.Flow[Signup]{Steps: []conversation.Step[Signup]{step}}) },
		"a step lacks": func() {
			conversation.New("t-c", conversation.Flow[Signup]{Steps: []conversation.Step[Signup]{{}}, Done: done})
		},
		"declared twice": func() {
			conversation.New("t-signup", conversation.Flow[Signup]{Steps: []conversation.Step[Signup]{step}, Done: done})
		},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			f()
		})
	}
}

// TestConcurrentAnswers: two answers to one step racing (two instances, or
// a user typing fast) are two turns on one state: one passes the step, the
// other is judged at the step after it, whatever the order.
func TestConcurrentAnswers(t *testing.T) {
	for range 5 {
		api, url, _ := newBot(t)
		for _, text := range []string{"/signup", "Ann"} {
			if _, err := sociogramtest.Deliver(context.Background(), url, token, sociogramtest.ChatMessage(1, text)); err != nil {
				t.Fatal(err)
			}
		}
		before := len(api.Sent())
		var wg sync.WaitGroup
		for _, text := range []string{"33", "44"} {
			wg.Go(func() {
				resp, err := sociogramtest.Deliver(context.Background(), url, token, sociogramtest.ChatMessage(1, text))
				if err != nil || resp.Status != 200 {
					t.Errorf("%s: %+v %v", text, resp, err)
				}
			})
		}
		wg.Wait()
		var got []string
		for _, s := range api.Sent()[before:] {
			got = append(got, s.Message.Text)
		}
		slices.Sort(got)
		ok := slices.Equal(got, []string{"Ann, 33?", "Please use the buttons.\n\nAnn, 33?"}) ||
			slices.Equal(got, []string{"Ann, 44?", "Please use the buttons.\n\nAnn, 44?"})
		if !ok {
			t.Fatalf("replies %q: want one answer to pass the step and the other judged at the next", got)
		}
	}
}
