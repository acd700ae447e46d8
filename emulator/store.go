package emulator

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/sociogram-kit/kit/platform"
)

// Bounds on what the emulator keeps in memory.
const (
	maxLog      = 500 // delivery log entries
	maxMessages = 300 // chat entries per user
	maxUsers    = 200
)

// User is one person chatting with the bot.
type User struct {
	UID    int64  `json:"uid"`
	Name   string `json:"name"`
	ChatID string `json:"chatId"`
}

// Who sent a chat entry.
const (
	FromUser = "user" // a message the user typed
	FromTap  = "tap"  // a callback button the user pressed
	FromBot  = "bot"  // a reply the bot sent through the API
)

// ChatEntry is one bubble in a conversation.
type ChatEntry struct {
	ID       int64               `json:"id"`
	UID      int64               `json:"uid"`
	From     string              `json:"from"`
	Text     string              `json:"text,omitempty"`
	Buttons  [][]platform.Button `json:"buttons,omitempty"`
	Media    []json.RawMessage   `json:"media,omitempty"`
	LogID    int64               `json:"logId,omitempty"`    // the delivery of a user's message or tap
	Delivery string              `json:"delivery,omitempty"` // "sending", "ok" or "failed", for user entries
	NoReply  string              `json:"noReply,omitempty"`  // a user entry delivered but not answered: why, in the bot's words when it said
	At       time.Time           `json:"at"`
}

// Kinds of log entry.
const (
	KindWebhook = "webhook" // emulator -> bot
	KindAPI     = "api"     // bot -> emulator
)

// Exchange is one HTTP request or response as logged: the token redacted.
type Exchange struct {
	Method string            `json:"method,omitempty"`
	URL    string            `json:"url,omitempty"`
	Status int               `json:"status,omitempty"`
	Header map[string]string `json:"header,omitempty"`
	Body   string            `json:"body"`
}

// LogEntry is one webhook delivered or one API call received.
type LogEntry struct {
	ID        int64     `json:"id"`
	Kind      string    `json:"kind"`
	At        time.Time `json:"at"`
	Summary   string    `json:"summary"`
	UID       int64     `json:"uid,omitempty"`
	OK        bool      `json:"ok"`
	Status    int       `json:"status"` // 0 when no answer came
	LatencyMS float64   `json:"latencyMs"`
	Reason    string    `json:"reason,omitempty"`  // why it failed or was rejected
	Outcome   string    `json:"outcome,omitempty"` // a webhook: what the bot said it did (X-Sociogram-Outcome), when it said
	Request   Exchange  `json:"request"`
	Response  Exchange  `json:"response"`
}

// Settings are what the page can change at run time.
type Settings struct {
	BotURL string `json:"botUrl"`
	Faults Faults `json:"faults"`
}

// Faults make send-message misbehave, for trying the bot's error handling.
// Status (e.g. 500, 503) answers every call with that status; LatencyMS
// delays every call first. Zero values are off.
type Faults struct {
	Status    int `json:"status"`
	LatencyMS int `json:"latencyMs"`
}

// State is everything the page shows, as GET /emulator/state returns it.
type State struct {
	Version  int64                 `json:"version"`
	Settings Settings              `json:"settings"`
	Users    []User                `json:"users"`
	Chats    map[int64][]ChatEntry `json:"chats"`
	Log      []LogEntry            `json:"log"`
	Dev      *DevStatus            `json:"dev,omitempty"` // set by the development loop only
}

// store holds the emulator's state and wakes long-polls when it changes.
type store struct {
	mu       sync.Mutex
	version  int64
	seq      int64
	settings Settings
	users    map[int64]*User
	chats    map[int64][]ChatEntry
	log      []LogEntry
	dev      *DevStatus
	changed  chan struct{}
}

func newStore(s Settings) *store {
	return &store{settings: s, users: map[int64]*User{}, chats: map[int64][]ChatEntry{}, changed: make(chan struct{})}
}

// bump records a change; the caller holds mu.
func (s *store) bump() {
	s.version++
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *store) nextID() int64 { s.seq++; return s.seq }

// ChatIDFor is the chat id the emulator uses for uid: 24 hex digits, like the
// platform's.
func ChatIDFor(uid int64) string { return fmt.Sprintf("%024x", uid) }

// addUser adds a user, or renames an existing one.
func (s *store) addUser(uid int64, name string) (User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, ok := s.users[uid]; ok {
		if name != "" && name != u.Name {
			u.Name = name
			s.bump()
		}
		return *u, nil
	}
	if len(s.users) >= maxUsers {
		return User{}, fmt.Errorf("at most %d users", maxUsers)
	}
	if name == "" {
		name = fmt.Sprintf("User %d", uid)
	}
	u := &User{UID: uid, Name: name, ChatID: ChatIDFor(uid)}
	s.users[uid] = u
	s.bump()
	return *u, nil
}

func (s *store) user(uid int64) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[uid]
	if !ok {
		return User{}, false
	}
	return *u, true
}

// addChat appends an entry to uid's conversation and returns its id.
func (s *store) addChat(e ChatEntry) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	e.ID = s.nextID()
	c := append(s.chats[e.UID], e)
	if len(c) > maxMessages {
		c = c[len(c)-maxMessages:]
	}
	s.chats[e.UID] = c
	s.bump()
	return e.ID
}

// setDelivery marks a user's entry with the outcome of its webhook.
func (s *store) setDelivery(uid, id, logID int64, delivery, noReply string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.chats[uid] {
		if e := &s.chats[uid][i]; e.ID == id {
			e.Delivery, e.LogID, e.NoReply = delivery, logID, noReply
		}
	}
	s.bump()
}

// repliesTo returns the bot's entries in uid's conversation after the
// user's entry id, up to the user's next entry, and the state's version.
func (s *store) repliesTo(uid, id int64) ([]ChatEntry, int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []ChatEntry{}
	after := false
	for _, e := range s.chats[uid] {
		switch {
		case e.ID == id:
			after = true
		case after && e.From != FromBot:
			return out, s.version
		case after:
			out = append(out, e)
		}
	}
	return out, s.version
}

// addLog appends an entry to the delivery log and returns its id.
func (s *store) addLog(e LogEntry) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	e.ID = s.nextID()
	s.log = append(s.log, e)
	if len(s.log) > maxLog {
		s.log = append([]LogEntry(nil), s.log[len(s.log)-maxLog:]...)
	}
	s.bump()
	return e.ID
}

func (s *store) getSettings() Settings {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.settings
}

func (s *store) setSettings(set Settings) { s.updateSettings(func(p *Settings) { *p = set }) }

func (s *store) updateSettings(f func(*Settings)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(&s.settings)
	s.bump()
}

// snapshot returns a copy of the state.
func (s *store) snapshot() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := State{Version: s.version, Settings: s.settings, Chats: map[int64][]ChatEntry{}, Users: make([]User, 0, len(s.users))}
	for _, u := range s.users {
		st.Users = append(st.Users, *u)
	}
	sort.Slice(st.Users, func(i, j int) bool { return st.Users[i].UID < st.Users[j].UID })
	for uid, c := range s.chats {
		st.Chats[uid] = append([]ChatEntry(nil), c...)
	}
	st.Log = append([]LogEntry{}, s.log...)
	if s.dev != nil {
		d := *s.dev
		st.Dev = &d
	}
	return st
}

// wait returns once the version is past after, or ctx is done.
func (s *store) wait(ctx context.Context, after int64) {
	s.mu.Lock()
	v, ch := s.version, s.changed
	s.mu.Unlock()
	if v > after {
		return
	}
	select {
	case <-ch:
	case <-ctx.Done():
	}
}

// finishLog updates a log entry once its outcome is known and returns it.
func (s *store) finishLog(id int64, f func(*LogEntry)) LogEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.log) - 1; i >= 0; i-- {
		if s.log[i].ID == id {
			f(&s.log[i])
			s.bump()
			return s.log[i]
		}
	}
	var e LogEntry
	f(&e)
	return e
}
