package handler

import (
	"context"
	"errors"
	"fmt"
)

// Event is what a handler receives: one chat-message or callback-query, with
// what its route extracted and a way to answer the user who sent it.
type Event struct {
	Type   EventType
	UID    int64  // the user who sent the event; replies go to this uid
	ChatID string // the chat the event came from

	Text         string // chat-message: the message text
	CallbackData string // callback-query: the pressed button's data

	Command string   // OnCommand routes: the command name without "/", e.g. "start"
	Args    string   // OnCommand routes: the text after the command, trimmed
	Matches []string // OnRegexp routes: the regexp's submatches

	Update *Update // the parsed envelope

	sender    Sender
	failed    error     // replies that were not delivered, state used without a store (joined)
	uncertain error     // replies that may or may not have been delivered (joined)
	turn      *stateSet // the states of this turn (WithStore); nil without a store
	mux       *Mux      // the Mux dispatching the event: its clock and button keys
	route     string    // the label of what took the event (SetRoute); "" when nothing did
	sent      int       // replies sent (or maybe sent) to the platform or the queue
}

// Reply sends text and optional rows of buttons to the user who sent the
// event. A reply that cannot be delivered makes the webhook answer 500 even if
// the handler goes on to return nil.
//
//	ev.Reply(ctx, "Pick one:", handler.Row(handler.CallbackButton("A", "pick_a")))
func (e *Event) Reply(ctx context.Context, text string, rows ...[]Button) error {
	return e.Send(ctx, Message{Text: text, ButtonMarkup: rows})
}

// Send sends msg to the user who sent the event; see Reply.
func (e *Event) Send(ctx context.Context, msg Message) error {
	err := e.sender.Send(ctx, e.UID, msg)
	if err == nil {
		e.sent++
		return nil
	}
	err = &ReplyError{UID: e.UID, Text: excerpt(msg.Text, 40), Err: err}
	if errors.Is(err, ErrMaybeDelivered) {
		e.sent++
		e.uncertain = errors.Join(e.uncertain, err)
	} else {
		e.failed = errors.Join(e.failed, err)
	}
	return err
}

// ErrMaybeDelivered is the error of a send whose outcome is unknown: the
// connection broke after the request was written, so the platform may have
// accepted the message. Senders wrap it; botapi.ErrMaybeDelivered is this
// value. Such a reply is not sent again, and it alone does not make the
// webhook answer 500, because a redelivered webhook would send it twice; the
// request's log line carries it as a warning.
var ErrMaybeDelivered = errors.New("connection lost after the request was sent; the message may have been delivered")

// ReplyError reports a reply that was not delivered: to whom, which one, why.
// Its Error names the uid and the cause only: the text stays out of error
// strings, and so out of log lines (see SECURITY.md); an error handler that
// wants it reads Text.
type ReplyError struct {
	UID  int64
	Text string // the start of the reply's text; not part of Error()
	Err  error
}

func (e *ReplyError) Error() string {
	return fmt.Sprintf("reply to uid %d not delivered: %v", e.UID, e.Err)
}

func (e *ReplyError) Unwrap() error { return e.Err }

func excerpt(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
