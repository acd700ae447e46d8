// Package handler is the platform-neutral core of the kit: it verifies a
// Sociogram webhook's X-App-Key, parses the {"data": {...}} envelope into a
// typed event, routes it to the bot's handlers and maps the outcome to an
// HTTP status. It imports the standard library only.
//
// A *Mux is an http.Handler. The plain-HTTP server and Cloud Functions use it
// directly; the Lambda adapter converts API Gateway and Function URL events to
// an *http.Request and back. Every adapter therefore answers with the same
// status table:
//
//	method not POST                                  405, Allow: POST
//	X-App-Key missing or wrong                       401
//	body over the limit (default 1 MiB)              413
//	Content-Type present and not application/json    415
//	not JSON, no data object, wrong field types      400
//	only unknown event keys                          200, nothing dispatched
//	handled                                          200
//	handler returned an error or panicked            500
//	more webhooks in flight than WithMaxInFlight     503, Retry-After: 1
//	state changed by other turns at every attempt    503, Retry-After: 1 (WithStore)
//
// The checks run in that order, and the key is checked before the body is read.
// A 400 or 415 body says what is wrong and what is expected, never quoting
// the body.
//
// One log line per request (WithLogger) gives the event type, uid, status
// and duration; when nothing handled the event, "unrouted" says why (no
// route matched, empty text, only unknown event keys, naming them), and at
// debug level "route" names what took it (a label built when the route was
// registered: "command:start", "regexp:(?i)hello", "callback:greeting",
// "fallback:callback-query", "signed-button:KIND", "flow:NAME" through
// Event.SetRoute) and "replies" how many it sent. WithDiagnostics puts the
// same in each answer's X-Sociogram-Outcome header, for development tools.
//
// All work, including every reply, finishes before ServeHTTP returns: no
// goroutine outlives a request, because serverless platforms freeze or throttle
// the process once the response is written.
//
// Lifecycle: build a Mux with New, register handlers and middleware, then serve.
// Registration is not safe for concurrent use and must finish before the first
// request; serving is safe for concurrent use.
//
// # State
//
// With WithStore, each user has a record in a Store (key: the decimal uid)
// holding typed states (NewState) and an outbox, and every routed event is a
// turn:
//
//  1. Run the handler; its replies are collected, not sent. Its first use of
//     state reads the record (expired, per WithStateTTL: read as empty). A
//     handler that uses no state ends here: its replies are sent as without
//     a store, and the store is not called.
//  2. If the outbox holds replies of an event with this event's fingerprint
//     (a hash of type, uid, chat id and text or callback data: the webhook
//     has no event id), this is a redelivery: the run is discarded and those
//     replies are resent.
//  3. A handler error or panic ends the turn: nothing is saved or sent, the
//     webhook answers 500.
//  4. Nothing changed: send the replies directly, write nothing (unless less
//     than half the TTL is left: then the record is written to keep an
//     active user's state alive). Otherwise commit the states and an outbox
//     entry with the replies in one conditional Put. Replies of earlier turns
//     that failed (or died: their entry is older than twice the webhook
//     timeout) go into this entry, first. On ErrConflict the handler reruns
//     on the fresh record (up to 10 attempts, then 503); a losing attempt's
//     replies are never sent.
//  5. Send the entry's replies in order, then remove the entry (a second Put).
//     When a send fails, what is left stays, marked abandoned, and the webhook
//     answers 500: its redelivery, or the user's next event that uses state,
//     sends the rest.
//
// Store calls: 1 Get per turn that uses state; 1 Put more when the state
// changed and nothing was replied; 2 when replies were committed. A handler
// may run more than once per event: keep its side effects to state and
// replies.
//
// Limits: an event identical to one whose replies are still pending is taken
// as its redelivery (its replies are sent once more, the handler does not
// run); once a later event has carried an event's replies, a redelivery of
// that event runs as a new turn; a turn that changed no state is not in the
// outbox, so its redelivery runs it again (repeating replies sent before the
// failed one); a reply whose send may have happened (ErrMaybeDelivered) is
// not resent; a reply refused for good (the sender's error reports
// Temporary() false, e.g. 400) is dropped, not retried; concurrent turns of
// one user commit in some order, and their replies may interleave.
package handler
