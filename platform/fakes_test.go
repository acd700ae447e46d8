package platform_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sociogram-kit/kit/emulator"
	"github.com/sociogram-kit/kit/platform"
	"github.com/sociogram-kit/kit/sociogramtest"
)

// fake is one fake of the platform, served on loopback, with what it
// accepted read back in the platform's terms.
type fake struct {
	name     string
	url      string
	accepted func() []platform.SendMessage
}

// fakes starts every fake of the platform afresh, knowing uid and token,
// with the rate limits on clock when clock is not nil.
func fakes(t *testing.T, clock platform.Clock) []fake {
	t.Helper()
	opts := []emulator.Option{emulator.WithUser(uid, "Alice"), emulator.WithUser(67890, "Bob"), emulator.WithUser(9223372036854775807, "Max")}
	var apiOpts []sociogramtest.Option
	if clock != nil {
		opts = append(opts, emulator.WithClock(clock))
		apiOpts = append(apiOpts, sociogramtest.WithRateLimits(clock))
	}
	emu, err := emulator.New(token, opts...)
	if err != nil {
		t.Fatal(err)
	}
	emuSrv := httptest.NewServer(emu)
	t.Cleanup(emuSrv.Close)
	api := sociogramtest.NewServer(t, token, apiOpts...)
	return []fake{
		{"emulator", emuSrv.URL, func() []platform.SendMessage {
			var out []platform.SendMessage
			for u, chat := range emu.State().Chats {
				for _, e := range chat {
					out = append(out, platform.SendMessage{UID: u, Message: platform.Message{Text: e.Text, ButtonMarkup: e.Buttons, Media: e.Media}})
				}
			}
			return out
		}},
		{"sociogramtest", api.URL, func() []platform.SendMessage {
			var out []platform.SendMessage
			for _, s := range api.Sent() {
				m := platform.Message{Text: s.Message.Text, Media: s.Message.Media}
				for _, row := range s.Message.ButtonMarkup {
					var r []platform.Button
					for _, b := range row {
						r = append(r, platform.Button{Text: b.Text, CallbackData: b.CallbackData, URL: b.URL})
					}
					m.ButtonMarkup = append(m.ButtonMarkup, r)
				}
				out = append(out, platform.SendMessage{UID: s.UID, Message: m})
			}
			return out
		}},
	}
}

type answer struct {
	status int
	header http.Header
	body   string
}

func do(t *testing.T, base string, c call) answer {
	t.Helper()
	method, path := c.method, c.path
	if method == "" {
		method = http.MethodPost
	}
	if path == "" {
		path = platform.SendPath
	}
	req, err := http.NewRequest(method, base+path, strings.NewReader(c.body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = c.header()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{resp.StatusCode, resp.Header, string(b)}
}

var acceptedBody = regexp.MustCompile(`^\{"success":true,"messageId":"[0-9a-f]{24}"\}\n$`)

// TestFakesAgree runs the table against every fake over HTTP: the same
// status, the same headers that matter, the same body byte for byte (the
// message id aside), and for an accepted call the same message recorded,
// the one ParseSendMessage reads.
func TestFakesAgree(t *testing.T) {
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			for _, f := range fakes(t, nil) {
				a := do(t, f.url, c)
				if a.status != c.status {
					t.Errorf("%s: status %d, want %d (body %s)", f.name, a.status, c.status, a.body)
					continue
				}
				if ct := a.header.Get("Content-Type"); ct != "application/json" {
					t.Errorf("%s: Content-Type %q", f.name, ct)
				}
				if allow := a.header.Get("Allow"); (c.status == 405) != (allow == "POST") {
					t.Errorf("%s: Allow %q on a %d", f.name, allow, c.status)
				}
				got := f.accepted()
				if c.status != http.StatusOK {
					if want := errorBody(c.err); a.body != want {
						t.Errorf("%s: body\n got %s\nwant %s", f.name, a.body, want)
					}
					if len(got) != 0 {
						t.Errorf("%s: a rejected call was recorded: %+v", f.name, got)
					}
					continue
				}
				if !acceptedBody.MatchString(a.body) {
					t.Errorf("%s: body %q, want {\"success\":true,\"messageId\":\"<24 hex>\"}", f.name, a.body)
				}
				want, err := platform.ParseSendMessage(c.header().Get("Content-Type"), []byte(c.body))
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != 1 || !reflect.DeepEqual(got[0], want) {
					t.Errorf("%s: recorded %+v\nwant %+v", f.name, got, want)
				}
			}
		})
	}
}

func errorBody(reason string) string {
	b, _ := json.Marshal(reason)
	return `{"success":false,"error":` + strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(string(b)) + "}\n"
}

// TestFakesAgreeOnRateLimits: with the limits on (always in the emulator,
// WithRateLimits in sociogramtest), both answer the same 429s with the same
// Retry-After and body, count only accepted messages, and allow the same
// slack.
func TestFakesAgreeOnRateLimits(t *testing.T) {
	type step struct {
		advance    time.Duration
		to         int64
		status     int
		retryAfter string
		err        string
	}
	perUser := "rate limit: 1 message per second per user"
	steps := []step{
		{0, uid, 200, "", ""},
		{300 * time.Millisecond, uid, 429, "1", perUser},
		{0, 67890, 200, "", ""}, // another user is not held up
		{time.Second - 300*time.Millisecond - platform.DefaultSlack - time.Millisecond, uid, 429, "1", perUser},
		{time.Millisecond, uid, 200, "", ""}, // within the slack; the 429s booked nothing
	}
	// 57 more to other users, 500 ms apart, fill the bot's minute at
	// t0+29.45s; the 61st waits for the first to leave it (t0+60s less the
	// slack), and the 62nd for the second (t0+0.3s+60s).
	for i := range 57 {
		steps = append(steps, step{500 * time.Millisecond, int64(100 + i), 200, "", ""})
	}
	perBot := "rate limit: 60 messages per minute per bot"
	steps = append(steps,
		step{500 * time.Millisecond, 999, 429, "30", perBot},
		step{30*time.Second - time.Millisecond, 999, 429, "1", perBot},
		step{time.Millisecond, 999, 200, "", ""},
		step{0, 998, 429, "1", perBot})
	clk := sociogramtest.NewClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	fs := fakes(t, clk)
	emu := fs[0]
	// The emulator knows only its users.
	for _, s := range steps {
		if s.to != uid && s.to != 67890 {
			addUser(t, emu.url, s.to)
		}
	}
	for i, s := range steps {
		clk.Advance(s.advance)
		for _, f := range fs {
			a := do(t, f.url, call{body: `{"uid":` + itoa(s.to) + `,"message":{"text":"m"}}`})
			if a.status != s.status || a.header.Get("Retry-After") != s.retryAfter {
				t.Fatalf("%s: step %d (to %d): %d Retry-After %q %s, want %d %q", f.name, i, s.to, a.status, a.header.Get("Retry-After"), a.body, s.status, s.retryAfter)
			}
			if s.err != "" && a.body != errorBody(s.err) {
				t.Errorf("%s: step %d: body %s, want %s", f.name, i, a.body, errorBody(s.err))
			}
		}
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

// addUser adds uid on the emulator's page API.
func addUser(t *testing.T, base string, uid int64) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+emulator.UsersPath, strings.NewReader(`{"uid":`+itoa(uid)+`}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("adding user %d: %d", uid, resp.StatusCode)
	}
}

// TestSociogramtestLimitsOffByDefault: without WithRateLimits, two replies
// to one user at once are both accepted (a bot's tests need not wait).
func TestSociogramtestLimitsOffByDefault(t *testing.T) {
	api := sociogramtest.NewServer(t, token)
	for i := range 2 {
		if a := do(t, api.URL, call{body: good}); a.status != 200 {
			t.Fatalf("reply %d: %d %s", i, a.status, a.body)
		}
	}
}
