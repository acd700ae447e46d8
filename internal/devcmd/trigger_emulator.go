package devcmd

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sociogram-kit/kit/config"
	"github.com/sociogram-kit/kit/emulator"
)

// chooseEmulator sets o.emulator from -emulator, or, when no bot URL was
// given (-url, BOT_URL) nor a chat id, from SOCIOGRAM_API_URL when that is
// plain http to this machine (where `sociogram dev` and `make run` put the
// emulator); whether it is an emulator is found out when sending.
func (o *triggerOptions) chooseEmulator(set map[string]bool, getenv func(string) string) error {
	if o.emulator != "" {
		switch {
		case set["url"]:
			return errors.New("give -url or -emulator, not both: the emulator delivers to its own bot URL (set on its page or with BOT_URL)")
		case set["chat"]:
			return errors.New("-chat cannot be used with -emulator: each emulator user has its own chat")
		}
		base, err := emulatorBase(o.emulator)
		if err != nil {
			return fmt.Errorf("-emulator=%q: want the emulator's HOST:PORT or URL, e.g. %s", o.emulator, DefaultEmulatorAddr)
		}
		o.emulator = base
		return nil
	}
	api := getenv(config.EnvAPIURL)
	if set["url"] || set["chat"] || getenv("BOT_URL") != "" || api == "" {
		return nil
	}
	if u, err := url.Parse(api); err == nil && u.Scheme == "http" && config.IsLoopback(u.Hostname()) {
		o.emulator, o.autoEmulator = u.Scheme+"://"+u.Host, true
	}
	return nil
}

// emulatorBase turns HOST:PORT or an http(s) URL without a path into the
// emulator's base URL.
func emulatorBase(v string) (string, error) {
	if !strings.Contains(v, "://") {
		v = "http://" + v
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.Trim(u.Path, "/") != "" {
		return "", errors.New("not an emulator address")
	}
	return u.Scheme + "://" + u.Host, nil
}

// errNotEmulator: what answered is not the emulator's scripting API.
var errNotEmulator = errors.New("not the emulator")

// triggerViaEmulator sends the event through the emulator's scripting API:
// it makes sure the user exists (POST /emulator/users), then has them write
// (POST /emulator/message) or press the button (POST /emulator/press); the
// emulator delivers the webhook to its bot URL and answers with the
// outcome, whose replies are printed. done is false when the address came
// from SOCIOGRAM_API_URL and is not an emulator: the caller then posts
// directly. No token is needed or sent: the emulator holds it.
func triggerViaEmulator(ctx context.Context, name string, o triggerOptions, stdout, stderr io.Writer) (code int, done bool) {
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	err := emulatorCall(ctx, hc, o.emulator+emulator.UsersPath, map[string]any{"uid": o.uid}, &emulator.User{})
	if errors.Is(err, errNotEmulator) && o.autoEmulator {
		return 0, false
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: the emulator at %s: %v\n", name, o.emulator, err)
		return ExitFailed, true
	}
	path, in, what := emulator.MessagePath, map[string]any{"uid": o.uid, "text": o.text}, fmt.Sprintf("chat-message uid=%d text=%q", o.uid, o.text)
	if o.callback != "" {
		path, in, what = emulator.PressPath, map[string]any{"uid": o.uid, "data": o.callback, "text": o.callback},
			fmt.Sprintf("callback-query uid=%d callbackData=%q", o.uid, o.callback)
	}
	fmt.Fprintf(stdout, "POST %s%s (the emulator delivers it to its bot URL)\n%s\n", o.emulator, path, what)
	var out emulator.Outcome
	if err := emulatorCall(ctx, hc, o.emulator+path, in, &out); err != nil {
		fmt.Fprintf(stderr, "%s: the emulator at %s: %v\n", name, o.emulator, err)
		return ExitFailed, true
	}
	printOutcome(stdout, out)
	if !out.Log.OK {
		fmt.Fprintf(stderr, "%s: %s\n", name, out.Log.Reason)
		return ExitFailed, true
	}
	return ExitOK, true
}

// printOutcome prints the webhook's answer as the bot gave it to the
// emulator, then each reply (text, buttons, attachments), or "no reply"
// and why.
func printOutcome(w io.Writer, out emulator.Outcome) {
	l := out.Log
	lat := (time.Duration(l.LatencyMS*1000) * time.Microsecond).Round(100 * time.Microsecond)
	if l.Status != 0 {
		fmt.Fprintf(w, "%s answered %d %s (%s)\n", l.Request.URL, l.Status, http.StatusText(l.Status), lat)
	}
	if b := strings.TrimSpace(l.Response.Body); b != "" && !l.OK {
		fmt.Fprintln(w, b)
	}
	for _, r := range out.Replies {
		fmt.Fprintf(w, "reply: %s\n", r.Text)
		for _, row := range r.Buttons {
			var bs []string
			for _, b := range row {
				target := b.CallbackData
				if b.URL != "" {
					target = b.URL
				}
				bs = append(bs, fmt.Sprintf("[%s → %s]", b.Text, target))
			}
			fmt.Fprintf(w, "  %s\n", strings.Join(bs, " "))
		}
		if len(r.Media) > 0 {
			fmt.Fprintf(w, "  (%d attachment(s))\n", len(r.Media))
		}
	}
	if out.NoReply != "" {
		fmt.Fprintf(w, "no reply: %s\n", out.NoReply)
	}
}

// emulatorCall POSTs in as JSON to one of the emulator's page API paths
// and decodes a 200 answer into out. An answer that is not the emulator's
// (no such path, not JSON) is errNotEmulator; an error of the emulator's is
// returned with its text.
func emulatorCall(ctx context.Context, hc *http.Client, u string, in, out any) error {
	body, _ := json.Marshal(in)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return err
	}
	switch {
	case resp.StatusCode == http.StatusOK && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json"):
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("%w: %s answered JSON it cannot read: %v", errNotEmulator, u, err)
		}
		return nil
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusMethodNotAllowed || resp.StatusCode/100 == 3:
		return fmt.Errorf("%w: %s answered %d (is the address the emulator's?)", errNotEmulator, u, resp.StatusCode)
	}
	return fmt.Errorf("%s answered %d: %s", u, resp.StatusCode, strings.TrimSpace(string(b)))
}
