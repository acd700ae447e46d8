package emulator_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/sociogram-kit/kit/emulator"
	"github.com/sociogram-kit/kit/internal/testtools"
)

// TestDevStatus: the development loop's status is absent until set, then
// in the state the page long-polls, which wakes; no HTTP call sets it.
func TestDevStatus(t *testing.T) {
	emu, base := start(t)
	if emu.State().Dev != nil {
		t.Fatal("an emulator without a development loop shows a dev status")
	}
	v := emu.State().Version
	got := make(chan emulator.State)
	go func() {
		resp, err := http.Get(base + emulator.StatePath + "?after=" + strconv.FormatInt(v, 10))
		var st emulator.State
		if err == nil {
			json.NewDecoder(resp.Body).Decode(&st)
			resp.Body.Close()
		}
		got <- st
	}()
	emu.SetDevStatus(emulator.DevStatus{State: emulator.DevFailed, Detail: "bot/bot.go:3:1: syntax error", Restarts: 1, Serving: true})
	st := <-got
	if st.Dev == nil || st.Dev.State != emulator.DevFailed || st.Dev.Detail != "bot/bot.go:3:1: syntax error" || !st.Dev.Serving || st.Dev.At.IsZero() {
		t.Errorf("long-polled state: dev %+v", st.Dev)
	}
	for _, m := range []string{http.MethodPost, http.MethodPut} {
		if a := pageCall(t, m, base+"/emulator/dev", emulator.DevStatus{State: emulator.DevRunning}); a.Status < 400 {
			t.Errorf("%s /emulator/dev answered %d: the page must not set the dev status", m, a.Status)
		}
	}
}

// TestBrowserDevBanner: the page shows a failed build as a banner with the
// go command's output, a stopped bot as a warning, and a running bot as a
// badge only.
func TestBrowserDevBanner(t *testing.T) {
	chromium := testtools.Require(t, "chromium")
	emu, base := start(t)
	page := &pageDriver{t: t, ctx: newBrowser(t, chromium), base: base}
	page.do(chromedp.Navigate(base + "/"))
	page.waitJS(`document.getElementById('bot-url').textContent !== '…'`)
	if page.eval(`String(document.getElementById('dev-banner').hidden && document.getElementById('dev-badge').hidden)`) != "true" {
		t.Error("the page shows a dev status the emulator was never given")
	}
	cases := []struct {
		status emulator.DevStatus
		pred   string // JavaScript that holds once the page shows it
	}{
		{emulator.DevStatus{State: emulator.DevFailed, Detail: "# example.com/bot/bot\nbot/bot.go:58:14: syntax error", Restarts: 2, Serving: true},
			`!document.getElementById('dev-banner').hidden && document.getElementById('dev-detail').textContent.includes('bot/bot.go:58:14: syntax error') && document.getElementById('dev-title').textContent.includes('previous build')`},
		{emulator.DevStatus{State: emulator.DevFailed, Detail: "bot/bot.go:1:1: expected 'package'"},
			`document.getElementById('dev-title').textContent.includes('no bot is running')`},
		{emulator.DevStatus{State: emulator.DevBuilding, Restarts: 2, Serving: true},
			`document.getElementById('dev-banner').hidden && document.getElementById('dev-badge').textContent.includes('rebuilding')`},
		{emulator.DevStatus{State: emulator.DevRunning, Restarts: 3, Serving: true},
			`document.getElementById('dev-banner').hidden && document.getElementById('dev-badge').textContent.startsWith('bot restarted')`},
		{emulator.DevStatus{State: emulator.DevStopped, Detail: "the bot stopped: exit status 2", Restarts: 3},
			`document.getElementById('dev-banner').dataset.state === 'stopped' && document.getElementById('dev-title').textContent.includes('The bot stopped') && document.getElementById('dev-badge').hidden`},
	}
	for _, c := range cases {
		emu.SetDevStatus(c.status)
		page.waitJS(c.pred)
	}
}
