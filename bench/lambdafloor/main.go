// Command lambdafloor is the floor the Lambda bootstrap is measured against:
// the least an aws-lambda-go function can do for the same work, written by
// hand without the kit. It takes an HTTP API (payload 2.0) event, checks
// X-App-Key in constant time, decodes a chat-message and, when its text
// contains "hello", sends the example bot's reply to the Bot API with
// net/http before answering 200.
//
// Environment: SOCIOGRAM_BOT_TOKEN, SOCIOGRAM_API_URL.
package main

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

var (
	token  = os.Getenv("SOCIOGRAM_BOT_TOKEN")
	apiURL = os.Getenv("SOCIOGRAM_API_URL")
	client = &http.Client{Timeout: 10 * time.Second}
)

type update struct {
	Data struct {
		ChatMessage *struct {
			UID     int64 `json:"uid"`
			Message struct {
				Text string `json:"text"`
			} `json:"message"`
		} `json:"chat-message"`
	} `json:"data"`
}

func handle(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	answer := func(status int) (events.APIGatewayV2HTTPResponse, error) {
		return events.APIGatewayV2HTTPResponse{StatusCode: status, Body: http.StatusText(status)}, nil
	}
	if subtle.ConstantTimeCompare([]byte(ev.Headers["x-app-key"]), []byte(token)) != 1 {
		return answer(http.StatusUnauthorized)
	}
	var u update
	if err := json.Unmarshal([]byte(ev.Body), &u); err != nil {
		return answer(http.StatusBadRequest)
	}
	m := u.Data.ChatMessage
	if m == nil || !strings.Contains(strings.ToLower(m.Message.Text), "hello") {
		return answer(http.StatusOK)
	}
	reply, _ := json.Marshal(map[string]any{"uid": m.UID, "message": map[string]any{
		"text":         fmt.Sprintf("Hello there! You said: %q", m.Message.Text),
		"buttonMarkup": [][]map[string]string{{{"text": "Tell me more", "callbackData": "more_info"}}},
	}})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, apiURL+"/bot/send-message", bytes.NewReader(reply))
	if err != nil {
		return answer(http.StatusInternalServerError)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-App-Key", token)
	resp, err := client.Do(req)
	if err != nil {
		return answer(http.StatusInternalServerError)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return answer(http.StatusInternalServerError)
	}
	return answer(http.StatusOK)
}

func main() { lambda.Start(handle) }
