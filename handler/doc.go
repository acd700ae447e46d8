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
//
// The checks run in that order, and the key is checked before the body is read.
//
// All work, including every reply, finishes before ServeHTTP returns: no
// goroutine outlives a request, because serverless platforms freeze or throttle
// the process once the response is written.
//
// Lifecycle: build a Mux with New, register handlers and middleware, then serve.
// Registration is not safe for concurrent use and must finish before the first
// request; serving is safe for concurrent use.
package handler
