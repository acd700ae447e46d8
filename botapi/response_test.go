package botapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/sociogram-kit/kit/botapi"
	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/sociogramtest"
)

func TestParseResponse(t *testing.T) {
	tests := []struct {
		body, id string
		ok       bool
	}{
		{`{"success": true, "messageId": "507f1f77bcf86cd799439011"}`, "507f1f77bcf86cd799439011", true},
		{`{"success": true, "messageId": 42}`, "42", true},
		{`{"success": true, "messageId": "a\u0062c\"d"}`, "abc\"d", true},
		{`{"success": true}`, "", true},
		{`{"success": false, "messageId": "x"}`, "", false},
		{`{"success": "yes"}`, "", false},
		{`<html>bad gateway</html>`, "", false},
		{``, "", false},
	}
	for _, tt := range tests {
		id, ok := botapi.ParseResponse([]byte(tt.body))
		if id != tt.id || ok != tt.ok {
			t.Errorf("ParseResponse(%s) = %q, %v; want %q, %v", tt.body, id, ok, tt.id, tt.ok)
		}
	}
}

// FuzzParseResponse: any body is either success with an id or a failure,
// never a panic; success only when the body is JSON saying so.
func FuzzParseResponse(f *testing.F) {
	f.Add([]byte(`{"success": true, "messageId": "507f1f77bcf86cd799439011"}`))
	f.Add([]byte(`{"success":false,"error":"invalid X-App-Key"}`))
	f.Add([]byte(`{"success":true,"messageId":null}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		_, ok := botapi.ParseResponse(body)
		if ok && !json.Valid(body) {
			t.Fatalf("invalid JSON %q taken for success", body)
		}
	})
}

func Example() {
	api := sociogramtest.NewAPI("my-token", nil) // the real API is botapi.DefaultBaseURL
	srv := &http.Server{Handler: api}
	ln := listen()
	go srv.Serve(ln)
	defer srv.Close()

	client := botapi.New("my-token", botapi.WithBaseURL("http://"+ln.Addr().String()))
	id, err := client.SendMessage(context.Background(), 12345, handler.Message{
		Text:         "Pick one:",
		ButtonMarkup: [][]handler.Button{handler.Row(handler.CallbackButton("A", "pick_a"), handler.URLButton("Docs", "https://docs.example.com"))},
	})
	fmt.Println(id, err)
	fmt.Print(string(api.Sent()[0].Body))
	// Output:
	// 000000000000000000000001 <nil>
	// {"uid":12345,"message":{"text":"Pick one:","buttonMarkup":[[{"text":"A","callbackData":"pick_a"},{"text":"Docs","url":"https://docs.example.com"}]]}}
}

// BenchmarkEncodeRequest is the client's request encoding.
func BenchmarkEncodeRequest(b *testing.B) {
	msg := handler.Message{Text: "Hello there! You said: \"Hello bot!\"", ButtonMarkup: [][]handler.Button{{handler.CallbackButton("Tell me more", "more_info")}}}
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := botapi.EncodeRequest(&buf, 12345, msg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSendLoopback is the client's per-message work against a server
// that answers at once: encoding, the request and parsing the answer.
func BenchmarkSendLoopback(b *testing.B) {
	ln := listen()
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Write([]byte(`{"success":true,"messageId":"507f1f77bcf86cd799439011"}`))
	})}
	go srv.Serve(ln)
	defer srv.Close()
	c := botapi.New("t", botapi.WithBaseURL("http://"+ln.Addr().String()), botapi.WithRateLimit(false))
	msg := handler.Message{Text: "Hello there! You said: \"Hello bot!\"", ButtonMarkup: [][]handler.Button{{handler.CallbackButton("Tell me more", "more_info")}}}
	b.ReportAllocs()
	for b.Loop() {
		if err := c.Send(context.Background(), 12345, msg); err != nil {
			b.Fatal(err)
		}
	}
}
