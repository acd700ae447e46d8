// Command floor is the hand-written floor the kit is measured against: the
// least a careful person would write to run the example bot over plain
// net/http, with nothing from the kit. It checks X-App-Key in constant time,
// decodes the event with encoding/json, picks the example bot's reply and
// sends it through a keep-alive client, answering 200 once the platform has
// answered success:true and 500 when it has not.
//
// Environment, as bin/webhook: SOCIOGRAM_BOT_TOKEN, SOCIOGRAM_API_URL, PORT
// (HOST is always 127.0.0.1). It has no logging, no rate spacing, no retries.
package main

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

type update struct {
	Data struct {
		ChatMessage *struct {
			UID     int64 `json:"uid"`
			Message struct {
				Text string `json:"text"`
			} `json:"message"`
		} `json:"chat-message"`
		CallbackQuery *struct {
			UID          int64  `json:"uid"`
			CallbackData string `json:"callbackData"`
		} `json:"callback-query"`
	} `json:"data"`
}

type button struct {
	Text         string `json:"text"`
	CallbackData string `json:"callbackData,omitempty"`
	URL          string `json:"url,omitempty"`
}

type message struct {
	Text         string     `json:"text"`
	ButtonMarkup [][]button `json:"buttonMarkup,omitempty"`
}

type sendRequest struct {
	UID     int64   `json:"uid"`
	Message message `json:"message"`
}

var (
	token  = os.Getenv("SOCIOGRAM_BOT_TOKEN")
	apiURL = strings.TrimRight(os.Getenv("SOCIOGRAM_API_URL"), "/") + "/bot/send-message"
	client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
)

func main() {
	if token == "" {
		fmt.Fprintln(os.Stderr, "floor: SOCIOGRAM_BOT_TOKEN is not set")
		os.Exit(1)
	}
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	http.HandleFunc("POST /webhook", webhook)
	fmt.Fprintln(os.Stderr, http.ListenAndServe("127.0.0.1:"+port, nil))
	os.Exit(1)
}

func webhook(w http.ResponseWriter, r *http.Request) {
	if subtle.ConstantTimeCompare([]byte(r.Header.Get("X-App-Key")), []byte(token)) != 1 {
		http.Error(w, "Unauthorized", http.StatusUnauthorized)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	var u update
	if err != nil || json.Unmarshal(body, &u) != nil {
		http.Error(w, "Bad Request", http.StatusBadRequest)
		return
	}
	uid, msg, ok := reply(&u)
	if ok {
		ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
		defer cancel()
		if err := send(ctx, uid, msg); err != nil {
			http.Error(w, "Internal Server Error", http.StatusInternalServerError)
			return
		}
	}
	w.Write([]byte("OK\n"))
}

// reply is the example bot (package bot) written out by hand.
func reply(u *update) (int64, message, bool) {
	if m := u.Data.ChatMessage; m != nil {
		switch text := m.Message.Text; {
		case text == "/start" || strings.HasPrefix(text, "/start "):
			return m.UID, message{Text: "Welcome! What would you like to do?", ButtonMarkup: [][]button{
				{{Text: "👋 Greeting", CallbackData: "greeting"}},
				{{Text: "🛍 Products", CallbackData: "menu_products"}},
				{{Text: "🆘 Support", CallbackData: "menu_support"}},
			}}, true
		case strings.Contains(strings.ToLower(text), "hello"):
			return m.UID, message{Text: `Hello there! You said: "` + text + `"`,
				ButtonMarkup: [][]button{{{Text: "Tell me more", CallbackData: "more_info"}}}}, true
		}
		return 0, message{}, false
	}
	if q := u.Data.CallbackQuery; q != nil {
		switch q.CallbackData {
		case "greeting":
			return q.UID, message{Text: "Great to meet you! I'm here to help."}, true
		case "menu_products":
			return q.UID, message{Text: "Here are our products: Product A, Product B, Product C."}, true
		case "menu_support":
			return q.UID, message{Text: "How can I help you?", ButtonMarkup: [][]button{
				{{Text: "📖 Documentation", URL: "https://docs.example.com"}},
				{{Text: "💬 Live Chat", CallbackData: "support_live_chat"}},
			}}, true
		}
		return q.UID, message{Text: "You clicked a button with data: " + q.CallbackData}, true
	}
	return 0, message{}, false
}

func send(ctx context.Context, uid int64, msg message) error {
	body, err := json.Marshal(sendRequest{UID: uid, Message: msg})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, apiURL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-App-Key", token)
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var answer struct {
		Success bool `json:"success"`
	}
	err = json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&answer)
	if resp.StatusCode/100 != 2 || err != nil || !answer.Success {
		return fmt.Errorf("send-message answered %d", resp.StatusCode)
	}
	return nil
}
