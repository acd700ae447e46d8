package emulator

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/platform"
)

//go:embed web
var webFS embed.FS

// The page's own API, used by the page's JavaScript (and tests).
const (
	UsersPath    = "/emulator/users"    // POST {"uid", "name"}: create a user (uid 0: pick one)
	MessagePath  = "/emulator/message"  // POST {"uid", "text"}: the user writes; a chat-message webhook goes out
	PressPath    = "/emulator/press"    // POST {"uid", "data"}: the user presses a button; a callback-query goes out
	SettingsPath = "/emulator/settings" // PUT Settings: bot URL and faults
)

// longPoll is how long GET /emulator/state?after=V waits for a change.
const longPoll = 25 * time.Second

func (e *Emulator) routePage(mux *http.ServeMux) {
	sub, _ := fs.Sub(webFS, "web")
	files := noCache(http.FileServerFS(sub))
	mux.Handle("GET /{$}", files)
	names, _ := fs.Glob(sub, "*.*")
	for _, n := range names {
		mux.Handle("GET /"+n, files)
	}
	mux.HandleFunc("GET "+StatePath, e.serveState)
	mux.HandleFunc("GET "+QueuePath, e.serveQueue)
	mux.HandleFunc("GET "+BotStatePath, e.serveBotState)
	mux.HandleFunc("POST "+BotStateResetPath, e.serveBotStateReset)
	mux.HandleFunc("GET "+BotClockPath, e.serveBotClock)
	mux.HandleFunc("POST "+BotClockPath, e.serveBotClockMove)
	mux.HandleFunc("POST "+UsersPath, e.serveUsers)
	mux.HandleFunc("POST "+MessagePath, e.serveMessage)
	mux.HandleFunc("POST "+PressPath, e.servePress)
	mux.HandleFunc("PUT "+SettingsPath, e.serveSettings)
}

func noCache(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	})
}

// serveState returns the state, waiting up to longPoll for a version past
// ?after= when given.
func (e *Emulator) serveState(w http.ResponseWriter, r *http.Request) {
	if a := r.URL.Query().Get("after"); a != "" {
		after, err := strconv.ParseInt(a, 10, 64)
		if err != nil {
			http.Error(w, "after must be a number", http.StatusBadRequest)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), longPoll)
		defer cancel()
		e.store.wait(ctx, after)
	}
	writeJSON(w, http.StatusOK, e.store.snapshot())
}

func (e *Emulator) serveUsers(w http.ResponseWriter, r *http.Request) {
	var in User
	if !readJSON(w, r, &in) {
		return
	}
	if in.UID < 0 {
		http.Error(w, "uid must be positive", http.StatusBadRequest)
		return
	}
	if in.UID == 0 {
		in.UID = e.freeUID()
	}
	u, err := e.store.addUser(in.UID, in.Name)
	if err != nil {
		http.Error(w, err.Error(), http.StatusConflict)
		return
	}
	writeJSON(w, http.StatusOK, u)
}

func (e *Emulator) freeUID() int64 {
	uid := int64(1001)
	for _, u := range e.store.snapshot().Users {
		uid = max(uid, u.UID+1)
	}
	return uid
}

// Outcome is the answer to a message or a button press (POST
// /emulator/message, /emulator/press): the user's chat entry, the webhook's
// log entry, the bot's replies to it and, when it was delivered but not
// answered, why.
type Outcome struct {
	ChatEntry int64       `json:"chatEntry"`
	Log       LogEntry    `json:"log"`
	Replies   []ChatEntry `json:"replies"`           // the bot's messages to the user after this one, as received by the Bot API side
	NoReply   string      `json:"noReply,omitempty"` // delivered, no reply: the bot's reason (X-Sociogram-Outcome) or NoReplyUnsaid
}

// NoReplyUnsaid is the reason shown for a webhook answered 2xx with no reply
// from a bot that did not say why (one without handler.WithDiagnostics,
// which the plain-HTTP adapter sets with SOCIOGRAM_DEV=1).
const NoReplyUnsaid = "the bot sent nothing while answering the webhook (with SOCIOGRAM_DEV=1 it says why)"

// replyWait bounds how long an Outcome waits for replies the bot said it
// sent but that have not arrived yet (a reply queue sends after the
// webhook's answer, one a second per user).
const replyWait = 10 * time.Second

func (e *Emulator) serveMessage(w http.ResponseWriter, r *http.Request) {
	var in struct {
		UID  int64  `json:"uid"`
		Text string `json:"text"`
	}
	if !readJSON(w, r, &in) {
		return
	}
	if in.Text == "" {
		http.Error(w, "text is empty", http.StatusBadRequest)
		return
	}
	out, err := e.SendMessage(r.Context(), in.UID, in.Text)
	e.respond(w, out, err)
}

func (e *Emulator) servePress(w http.ResponseWriter, r *http.Request) {
	var in struct {
		UID  int64  `json:"uid"`
		Data string `json:"data"`
		Text string `json:"text"` // the button's label, for the chat
	}
	if !readJSON(w, r, &in) {
		return
	}
	if in.Data == "" {
		http.Error(w, "data is empty", http.StatusBadRequest)
		return
	}
	out, err := e.PressButton(r.Context(), in.UID, in.Data, in.Text)
	e.respond(w, out, err)
}

func (e *Emulator) respond(w http.ResponseWriter, out Outcome, err error) {
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// ErrNoUser is returned when sending as a uid the emulator does not know.
var ErrNoUser = errors.New("emulator: no such user")

// SendMessage makes uid write text to the bot: the message joins uid's
// conversation and a chat-message webhook goes to the bot, waiting for its
// answer. The bot's replies arrive meanwhile through the API side.
func (e *Emulator) SendMessage(ctx context.Context, uid int64, text string) (Outcome, error) {
	u, ok := e.store.user(uid)
	if !ok {
		return Outcome{}, fmt.Errorf("%w: uid %d", ErrNoUser, uid)
	}
	return e.deliver(ctx, ChatEntry{UID: uid, From: FromUser, Text: text},
		ChatMessage(uid, u.ChatID, text), fmt.Sprintf("chat-message %q from %d", excerpt(text, 40), uid))
}

// PressButton makes uid press the callback button labelled label carrying
// data: a callback-query webhook goes to the bot, as with SendMessage.
func (e *Emulator) PressButton(ctx context.Context, uid int64, data, label string) (Outcome, error) {
	u, ok := e.store.user(uid)
	if !ok {
		return Outcome{}, fmt.Errorf("%w: uid %d", ErrNoUser, uid)
	}
	entry := ChatEntry{UID: uid, From: FromTap, Text: label, Buttons: [][]platform.Button{{{Text: label, CallbackData: data}}}}
	return e.deliver(ctx, entry, CallbackQuery(uid, u.ChatID, data), fmt.Sprintf("callback-query %q from %d", data, uid))
}

// deliver adds the user's entry and the webhook's log entry, delivers the
// webhook and records the outcome on both.
func (e *Emulator) deliver(ctx context.Context, entry ChatEntry, body []byte, summary string) (Outcome, error) {
	entry.At, entry.Delivery = e.clock.Now(), "sending"
	id := e.store.addChat(entry)
	url := e.store.getSettings().BotURL
	logID := e.store.addLog(LogEntry{Kind: KindWebhook, At: entry.At, UID: entry.UID, Summary: summary,
		Request: Exchange{Method: http.MethodPost, URL: url, Body: shown(string(body)),
			Header: map[string]string{platform.HeaderAppKey: Redacted, "Content-Type": "application/json"}}})
	d := Deliver(ctx, e.hc, url, e.token, body)
	logged := e.store.finishLog(logID, func(l *LogEntry) {
		l.OK, l.Status, l.Reason, l.Outcome = d.OK(), d.Status, d.Failure(), d.Outcome
		l.LatencyMS = float64(d.Latency.Microseconds()) / 1000
		l.Response = Exchange{Status: d.Status, Body: shown(d.Body)}
		if d.Outcome != "" {
			l.Response.Header = map[string]string{handler.HeaderOutcome: d.Outcome}
		}
	})
	replies, _ := e.store.repliesTo(entry.UID, id)
	state, noReply := "ok", noReplyReason(d, len(replies))
	if !d.OK() {
		state = "failed"
	}
	e.store.setDelivery(entry.UID, id, logID, state, noReply)
	if n := repliesSaid(d.Outcome); n > len(replies) {
		replies = e.awaitReplies(ctx, entry.UID, id, n)
	}
	return Outcome{ChatEntry: id, Log: logged, Replies: replies, NoReply: noReply}, nil
}

// noReplyReason says why a delivered webhook got no reply: the bot's own
// words when it gave them ("no reply: no route matched"), NoReplyUnsaid
// when it gave none and no reply came while it answered; "" when it
// replied (or said it did: a queue sends later) or was not delivered.
func noReplyReason(d Delivery, replies int) string {
	if !d.OK() {
		return ""
	}
	if why, ok := strings.CutPrefix(d.Outcome, "no reply: "); ok {
		return why
	}
	if d.Outcome != "" || replies > 0 {
		return ""
	}
	return NoReplyUnsaid
}

// repliesSaid is N of an outcome "replied N (route ...)", else 0.
func repliesSaid(outcome string) int {
	rest, ok := strings.CutPrefix(outcome, "replied ")
	if !ok {
		return 0
	}
	n, _ := strconv.Atoi(rest[:strings.IndexByte(rest+" ", ' ')])
	return n
}

// awaitReplies waits, up to replyWait, until n replies to the user's entry
// id have arrived, and returns those that have.
func (e *Emulator) awaitReplies(ctx context.Context, uid, id int64, n int) []ChatEntry {
	ctx, cancel := context.WithTimeout(ctx, replyWait)
	defer cancel()
	for {
		replies, version := e.store.repliesTo(uid, id)
		if len(replies) >= n || ctx.Err() != nil {
			return replies
		}
		e.store.wait(ctx, version)
	}
}

func excerpt(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

func (e *Emulator) serveSettings(w http.ResponseWriter, r *http.Request) {
	var in Settings
	if !readJSON(w, r, &in) {
		return
	}
	if err := checkBotURL(in.BotURL); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if s := in.Faults.Status; s != 0 && (s < 400 || s > 599) {
		http.Error(w, "fault status must be 0 (off) or 400-599", http.StatusBadRequest)
		return
	}
	if l := in.Faults.LatencyMS; l < 0 || l > 60000 {
		http.Error(w, "fault latency must be 0-60000 ms", http.StatusBadRequest)
		return
	}
	e.store.setSettings(in)
	writeJSON(w, http.StatusOK, in)
}

// readJSON decodes a small JSON body. It insists on application/json, which
// a cross-site form cannot send without a preflight the emulator never
// answers, so other web pages cannot drive it.
func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		http.Error(w, "Content-Type must be application/json", http.StatusUnsupportedMediaType)
		return false
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(v); err != nil {
		http.Error(w, "malformed JSON body", http.StatusBadRequest)
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
