// Package emulator is a local stand-in for the Sociogram platform, for one
// bot. It plays both sides:
//
//   - the platform's Bot API: POST /bot/send-message with the documented
//     body and response, every call checked by package platform (the kit's
//     one model of the platform, which sociogramtest uses too: the same
//     bodies are accepted and rejected with the same answers), the
//     documented rate limits (60 messages per minute per bot, 1 per second
//     per user) enforced with 429 and Retry-After, a uid no user of the
//     page has refused with 400, and switchable faults (a 5xx status, added
//     latency) for trying the bot's error handling;
//   - the platform's webhooks: a chat page (GET /) where users (uids) write
//     to the bot and press its buttons; each message or button press is
//     POSTed to the bot's URL as a chat-message or callback-query webhook
//     carrying the token, and the bot's replies show up as chat bubbles.
//
// Every webhook and every API call lands in a delivery log with its status,
// latency, request and response (the token redacted), and, for rejected API
// calls, the reason.
//
// A message delivered (2xx) but not answered is marked on the user's entry
// (ChatEntry.NoReply) and shown under it: in the bot's words when it gives
// them (a bot with handler.WithDiagnostics, which the plain-HTTP adapter
// sets with SOCIOGRAM_DEV=1, answers with X-Sociogram-Outcome, e.g.
// "no reply: no route matched"), else NoReplyUnsaid. POST
// /emulator/message and /emulator/press answer with an Outcome holding the
// bot's replies to that message (waiting for those a reply queue sends
// after the answer), so a script, or `sociogram trigger -emulator`, sees
// what the bot said.
//
// The page is plain HTML, CSS and JavaScript embedded with go:embed. It talks
// to the emulator through a small JSON API under /emulator/ and long-polls
// GET /emulator/state for changes. When the bot shows a reply queue (the
// plain-HTTP adapter's GET /queue beside its /webhook, with
// SOCIOGRAM_REPLY_QUEUE=local), GET /emulator/queue relays its numbers,
// fetched server-side and reused for a second, and the page shows them.
//
// When the bot serves its development endpoints (the plain-HTTP adapter with
// SOCIOGRAM_DEV=1, as `make run` starts it), each chat column shows that
// user's per-user state as JSON (refreshed after each delivery) with a
// button that resets it, and the header moves the bot's clock forward (+1h,
// +1d, any duration) to try state expiry and conversation timeouts. The
// emulator calls the bot's /dev/state and /dev/clock server-side with the
// token (GET /emulator/bot-state, POST /emulator/bot-state/reset, GET and
// POST /emulator/bot-clock); the page never holds it. A bot without them
// answers 404 and the column says why.
//
// The emulator sends the real token with every webhook to the bot URL the
// page sets, so it answers only this machine: a request whose Host is not a
// loopback address, localhost or an address given by WithAllowedHost gets
// 403 (a page whose domain was rebound to 127.0.0.1 cannot use it), and so
// does a state-changing request whose Origin, when present, is not the
// emulator's own page. The page opens a bot's URL buttons only for http: and
// https: links; others are shown inert.
//
// Run by `sociogram dev` (`make run`), the page also shows the development
// loop's status, which that command sets in process (SetDevStatus): a badge
// while the bot is rebuilt or after it restarted, and a banner with the go
// command's output when a build failed (the previous bot keeps serving) or
// when the bot stopped.
//
// Lifecycle: New builds an Emulator (no I/O); its ServeHTTP is safe for
// concurrent use. The bot's webhooks are delivered while the page's request
// waits, so nothing outlives a request.
package emulator
