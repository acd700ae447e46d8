// Package gcfadapter runs a bot on Google Cloud Functions (2nd gen) through
// functions-framework-go.
//
// The bot is registered as the HTTP function named [EntryPoint] ("Webhook",
// so the deployed function's entry point and FUNCTION_TARGET are Webhook) and
// answers exactly as the core's status table says: the adapter adds no
// verification, parsing or routing. What it adds is Cloud Logging: [Handler]
// puts the request's trace (from X-Cloud-Trace-Context) and execution id
// (from Function-Execution-Id) on its context, and the slog handler of
// [NewLogHandler] writes them, with "severity" and "message", as the
// structured JSON Cloud Logging reads, so the core's one line per request is
// grouped with the request in the console.
//
// The buildpack builds the Go package at the root of the uploaded source, so
// the module's root package (function.go) calls [Register] with [FromEnv] in
// its init; cmd/gcf serves the same registration locally.
package gcfadapter
