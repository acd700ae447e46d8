// Package lambdaadapter runs the kit's bot on AWS Lambda.
//
// One handler serves the three ways an HTTP request reaches a function: an
// API Gateway REST API (payload format 1.0), an API Gateway HTTP API (payload
// format 2.0) and a Lambda Function URL. The source is detected from the event
// itself, the event is converted to an *http.Request for the core (package
// handler), and the recorded answer is returned in the shape that source
// expects. The request's context is the invocation's, so the core's deadline
// never outlives the function's.
//
// Conversion rules:
//
//   - Base64-encoded bodies (isBase64Encoded) are decoded; a body that is not
//     valid base64 is answered 400 in the source's response shape.
//   - Header names may come in any case (HTTP APIs and Function URLs
//     lower-case them); they are canonicalised. REST API multi-value headers
//     become repeated header values (Header.Get sees the first, as net/http
//     does for repeated header lines); the comma-joined values of HTTP APIs and
//     Function URLs stay one value, as net/http keeps a comma-joined line.
//   - Answers whose body is not valid UTF-8 are returned base64-encoded.
//
// Errors: Invoke returns an error, never a response, for a payload that is not
// a JSON object of one of the three HTTP shapes (ErrUnknownEvent), or whose
// fields have the wrong JSON types (ErrMalformedEvent). Lambda reports such an
// invocation as a function error, and API Gateway answers it 502. Everything
// else is answered by the core with its status table, unchanged.
//
// Logging: LogHandler wraps a slog.Handler so that every record logged with an
// invocation's context carries the Lambda request id, the event source and,
// on the first invocation of the process, cold_start=true.
//
// The bot token: Secrets Manager tokens come from SecretTokens, and
// RefreshingVerifier re-reads the secret (at most once per interval) when a
// webhook's key does not match, so a rotated token is picked up without a
// redeploy.
//
// Structure: the event conversion (Detect, the request and the response
// shapes) is the internal package httpevent, which knows nothing of tokens,
// Secrets Manager or AWS configuration. WebhookFunction and SenderFunction
// build the AWS configuration (AWSConfig) at most once per cold start, when
// the first client needs it, and the Secrets Manager, DynamoDB and SQS
// clients share it; only the secret's read is a network call at cold start.
package lambdaadapter
