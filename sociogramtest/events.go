package sociogramtest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/sociogram-kit/kit/platform"
)

// ChatID is the chat id the builders use, the one from the platform's docs.
const ChatID = "507f1f77bcf86cd799439011"

// ChatMessage returns the webhook body of a chat-message from uid, in
// package platform's wire format (the one the emulator sends).
func ChatMessage(uid int64, text string) []byte {
	return platform.NewChatMessage(uid, ChatID, text).Encode()
}

// CallbackQuery returns the webhook body of a callback-query from uid.
func CallbackQuery(uid int64, data string) []byte {
	return platform.NewCallbackQuery(uid, ChatID, data).Encode()
}

// NewRequest returns a webhook request carrying body and token, for calling a
// bot's ServeHTTP in process.
func NewRequest(token string, body []byte) *http.Request {
	r, err := http.NewRequest(http.MethodPost, "/webhook", bytes.NewReader(body))
	if err != nil {
		panic(err)
	}
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set(platform.HeaderAppKey, token)
	return r
}

// Response is a webhook's answer.
type Response struct {
	Status int
	Body   string
}

// Deliver POSTs a webhook to url over real HTTP, as the platform does, and
// returns the answer.
func Deliver(ctx context.Context, url, token string, body []byte) (Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return Response{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(platform.HeaderAppKey, token)
	resp, err := deliverClient.Do(req)
	if err != nil {
		return Response{}, fmt.Errorf("delivering webhook: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return Response{Status: resp.StatusCode, Body: string(b)}, err
}

// deliverClient follows no redirect: the token must not travel on to
// whatever host a 3xx names (the answer is returned as it is).
var deliverClient = &http.Client{Timeout: 30 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
