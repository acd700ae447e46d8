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

// wire is the union of the fields the three sources' events carry that the
// adapter reads, under aws-lambda-go's JSON names and types
// (events.APIGatewayProxyRequest, events.APIGatewayV2HTTPRequest,
// events.LambdaFunctionURLRequest): one json.Unmarshal both tells the
// source and fills the request, where decoding into a probe and then into
// the source's own type parsed every payload twice (about a quarter of the
// Lambda path's instructions per request, BENCHMARKS.md). Fields the
// adapter does not read (authorizers, stage variables, path parameters)
// are not decoded, so a wrong type there is not an error.
type wire struct {
	Version                         string              `json:"version"`
	HTTPMethod                      string              `json:"httpMethod"`            // REST API
	Path                            string              `json:"path"`                  // REST API
	RawPath                         string              `json:"rawPath"`               // 2.0
	RawQueryString                  string              `json:"rawQueryString"`        // 2.0
	Headers                         map[string]string   `json:"headers"`               // all
	MultiValueHeaders               map[string][]string `json:"multiValueHeaders"`     // REST API
	QueryStringParameters           map[string]string   `json:"queryStringParameters"` // REST API
	MultiValueQueryStringParameters map[string][]string `json:"multiValueQueryStringParameters"`
	Cookies                         []string            `json:"cookies"` // 2.0
	Body                            string              `json:"body"`
	IsBase64Encoded                 bool                `json:"isBase64Encoded"`
	RequestContext                  struct {
		DomainName string   `json:"domainName"`
		HTTP       struct { // 2.0
			Method   string `json:"method"`
			SourceIP string `json:"sourceIp"`
		} `json:"http"`
		Identity struct { // REST API
			SourceIP string `json:"sourceIp"`
		} `json:"identity"`
	} `json:"requestContext"`
}

// decodeWire decodes payload. A payload that is not JSON is an error of its
// own (notJSON); a field of the wrong type is reported after the rest was
// decoded, as json.Unmarshal does, so the source can still be told.
func decodeWire(payload []byte, w *wire) (typeErr error, notJSON bool) {
	err := json.Unmarshal(payload, w)
	var te *json.UnmarshalTypeError
	if err != nil && !errors.As(err, &te) {
		return err, true
	}
	return err, false
}

// source tells which source produced w: version 2.0 with
// requestContext.http is an HTTP API event, or a Function URL one when its
// domain is a lambda-url domain; httpMethod (and version absent or 1.0) is a
// REST API event. Anything else is SourceUnknown.
func (w *wire) source() Source {
	switch {
	case w.Version == "2.0" && w.RequestContext.HTTP.Method != "":
		if strings.Contains(w.RequestContext.DomainName, ".lambda-url.") {
			return SourceFunctionURL
		}
		return SourceHTTPAPI
	case w.HTTPMethod != "" && (w.Version == "" || w.Version == "1.0"):
		return SourceRESTAPI
	}
	return SourceUnknown
}

// Detect tells which source produced payload: version 2.0 with
// requestContext.http is an HTTP API event, or a Function URL one when its
// domain is a lambda-url domain; httpMethod (and version absent or 1.0) is a
// REST API event. Anything else is SourceUnknown.
func Detect(payload []byte) Source {
	var w wire
	if _, notJSON := decodeWire(payload, &w); notJSON {
		return SourceUnknown
	}
	return w.source()
}
