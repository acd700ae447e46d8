package conversation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/sociogram-kit/kit/handler"
)

// DefaultTimeout is how long a flow waits for an answer unless
// Flow.Timeout says otherwise.
const DefaultTimeout = 30 * time.Minute

// ErrCancel, returned by a step's Answer, ends the flow as /cancel does
// (e.g. a "Cancel" button of a confirmation step).
var ErrCancel = errors.New("conversation: cancelled")

// Retry returns the error of an answer that is not valid: the step is asked
// again after message. Any error does that with its text; Retry says that
// the text is for the user.
func Retry(message string) error { return retry(message) }

type retry string

func (r retry) Error() string { return string(r) }

// Step is one question of a flow and the handling of its answer.
type Step[T any] struct {
	// Ask returns the question: text and buttons. It gets the event (to
	// sign buttons, handler.NewSignedButton) and the answers so far.
	Ask func(ev *handler.Event, answers *T) handler.Message
	// Answer reads the user's answer from ev (ev.Text for a message,
	// ev.CallbackData or a SignedButton's Decode for a click) into
	// answers. An error (Retry) asks again: its text, a message for the
	// user, is sent with the question; what Answer changed is dropped.
	// ErrCancel ends the flow.
	Answer func(ev *handler.Event, answers *T) error
}

// Text is a step that asks question and takes a message as the answer:
// parse validates the text and stores it in answers, and its error is sent
// back with the question. A button click instead of a message asks again.
func Text[T any](question string, parse func(text string, answers *T) error) Step[T] {
	return Step[T]{
		Ask: func(*handler.Event, *T) handler.Message { return handler.Message{Text: question} },
		Answer: func(ev *handler.Event, a *T) error {
			if ev.Type != handler.EventChatMessage {
				return Retry("Please answer with a message.")
			}
			return parse(ev.Text, a)
		},
	}
}

// Flow is a multi-step conversation whose answers are collected in a T,
// which must encode to JSON and back (exported fields). Give its fields to
// New.
type Flow[T any] struct {
	Steps []Step[T]
	// Done runs in the turn of the last step's valid answer, with every
	// answer; the flow has already ended (Done may start another). Its
	// error fails the turn (500): nothing is saved, the platform redelivers.
	Done func(ctx context.Context, ev *handler.Event, answers T) error
	// Timeout is how long the flow waits for an answer (DefaultTimeout
	// when 0).
	Timeout time.Duration
	// Cancelled is the reply to /cancel (default "Cancelled.").
	Cancelled string
	// TimedOut is the reply to the first event after the timeout (default
	// "You were away for a while, so I stopped that conversation.").
	TimedOut string

	name  string
	route string // "flow:NAME", the label handler.Event.SetRoute gives the events the flow takes
}

// session is a user's place in a flow, the one state of this package.
// It reads plainly in the emulator's state panel:
// {"flow": "order", "step": 1, "answers": {...}, "asked": 1793534400000}.
type session struct {
	Flow    string          `json:"flow,omitempty"` // the flow's name; "" when in none
	Step    int             `json:"step,omitempty"`
	Answers json.RawMessage `json:"answers,omitempty"` // the T so far
	Asked   int64           `json:"asked,omitempty"`   // when the question was sent, Unix milliseconds
}

var sessions = handler.NewState[session]("conversation")

var (
	namesMu sync.Mutex
	names   = map[string]bool{}
)

// New declares the flow called name. It panics when the name is empty or
// already declared in this process, when there are no steps, or when a step
// or Done is missing: call it at package level.
func New[T any](name string, f Flow[T]) *Flow[T] {
	if name == "" {
		panic("conversation: New needs a name")
	}
	if len(f.Steps) == 0 || f.Done == nil {
		panic(fmt.Sprintf("conversation: flow %q needs Steps and Done", name))
	}
	for i, s := range f.Steps {
		if s.Ask == nil || s.Answer == nil {
			panic(fmt.Sprintf("conversation: flow %q: step %d needs Ask and Answer", name, i+1))
		}
	}
	if _, err := json.Marshal(new(T)); err != nil {
		panic(fmt.Sprintf("conversation: flow %q: %T cannot be encoded as JSON: %v", name, *new(T), err))
	}
	namesMu.Lock()
	defer namesMu.Unlock()
	if names[name] {
		panic(fmt.Sprintf("conversation: flow %q declared twice", name))
	}
	names[name] = true
	if f.Timeout <= 0 {
		f.Timeout = DefaultTimeout
	}
	if f.Cancelled == "" {
		f.Cancelled = "Cancelled."
	}
	if f.TimedOut == "" {
		f.TimedOut = "You were away for a while, so I stopped that conversation."
	}
	f.name, f.route = name, "flow:"+name
	return &f
}

// Name returns the flow's name.
func (f *Flow[T]) Name() string { return f.name }

// Register makes the flow take its users' events before m's routes (see
// the package documentation). Call it once per Mux, in the bot's Register.
func (f *Flow[T]) Register(m *handler.Mux) { m.Intercept(f.intercept) }

// Start begins the flow for the user of ev with empty answers and asks the
// first question; it is a handler.HandlerFunc, for a command or a button.
func (f *Flow[T]) Start(ctx context.Context, ev *handler.Event) error {
	var zero T
	return f.StartWith(ctx, ev, zero)
}

// StartWith begins the flow with answers already given (e.g. what the
// button that started it says) and asks the first question.
func (f *Flow[T]) StartWith(ctx context.Context, ev *handler.Event, answers T) error {
	s := sessions.Get(ev)
	*s = session{Flow: f.name}
	return f.ask(ctx, ev, s, 0, &answers, "")
}

// Active reports whether the user of ev is in this flow (its timeout not
// yet passed).
func (f *Flow[T]) Active(ev *handler.Event) bool {
	s := sessions.Get(ev)
	return s.Flow == f.name && !f.idle(ev, s)
}

func (f *Flow[T]) idle(ev *handler.Event, s *session) bool {
	return ev.Now().Sub(time.UnixMilli(s.Asked)) >= f.Timeout
}

// intercept routes the events of a user in this flow.
func (f *Flow[T]) intercept(next handler.HandlerFunc) handler.HandlerFunc {
	return func(ctx context.Context, ev *handler.Event) error {
		s := sessions.Get(ev)
		switch {
		case s.Flow != f.name:
			return next(ctx, ev)
		case f.idle(ev, s):
			sessions.Reset(ev)
			if err := ev.Reply(ctx, f.TimedOut); err != nil {
				return err
			}
			return next(ctx, ev)
		case isCancel(ev.Text) && ev.Type == handler.EventChatMessage:
			sessions.Reset(ev)
			ev.SetRoute(f.route)
			return ev.Reply(ctx, f.Cancelled)
		case ev.Command != "":
			return next(ctx, ev) // another of the bot's commands; the flow waits
		}
		ev.SetRoute(f.route) // for the debug log line and the emulator
		return f.answer(ctx, ev, s)
	}
}

// isCancel reports whether text is the command /cancel, arguments allowed.
func isCancel(text string) bool {
	rest, ok := strings.CutPrefix(text, "/cancel")
	return ok && (rest == "" || strings.TrimLeft(rest, " \t\n") != rest)
}

// answer gives ev to the current step, then asks the next question, asks
// again, or finishes.
func (f *Flow[T]) answer(ctx context.Context, ev *handler.Event, s *session) error {
	var a T
	if s.Step < 0 || s.Step >= len(f.Steps) || (len(s.Answers) > 0 && json.Unmarshal(s.Answers, &a) != nil) {
		// Written by another version of the flow (steps removed, T changed).
		sessions.Reset(ev)
		return ev.Reply(ctx, "Sorry, I lost track of that conversation. Please start again.")
	}
	err := f.Steps[s.Step].Answer(ev, &a)
	switch {
	case errors.Is(err, ErrCancel):
		sessions.Reset(ev)
		return ev.Reply(ctx, f.Cancelled)
	case err != nil:
		var before T
		if len(s.Answers) > 0 {
			_ = json.Unmarshal(s.Answers, &before) // decoded once above
		}
		return f.ask(ctx, ev, s, s.Step, &before, err.Error())
	case s.Step+1 == len(f.Steps):
		sessions.Reset(ev)
		return f.Done(ctx, ev, a)
	}
	return f.ask(ctx, ev, s, s.Step+1, &a, "")
}

// ask saves the session at step with answers and sends that step's
// question, after problem (the validator's message) when there is one.
func (f *Flow[T]) ask(ctx context.Context, ev *handler.Event, s *session, step int, answers *T, problem string) error {
	raw, err := json.Marshal(answers)
	if err != nil {
		return fmt.Errorf("conversation: flow %q: answers cannot be encoded: %w", f.name, err)
	}
	s.Step, s.Answers, s.Asked = step, raw, ev.Now().UnixMilli()
	q := f.Steps[step].Ask(ev, answers)
	if problem != "" {
		q.Text = problem + "\n\n" + q.Text
	}
	return ev.Send(ctx, q)
}
