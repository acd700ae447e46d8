// Package botapi is a client for the Sociogram Bot API's send-message
// endpoint. It is the handler.Sender a bot uses in production.
//
// A Client is built once per process and shared; it is safe for concurrent
// use and does no I/O until the first Send. Send:
//
//   - waits for its turn under the platform's rate limits (60 messages per
//     60 s per bot, 1 per second per user) unless WithRateLimit(false) is
//     given, so a busy bot does not earn 429s. The budget is shared fairly:
//     a user with LightSends or more sends in the last minute may not take
//     the last Headroom slots of any minute, busy users get equal shares of
//     the rest, and a user holds at most one slot ahead, so one user's flood
//     cannot make another user's reply wait for the deadline. A lone user's
//     few replies still go one a second;
//   - retries 429 and 5xx answers and connection failures that happened
//     before the request was written, with backoff that honours Retry-After
//     and never waits past the context's deadline. A connection lost after the
//     request was written is not retried: the platform may have accepted the
//     message, and sending it again would duplicate it;
//   - returns an *APIError for any non-2xx answer or success:false, and
//     ErrRedirect for a 3xx: no redirect is followed (not even with a client
//     given by WithHTTPClient), so the token in X-App-Key never travels to
//     another host or from https to http.
//
// The token never appears in an error: body excerpts have it redacted.
package botapi
