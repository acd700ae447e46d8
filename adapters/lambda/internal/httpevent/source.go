package httpevent

import (
	"encoding/json"
	"errors"
	"strings"
)

// Source is the service that delivered an HTTP request to the function.
type Source int

// The sources the adapter understands.
const (
	SourceUnknown     Source = iota
	SourceRESTAPI            // API Gateway REST API, payload format 1.0 (also HTTP APIs set to 1.0)
	SourceHTTPAPI            // API Gateway HTTP API, payload format 2.0
	SourceFunctionURL        // Lambda Function URL
)

// String returns the name used in logs: rest-api, http-api, function-url.
func (s Source) String() string {
	switch s {
	case SourceRESTAPI:
		return "rest-api"
	case SourceHTTPAPI:
		return "http-api"
	case SourceFunctionURL:
		return "function-url"
	}
	return "unknown"
}

// Errors returned by Decode for payloads that are not HTTP events. Their
// text names package lambdaadapter, whose Invoke returns them to Lambda.
var (
	ErrUnknownEvent   = errors.New("lambdaadapter: not an API Gateway or Function URL HTTP event")
	ErrMalformedEvent = errors.New("lambdaadapter: malformed HTTP event")
)

// probe holds the few fields that tell the sources apart.
type probe struct {
	Version        string `json:"version"`
	HTTPMethod     string `json:"httpMethod"`
	RequestContext struct {
		DomainName string `json:"domainName"`
		HTTP       struct {
			Method string `json:"method"`
		} `json:"http"`
	} `json:"requestContext"`
}

// Detect tells which source produced payload: version 2.0 with
// requestContext.http is an HTTP API event, or a Function URL one when its
// domain is a lambda-url domain; httpMethod (and version absent or 1.0) is a
// REST API event. Anything else is SourceUnknown.
func Detect(payload []byte) Source {
	var p probe
	if err := json.Unmarshal(payload, &p); err != nil {
		return SourceUnknown
	}
	switch {
	case p.Version == "2.0" && p.RequestContext.HTTP.Method != "":
		if strings.Contains(p.RequestContext.DomainName, ".lambda-url.") {
			return SourceFunctionURL
		}
		return SourceHTTPAPI
	case p.HTTPMethod != "" && (p.Version == "" || p.Version == "1.0"):
		return SourceRESTAPI
	}
	return SourceUnknown
}
