package lambdaadapter

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// recorder is the http.ResponseWriter the core writes to; the whole answer is
// buffered, because a buffered Lambda response is returned at once.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newRecorder() *recorder { return &recorder{header: http.Header{}} }

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *recorder) Write(p []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(p)
}

// encode returns the answer in the response shape src expects.
func (r *recorder) encode(src Source) ([]byte, error) {
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
