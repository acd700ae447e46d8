// Package httpevent converts the HTTP events a Lambda function receives to
// an *http.Request, and an http.Handler's answer back to the event source's
// response shape. It knows three sources: an API Gateway REST API (payload
// format 1.0), an API Gateway HTTP API (payload format 2.0) and a Lambda
// Function URL, decoded with aws-lambda-go's own event types.
//
// It is the conversion only: it knows nothing of tokens, Secrets Manager,
// the AWS configuration or logging, and depends on the standard library and
// aws-lambda-go's events package alone (a test holds it to that). Package
// lambdaadapter serves the bot with it and documents the conversion rules.
package httpevent
