package conformance

import (
	"bytes"
	"io"
	"net/http"
	"testing"
)

// DeliverHTTP posts requests to a webhook URL over real HTTP, for adapters
// that listen on a port (the plain-HTTP server, the Cloud Functions runner).
func DeliverHTTP(url string) Deliver {
	return func(t *testing.T, req Request) Response { return Send(t, url, req) }
}

// Send makes one request over real HTTP and returns the answer. Header names
// are sent in the case given: the adapter must not care.
func Send(t *testing.T, url string, req Request) Response {
	t.Helper()
	r, err := http.NewRequest(req.Method, url, bytes.NewReader(req.Body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range req.Header {
		r.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: string(body)}
}
