package httpadapter_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	httpadapter "github.com/sociogram-kit/kit/adapters/http"
	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/sociogramtest"
	"github.com/sociogram-kit/kit/store/memstore"
)

const devToken = "dev-endpoints-token-5c2a"

type devAnswer struct {
	status int
	body   string
}

// devCall calls a development endpoint with key in X-App-Key ("" for none)
// and body as JSON ("" for none).
func devCall(t *testing.T, method, url, key, body string) devAnswer {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set(handler.HeaderAppKey, key)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if strings.Contains(string(b), devToken) {
		t.Errorf("%s %s: the token appears in the answer", method, url)
	}
	return devAnswer{resp.StatusCode, string(b)}
}

// devServer runs httpadapter.Run on the visit-counting bot with per-user
// state in memory, a TTL of an hour and extra env; it returns the server's
// base URL and a function delivering a chat-message from uid 7 that returns
// the bot's reply.
func devServer(t *testing.T, extra map[string]string) (string, func(text string) string) {
	t.Helper()
	api := sociogramtest.NewServer(t, devToken)
	env := map[string]string{"SOCIOGRAM_BOT_TOKEN": devToken, "SOCIOGRAM_API_URL": api.URL,
		"SOCIOGRAM_RATE_LIMIT": "off", "SOCIOGRAM_STATE": "memory", "SOCIOGRAM_STATE_TTL": "1h"}
	for k, v := range extra {
		env[k] = v
	}
	url, stop := runServer(t, env)
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Error(err)
		}
	})
	say := func(text string) string {
		t.Helper()
		n := len(api.Sent())
		resp, err := sociogramtest.Deliver(context.Background(), url, devToken, sociogramtest.ChatMessage(7, text))
		if err != nil || resp.Status != 200 || len(api.Sent()) != n+1 {
			t.Fatalf("webhook %q: %+v %v, %d replies", text, resp, err, len(api.Sent())-n)
		}
		return api.Sent()[n].Message.Text
	}
	return strings.TrimSuffix(url, httpadapter.WebhookPath), say
}

func getDevState(t *testing.T, base string, uid int64) httpadapter.DevState {
	t.Helper()
	return decodeDev[httpadapter.DevState](t, devCall(t, "GET", fmt.Sprintf("%s%s?uid=%d", base, httpadapter.DevStatePath, uid), devToken, ""))
}

func decodeDev[T any](t *testing.T, a devAnswer) T {
	t.Helper()
	var v T
	if a.status != 200 {
		t.Fatalf("answered %d %q, want 200", a.status, a.body)
	}
	if err := json.Unmarshal([]byte(a.body), &v); err != nil {
		t.Fatalf("%v in %q", err, a.body)
	}
	return v
}

func statesJSON(s httpadapter.DevState) string {
	b, _ := json.Marshal(s.States)
	return string(b)
}

// TestDevStateAndClock: with SOCIOGRAM_DEV=1 the bot shows a user's state,
// its clock moves forward past the TTL (the state then reads as expired and
// the next turn starts over), and a reset empties the state.
func TestDevStateAndClock(t *testing.T) {
	base, say := devServer(t, map[string]string{"SOCIOGRAM_DEV": "1"})
	say("a")
	if got := say("b"); got != "visit 2" {
		t.Fatalf("reply = %q, want visit 2", got)
	}
	s := getDevState(t, base, 7)
	if statesJSON(s) != `{"httpadapter_test.visits":{"N":2}}` || s.UID != 7 || s.Pending != 0 || s.Version == 0 || s.Expired {
		t.Errorf("state = %+v (states %s), want N 2, nothing pending, stored, not expired", s, statesJSON(s))
	}
	if left := s.Expires.Sub(s.Now); left <= 59*time.Minute || left > time.Hour {
		t.Errorf("expires %v after the bot's now, want about the 1h TTL", left)
	}
	if s := getDevState(t, base, 8); statesJSON(s) != `{}` || s.Version != 0 || !s.Expires.IsZero() {
		t.Errorf("a user without state: %+v", s)
	}

	clock := decodeDev[httpadapter.DevClockState](t, devCall(t, "GET", base+httpadapter.DevClockPath, devToken, ""))
	if clock.Offset != "0s" || time.Since(clock.Now).Abs() > time.Minute {
		t.Errorf("clock = %+v, want offset 0s, now the wall clock", clock)
	}
	clock = decodeDev[httpadapter.DevClockState](t, devCall(t, "POST", base+httpadapter.DevClockPath, devToken, `{"advance":"61m"}`))
	if clock.Offset != "1h1m0s" || clock.OffsetSeconds != 3660 || time.Until(clock.Now) < time.Hour {
		t.Errorf("after advancing 61m: clock = %+v", clock)
	}
	if s := getDevState(t, base, 7); !s.Expired || statesJSON(s) != `{}` || s.Version == 0 {
		t.Errorf("past the TTL: state = %+v (states %s), want expired and empty", s, statesJSON(s))
	}
	if got := say("c"); got != "visit 1" {
		t.Errorf("after expiry: reply = %q, want visit 1 (the state starts over)", got)
	}
	if s := getDevState(t, base, 7); statesJSON(s) != `{"httpadapter_test.visits":{"N":1}}` || s.Expired {
		t.Errorf("after the new turn: state = %+v (states %s)", s, statesJSON(s))
	}

	before := getDevState(t, base, 7).Version
	r := decodeDev[httpadapter.DevState](t, devCall(t, "DELETE", base+httpadapter.DevStatePath+"?uid=7", devToken, ""))
	if statesJSON(r) != `{}` || r.Version != before+1 || r.Pending != 0 {
		t.Errorf("reset answered %+v (states %s), want empty at version %d", r, statesJSON(r), before+1)
	}
	if s := getDevState(t, base, 7); statesJSON(s) != `{}` {
		t.Errorf("after the reset: states %s, want {}", statesJSON(s))
	}
	if got := say("d"); got != "visit 1" {
		t.Errorf("after the reset: reply = %q, want visit 1", got)
	}
	if r := decodeDev[httpadapter.DevState](t, devCall(t, "DELETE", base+httpadapter.DevStatePath+"?uid=9", devToken, "")); r.Version != 0 {
		t.Errorf("resetting a user without state stored a record: %+v", r)
	}
	if s := getDevState(t, base, 9); s.Version != 0 {
		t.Errorf("after resetting a user without state: version %d, want 0 (no record)", s.Version)
	}

	clock = decodeDev[httpadapter.DevClockState](t, devCall(t, "POST", base+httpadapter.DevClockPath, devToken, `{"offset":"0s"}`))
	if clock.Offset != "0s" {
		t.Errorf("after setting offset 0s: %+v", clock)
	}
}

// TestDevRefusals: a missing or wrong key is 401 on every endpoint (before
// anything else is looked at); a bad uid 400; a bad clock move 400 or 415.
func TestDevRefusals(t *testing.T) {
	base, _ := devServer(t, map[string]string{"SOCIOGRAM_DEV": "1"})
	endpoints := []struct{ method, path, body string }{
		{"GET", httpadapter.DevStatePath + "?uid=7", ""},
		{"DELETE", httpadapter.DevStatePath + "?uid=7", ""},
		{"GET", httpadapter.DevClockPath, ""},
		{"POST", httpadapter.DevClockPath, `{"advance":"1h"}`},
		{"GET", httpadapter.DevStatePath + "?uid=abc", ""},
	}
	for _, e := range endpoints {
		for _, key := range []string{"", "wrong", devToken + "x"} {
			if a := devCall(t, e.method, base+e.path, key, e.body); a.status != http.StatusUnauthorized {
				t.Errorf("%s %s with key %q: %d %q, want 401", e.method, e.path, key, a.status, a.body)
			}
		}
	}
	for _, c := range []struct {
		method, path, body string
		want               int
	}{
		{"GET", httpadapter.DevStatePath, "", 400},
		{"GET", httpadapter.DevStatePath + "?uid=abc", "", 400},
		{"GET", httpadapter.DevStatePath + "?uid=0", "", 400},
		{"DELETE", httpadapter.DevStatePath + "?uid=-3", "", 400},
		{"DELETE", httpadapter.DevStatePath + "?uid=99999999999999999999", "", 400},
		{"POST", httpadapter.DevClockPath, `{}`, 400},
		{"POST", httpadapter.DevClockPath, `{"advance":"1h","offset":"0s"}`, 400},
		{"POST", httpadapter.DevClockPath, `{"advance":"-1h"}`, 400},
		{"POST", httpadapter.DevClockPath, `{"advance":"1 day"}`, 400},
		{"POST", httpadapter.DevClockPath, `{"advance":"1000000h"}`, 400},
		{"POST", httpadapter.DevClockPath, `{"offset":"-1s"}`, 400},
		{"POST", httpadapter.DevClockPath, `not json`, 400},
		{"PUT", httpadapter.DevClockPath, `{"advance":"1h"}`, 405},
	} {
		if a := devCall(t, c.method, base+c.path, devToken, c.body); a.status != c.want {
			t.Errorf("%s %s %s: %d %q, want %d", c.method, c.path, c.body, a.status, a.body, c.want)
		}
	}
	req, _ := http.NewRequest("POST", base+httpadapter.DevClockPath, strings.NewReader(`{"advance":"1h"}`))
	req.Header.Set(handler.HeaderAppKey, devToken)
	req.Header.Set("Content-Type", "text/plain")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("text/plain clock move: %v %v, want 415", resp, err)
	} else {
		resp.Body.Close()
	}
	clock := decodeDev[httpadapter.DevClockState](t, devCall(t, "GET", base+httpadapter.DevClockPath, devToken, ""))
	if clock.Offset != "0s" {
		t.Errorf("refused calls moved the clock: %+v", clock)
	}
}

// TestDevOff: without SOCIOGRAM_DEV (or with 0) the endpoints do not exist,
// whatever the key; a bad SOCIOGRAM_DEV stops Run naming it; with it on and
// no state the state endpoint says so.
func TestDevOff(t *testing.T) {
	for _, v := range []string{"", "0"} {
		base, _ := devServer(t, map[string]string{"SOCIOGRAM_DEV": v})
		for _, e := range [][2]string{{"GET", httpadapter.DevStatePath + "?uid=7"}, {"DELETE", httpadapter.DevStatePath + "?uid=7"},
			{"GET", httpadapter.DevClockPath}, {"POST", httpadapter.DevClockPath}} {
			for _, key := range []string{devToken, ""} {
				if a := devCall(t, e[0], base+e[1], key, `{"advance":"1h"}`); a.status != http.StatusNotFound {
					t.Errorf("SOCIOGRAM_DEV=%q: %s %s: %d, want 404", v, e[0], e[1], a.status)
				}
			}
		}
	}

	env := map[string]string{"SOCIOGRAM_BOT_TOKEN": "t", "SOCIOGRAM_DEV": "yes"}
	err := httpadapter.Run(context.Background(), func(k string) string { return env[k] }, io.Discard, countVisits)
	if err == nil || !strings.Contains(err.Error(), "SOCIOGRAM_DEV") {
		t.Errorf("SOCIOGRAM_DEV=yes: Run = %v, want an error naming it", err)
	}

	base, _ := devServer(t, map[string]string{"SOCIOGRAM_DEV": "1", "SOCIOGRAM_STATE": "off"})
	for _, m := range []string{"GET", "DELETE"} {
		if a := devCall(t, m, base+httpadapter.DevStatePath+"?uid=7", devToken, ""); a.status != 404 || !strings.Contains(a.body, "keeps no per-user state") {
			t.Errorf("no state: %s %s = %d %q, want 404 saying the bot keeps no state", m, httpadapter.DevStatePath, a.status, a.body)
		}
	}
	if a := devCall(t, "GET", base+httpadapter.DevClockPath, devToken, ""); a.status != 200 {
		t.Errorf("no state: clock answered %d", a.status)
	}
}

// conflicting is a store whose next n Puts fail with ErrConflict.
type conflicting struct {
	*memstore.Store
	n atomic.Int64
}

func (s *conflicting) Put(ctx context.Context, key string, rec handler.Record) error {
	if s.n.Add(-1) >= 0 {
		return fmt.Errorf("racing turn: %w", handler.ErrConflict)
	}
	return s.Store.Put(ctx, key, rec)
}

// TestDevResetConflicts: a reset whose conditional Put loses to a turn reads
// again; one that keeps losing answers 409 and changes nothing.
func TestDevResetConflicts(t *testing.T) {
	for _, tc := range []struct {
		conflicts int64
		want      int
	}{{1, 200}, {4, 200}, {5, 409}} {
		store := &conflicting{Store: memstore.New()}
		if err := store.Store.Put(context.Background(), "7", handler.Record{Data: []byte(`{"s":{"x":{"N":1}}}`)}); err != nil {
			t.Fatal(err)
		}
		store.n.Store(tc.conflicts)
		h := httpadapter.DevHandler(http.NotFoundHandler(), httpadapter.Dev{Keys: handler.NewKeyring(devToken), Store: store, Clock: &httpadapter.DevClock{}})
		srv := httptest.NewServer(h)
		a := devCall(t, "DELETE", srv.URL+httpadapter.DevStatePath+"?uid=7", devToken, "")
		srv.Close()
		rec, _ := store.Get(context.Background(), "7")
		if a.status != tc.want || (tc.want == 200) != (len(rec.Data) == 0) {
			t.Errorf("%d conflicts: %d %q, stored %q; want %d", tc.conflicts, a.status, a.body, rec.Data, tc.want)
		}
	}
}
