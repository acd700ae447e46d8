// Package floorbot is the hand-written floor's bot, shared by the three
// floors the kit is measured against (bench/floor over net/http,
// bench/gcffloor on functions-framework-go, bench/lambdafloor on
// aws-lambda-go): the least a careful person would write for the example bot
// without the kit. It checks X-App-Key in constant time, decodes the event
// with encoding/json, picks the example bot's reply, sends it through a
// keep-alive client with a 10 s deadline, answers 200 once the platform has
// answered success:true and 500 when it has not, and logs one JSON line per
// webhook, synchronously, with the information of the kit's request line:
// event kind, uid, status and duration (what an operator needs; the kit's
// default). It has no rate spacing and no retries.
package floorbot

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
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

// Bot is the floor's bot: a token, the Bot API's send-message URL, one
// keep-alive client and a logger.
type Bot struct {
	token  []byte
	key    string // token, as the header value
	apiURL string
	client *http.Client
	log    *slog.Logger
}

// New returns the bot for token, sending to apiURL's /bot/send-message and
// logging to logger.
func New(token, apiURL string, logger *slog.Logger) *Bot {
	return &Bot{
		token:  []byte(token),
		key:    token,
		apiURL: strings.TrimRight(apiURL, "/") + "/bot/send-message",
		client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}},
		log:    logger,
	}
}

// ServeHTTP is the webhook over net/http (the plain-HTTP and the Cloud
// Functions floors).
func (b *Bot) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	status := http.StatusBadRequest
	if err == nil {
		status = b.Serve(r.Context(), r.Header.Get("X-App-Key"), body)
	}
	if status == http.StatusOK {
		w.Write([]byte("OK\n"))
		return
	}
	http.Error(w, http.StatusText(status), status)
}

// Serve answers one webhook whose X-App-Key is key and body is body, and
// returns its status; it logs the webhook's line.
func (b *Bot) Serve(ctx context.Context, key string, body []byte) int {
	began := time.Now()
	kind, uid, status := b.serve(ctx, key, body)
	attrs := make([]slog.Attr, 0, 4)
	if kind != "" {
		attrs = append(attrs, slog.String("event", kind), slog.Int64("uid", uid))
	}
	attrs = append(attrs, slog.Int("status", status), slog.Float64("duration_ms", float64(time.Since(began).Microseconds())/1000))
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	} else if status >= 400 {
		level = slog.LevelWarn
	}
	b.log.LogAttrs(ctx, level, "webhook", attrs...)
	return status
}

func (b *Bot) serve(ctx context.Context, key string, body []byte) (kind string, uid int64, status int) {
	if subtle.ConstantTimeCompare([]byte(key), b.token) != 1 {
		return "", 0, http.StatusUnauthorized
	}
	var u update
	if json.Unmarshal(body, &u) != nil {
		return "", 0, http.StatusBadRequest
	}
	kind, uid, msg, ok := reply(&u)
	if !ok {
		return kind, uid, http.StatusOK
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := b.send(ctx, uid, msg); err != nil {
		return kind, uid, http.StatusInternalServerError
	}
	return kind, uid, http.StatusOK
}

// reply is the example bot (package bot) written out by hand.
func reply(u *update) (kind string, uid int64, msg message, ok bool) {
	if m := u.Data.ChatMessage; m != nil {
		switch text := m.Message.Text; {
		case text == "/start" || strings.HasPrefix(text, "/start "):
			return "chat-message", m.UID, message{Text: "Welcome! What would you like to do?", ButtonMarkup: [][]button{
				{{Text: "👋 Greeting", CallbackData: "greeting"}},
				{{Text: "🛍 Products", CallbackData: "menu_products"}},
				{{Text: "🆘 Support", CallbackData: "menu_support"}},
			}}, true
		case strings.Contains(strings.ToLower(text), "hello"):
			return "chat-message", m.UID, message{Text: `Hello there! You said: "` + text + `"`,
				ButtonMarkup: [][]button{{{Text: "Tell me more", CallbackData: "more_info"}}}}, true
		}
		return "chat-message", m.UID, message{}, false
	}
	if q := u.Data.CallbackQuery; q != nil {
		switch q.CallbackData {
		case "greeting":
			return "callback-query", q.UID, message{Text: "Great to meet you! I'm here to help."}, true
		case "menu_products":
			return "callback-query", q.UID, message{Text: "Here are our products: Product A, Product B, Product C."}, true
		case "menu_support":
			return "callback-query", q.UID, message{Text: "How can I help you?", ButtonMarkup: [][]button{
				{{Text: "📖 Documentation", URL: "https://docs.example.com"}},
				{{Text: "💬 Live Chat", CallbackData: "support_live_chat"}},
			}}, true
		}
		return "callback-query", q.UID, message{Text: "You clicked a button with data: " + q.CallbackData}, true
	}
	return "", 0, message{}, false
}

func (b *Bot) send(ctx context.Context, uid int64, msg message) error {
	body, err := json.Marshal(sendRequest{UID: uid, Message: msg})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.apiURL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-App-Key", b.key)
	resp, err := b.client.Do(req)
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
