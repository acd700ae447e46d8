package httpevent

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// Recorder is the http.ResponseWriter a handler writes its answer to; the
// whole answer is buffered, because a buffered Lambda response is returned
// at once. Its zero value is not usable: call NewRecorder.
type Recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

// NewRecorder returns an empty Recorder.
func NewRecorder() *Recorder { return &Recorder{header: http.Header{}} }

// Header implements http.ResponseWriter.
func (r *Recorder) Header() http.Header { return r.header }

// WriteHeader implements http.ResponseWriter; only the first status counts.
func (r *Recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

// Write implements http.ResponseWriter.
func (r *Recorder) Write(p []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(p)
}

// Encode returns the answer in the response shape src expects: status 200
// when none was written, a body that is not valid UTF-8 base64-encoded,
// repeated header values comma-joined (and kept apart in the REST API's
// multiValueHeaders), Set-Cookie as the cookies of payload format 2.0.
func (r *Recorder) Encode(src Source) ([]byte, error) {
	status := r.status
	if status == 0 {
		status = http.StatusOK
	}
	body, b64 := r.body.String(), false
	if !utf8.ValidString(body) {
		body, b64 = base64.StdEncoding.EncodeToString(r.body.Bytes()), true
	}
	var cookies []string
	joined := make(map[string]string, len(r.header))
	for k, vs := range r.header {
		if k == "Set-Cookie" && src != SourceRESTAPI {
			cookies = vs
			continue
		}
		joined[k] = strings.Join(vs, ",")
	}
	switch src {
	case SourceRESTAPI:
		return json.Marshal(events.APIGatewayProxyResponse{
			StatusCode: status, Headers: joined, MultiValueHeaders: r.header,
			Body: body, IsBase64Encoded: b64,
		})
	case SourceHTTPAPI:
		return json.Marshal(events.APIGatewayV2HTTPResponse{
			StatusCode: status, Headers: joined, Cookies: cookies,
			Body: body, IsBase64Encoded: b64,
		})
	default:
		return json.Marshal(events.LambdaFunctionURLResponse{
			StatusCode: status, Headers: joined, Cookies: cookies,
			Body: body, IsBase64Encoded: b64,
		})
	}
}
