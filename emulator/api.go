package emulator

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/sociogram-kit/kit/platform"
)

// SendPath is the Bot API's send-message endpoint.
const SendPath = platform.SendPath

// MaxSendBytes bounds a send-message body.
const MaxSendBytes = platform.MaxBodyBytes

// Reasons a send-message call is rejected, matched with errors.Is. The
// reason is sent back in the body as {"success":false,"error":"..."}. The
// platform's own are package platform's, which checks every body (see
// platform.ParseSendMessage), exactly as sociogramtest does.
var (
	ErrBadKey      = platform.ErrBadKey
	ErrMalformed   = platform.ErrMalformed
	ErrTooLarge    = platform.ErrTooLarge
	ErrContentType = platform.ErrContentType
	ErrUnknownUID  = errors.New("unknown uid")
	ErrFault       = errors.New("injected fault")
)

// serveSend is the Bot API side: POST /bot/send-message.
func (e *Emulator) serveSend(w http.ResponseWriter, r *http.Request) {
	start := e.clock.Now()
	req, body, err := e.admit(r)
	status, resp := http.StatusOK, []byte(nil)
	if pe := (*platform.Error)(nil); errors.As(err, &pe) {
		pe.Write(w)
		status, resp = pe.Status, pe.Body()
	} else {
		id := platform.MessageID(e.store.addChat(ChatEntry{UID: req.UID, From: FromBot, Text: req.Message.Text,
			Buttons: req.Message.ButtonMarkup, Media: req.Message.Media, At: e.clock.Now()}))
		platform.WriteAccepted(w, id)
		resp = platform.AcceptedBody(id)
	}
	e.logAPI(r, body, req.UID, req.Message.Text, status, strings.TrimSuffix(string(resp), "\n"), err, e.clock.Now().Sub(start))
}

// admit runs the checks in order (those of platform.ReadSendMessage:
// endpoint, method, key, Content-Type, size, body; then known uid, injected
// faults, rate limits) and returns a *platform.Error for a rejected call.
// Only a call that passes them all uses up a rate-limit slot.
func (e *Emulator) admit(r *http.Request) (platform.SendMessage, []byte, error) {
	req, body, err := platform.ReadSendMessage(r, e.token)
	if err != nil {
		return req, body, err
	}
	if _, ok := e.store.user(req.UID); !ok {
		return req, body, &platform.Error{Status: http.StatusBadRequest, Err: ErrUnknownUID,
			Detail: fmt.Sprintf("%d: no user with this uid in the emulator", req.UID)}
	}
	if err := e.fault(r); err != nil {
		return req, body, err
	}
	return req, body, e.limits.Take(e.clock.Now(), req.UID)
}

// fault applies the injected faults: latency first, then a status.
func (e *Emulator) fault(r *http.Request) error {
	f := e.store.getSettings().Faults
	if f.LatencyMS > 0 {
		t := time.NewTimer(time.Duration(f.LatencyMS) * time.Millisecond)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return &platform.Error{Status: http.StatusServiceUnavailable, Err: ErrFault, Detail: "the bot gave up during the injected latency"}
		}
	}
	if f.Status != 0 {
		return &platform.Error{Status: f.Status, Err: ErrFault, Detail: fmt.Sprintf("answering %d as the fault switch says", f.Status)}
	}
	return nil
}

// logAPI records one API call, accepted or not, with the token redacted.
func (e *Emulator) logAPI(r *http.Request, body []byte, uid int64, text string, status int, resp string, err error, d time.Duration) {
	key := "(missing)"
	if r.Header.Get(platform.HeaderAppKey) != "" {
		key = Redacted
		if errors.Is(err, ErrBadKey) {
			key = "(wrong key, not shown)"
		}
	}
	entry := LogEntry{
		Kind: KindAPI, At: e.clock.Now(), UID: uid, OK: err == nil, Status: status,
		LatencyMS: float64(d.Microseconds()) / 1000,
		Summary:   apiSummary(r, uid, text, err),
		Request: Exchange{Method: r.Method, URL: r.URL.Path, Body: shown(redact(string(body), e.token)),
			Header: map[string]string{platform.HeaderAppKey: key, "Content-Type": r.Header.Get("Content-Type")}},
		Response: Exchange{Status: status, Body: resp},
	}
	if err != nil {
		entry.Reason = redact(err.Error(), e.token)
	}
	e.store.addLog(entry)
}

// apiSummary is the log's one-line description of an API call.
func apiSummary(r *http.Request, uid int64, text string, err error) string {
	switch {
	case r.URL.Path != SendPath || r.Method != http.MethodPost:
		return r.Method + " " + r.URL.Path
	case uid == 0:
		return "send-message"
	case err != nil || text == "":
		return fmt.Sprintf("send-message to %d", uid)
	}
	return fmt.Sprintf("send-message to %d: %q", uid, excerpt(text, 40))
}
