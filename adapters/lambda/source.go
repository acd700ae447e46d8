package lambdaadapter

import "github.com/sociogram-kit/kit/adapters/lambda/internal/httpevent"

// Source is the service that delivered an HTTP request to the function. Its
// String method returns the name used in logs: rest-api, http-api,
// function-url (unknown for SourceUnknown).
type Source = httpevent.Source

// The sources the adapter understands.
const (
	SourceUnknown     = httpevent.SourceUnknown
	SourceRESTAPI     = httpevent.SourceRESTAPI     // API Gateway REST API, payload format 1.0 (also HTTP APIs set to 1.0)
	SourceHTTPAPI     = httpevent.SourceHTTPAPI     // API Gateway HTTP API, payload format 2.0
	SourceFunctionURL = httpevent.SourceFunctionURL // Lambda Function URL
)

// Errors returned by Invoke for payloads that are not HTTP events.
var (
	ErrUnknownEvent   = httpevent.ErrUnknownEvent
	ErrMalformedEvent = httpevent.ErrMalformedEvent
)

// Detect tells which source produced payload: version 2.0 with
// requestContext.http is an HTTP API event, or a Function URL one when its
// domain is a lambda-url domain; httpMethod (and version absent or 1.0) is a
// REST API event. Anything else is SourceUnknown.
func Detect(payload []byte) Source { return httpevent.Detect(payload) }
