package emulator

import "time"

// States of the development loop (`sociogram dev`) shown on the page.
const (
	DevBuilding = "building" // a saved change is being built; the running bot keeps serving
	DevRunning  = "running"  // the bot of the latest successful build answers
	DevFailed   = "failed"   // the latest build failed; the previous bot, if any, keeps serving
	DevStopped  = "stopped"  // the bot exited by itself (Detail says how)
)

// DevStatus is what the development loop tells the page about the bot it
// builds and runs: its state, the build error or exit reason (Detail), how
// many times the bot has been started, and whether a bot is serving. It is
// set in process with SetDevStatus (no HTTP endpoint sets it), and the page
// shows a failed build or a stopped bot as a banner above the chats.
type DevStatus struct {
	State    string    `json:"state"`
	Detail   string    `json:"detail,omitempty"`
	Restarts int       `json:"restarts"` // bots started so far: 1 after the first start
	Serving  bool      `json:"serving"`  // a bot (maybe of an older build) is running
	At       time.Time `json:"at"`
}

// SetDevStatus records the development loop's status; the page's long-poll
// wakes and shows it. An emulator that was never given one shows nothing.
// The caller must not put the token in Detail.
func (e *Emulator) SetDevStatus(s DevStatus) {
	if s.At.IsZero() {
		s.At = e.clock.Now()
	}
	e.store.mu.Lock()
	defer e.store.mu.Unlock()
	e.store.dev = &s
	e.store.bump()
}
