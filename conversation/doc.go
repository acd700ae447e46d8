// Package conversation runs multi-step flows, such as a sign-up or an order
// form, on the kit's per-user state (handler.NewState): ask a question,
// wait for the answer, validate it (asking again with the validator's
// message), go on to the next step, and hand the answers, collected in a
// struct of the bot's own type, to a Done function.
//
//	type Signup struct{ Name string; Age int }
//
//	var signup = conversation.New("signup", conversation.Flow[Signup]{
//		Steps: []conversation.Step[Signup]{
//			conversation.Text("Your name?", func(s string, a *Signup) error { a.Name = s; return nil }),
//			conversation.Text("Your age?", parseAge), // an error (conversation.Retry) asks again
//		},
//		Done: func(ctx context.Context, ev *handler.Event, a Signup) error {
//			return ev.Reply(ctx, "Welcome, "+a.Name)
//		},
//	})
//
//	func Register(m *handler.Mux) {
//		signup.Register(m)                   // the flow takes the user's answers
//		m.OnCommand("signup", signup.Start)  // and starts on /signup
//	}
//
// While a user is in a flow, their events go to the flow before the
// normal routes (handler.Mux.Intercept):
//
//   - "/cancel" ends the flow and replies Flow.Cancelled;
//   - another command the bot registered (say /help) runs its route as
//     usual and the flow waits at its step; a flow's own start command
//     starts it over;
//   - any other message and every button click is the answer to the
//     current step;
//   - the first event after the flow has been idle for Flow.Timeout (on
//     the Mux's clock, handler.WithClock) ends it: the user is told
//     (Flow.TimedOut) and the event then goes to its normal route.
//
// A user is in at most one flow: starting one ends any other. Every step
// is one turn of the kit's state engine, so the step, the answers and the
// replies are committed together: two answers racing for one step are
// judged one after the other (the second at the next step), and a
// redelivered webhook whose replies are still pending is not taken as a
// second answer (the handler package's "State" gives the limits). A step's
// Ask, Answer and the flow's Done may run more than once for one event (a
// turn reruns on a conflict): keep their side effects to state and replies.
//
// A bot with a flow reads the user's state on every event (one store read),
// since any event may be an answer. The state is kept under the name
// "conversation" and expires with the rest of the user's state
// (handler.WithStateTTL): a TTL shorter than Flow.Timeout ends flows
// silently. A flow's answers live in the user's record: keep them small.
//
// Buttons of a step are best signed (handler.NewSignedButton): the step then
// knows the click is the bot's own button, not made-up data, and for this
// user.
package conversation
