package httpevent

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// ErrBadBase64 is returned by Request for a body flagged isBase64Encoded
// that does not decode; lambdaadapter answers it 400.
var ErrBadBase64 = errors.New("body is not valid base64")

// Event is an HTTP event of one of the three sources, reduced to what they
// have in common.
type Event struct {
	Source     Source
	method     string
	path       string
	rawQuery   string
	host       string
	remoteAddr string
	header     http.Header
	body       string
	base64     bool
}

// Decode detects the payload's source and decodes it, in one pass, into
// the fields aws-lambda-go's event type for that source gives them (see
// wire). It fails with ErrUnknownEvent for a payload of no known source,
// and ErrMalformedEvent for one whose fields have the wrong JSON types.
func Decode(payload []byte) (*Event, error) {
	var w wire
	typeErr, notJSON := decodeWire(payload, &w)
	src := w.source()
	if notJSON || src == SourceUnknown {
		return nil, ErrUnknownEvent
	}
	if typeErr != nil {
		return nil, fmt.Errorf("%w (%s): %v", ErrMalformedEvent, src, typeErr)
	}
	var ev *Event
	if src == SourceRESTAPI {
		ev = fromRESTAPI(&w)
	} else {
		c := w.RequestContext
		ev = fromV2(w.RawPath, w.RawQueryString, c.DomainName, c.HTTP.Method, c.HTTP.SourceIP, w.Headers, w.Cookies, w.Body, w.IsBase64Encoded)
	}
	ev.Source = src
	return ev, nil
}

func fromRESTAPI(e *wire) *Event {
	h := make(http.Header, len(e.Headers))
	if len(e.MultiValueHeaders) > 0 {
		for k, vs := range e.MultiValueHeaders {
			for _, v := range vs {
				h.Add(k, v)
			}
		}
	} else {
		for k, v := range e.Headers {
			h.Add(k, v)
		}
	}
	q := url.Values{}
	if len(e.MultiValueQueryStringParameters) > 0 {
		for k, vs := range e.MultiValueQueryStringParameters {
			q[k] = append(q[k], vs...)
		}
	} else {
		for k, v := range e.QueryStringParameters {
			q.Add(k, v)
		}
	}
	return &Event{
		method: e.HTTPMethod, path: e.Path, rawQuery: q.Encode(),
		host: e.RequestContext.DomainName, remoteAddr: e.RequestContext.Identity.SourceIP,
		header: h, body: e.Body, base64: e.IsBase64Encoded,
	}
}

func fromV2(path, rawQuery, domain, method, sourceIP string, headers map[string]string, cookies []string, body string, b64 bool) *Event {
	h := make(http.Header, len(headers)+1)
	for k, v := range headers {
		h.Add(k, v)
	}
	if len(cookies) > 0 {
		h.Set("Cookie", strings.Join(cookies, "; "))
	}
	return &Event{
		method: method, path: path, rawQuery: rawQuery, host: domain, remoteAddr: sourceIP,
		header: h, body: body, base64: b64,
	}
}

// Request builds the *http.Request to serve, with ctx (the invocation's) as
// its context. It fails only with ErrBadBase64.
func (e *Event) Request(ctx context.Context) (*http.Request, error) {
	body := []byte(e.body)
	if e.base64 {
		b, err := base64.StdEncoding.DecodeString(e.body)
		if err != nil {
			return nil, ErrBadBase64
		}
		body = b
	}
	host := e.header.Get("Host")
	if host == "" {
		host = e.host
	}
	u := &url.URL{Scheme: "https", Host: host, Path: e.path, RawQuery: e.rawQuery}
	r := &http.Request{
		Method:        e.method,
		URL:           u,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        e.header,
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
		Host:          host,
		RemoteAddr:    e.remoteAddr,
		RequestURI:    u.RequestURI(),
	}
	return r.WithContext(ctx), nil
}
