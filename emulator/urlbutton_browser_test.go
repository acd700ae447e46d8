package emulator_test

import (
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/sociogram-kit/kit/emulator"
	"github.com/sociogram-kit/kit/internal/testtools"
)

// TestBrowserURLButtons: a bot's URL buttons open only http: and https:
// links; a javascript: or data: one is shown inert (no href), and clicking
// it runs nothing. The bot here is the test, calling the Bot API.
func TestBrowserURLButtons(t *testing.T) {
	chromium := testtools.Require(t, "chromium")
	_, base := start(t, emulator.WithUser(12345, "Alice"))
	a := send(t, base, `{"uid":12345,"message":{"text":"links","buttonMarkup":[[`+
		`{"text":"Docs","url":"https://example.com/docs"},`+
		`{"text":"Evil","url":"javascript:window.__pwned=1"},`+
		`{"text":"Data","url":"data:text/html,<script>opener.__pwned=1</script>"},`+
		`{"text":"Relative","url":"/emulator/state"}]]}}`)
	if a.Status != 200 {
		t.Fatalf("send-message: %d %s", a.Status, a.Body)
	}
	page := &pageDriver{t: t, ctx: newBrowser(t, chromium), base: base}
	page.do(chromedp.Navigate(base + "/"))
	kb := `.chat[data-uid="12345"] .kb a`
	page.waitJS(`document.querySelectorAll('` + kb + `').length === 4`)
	links := page.eval(`[...document.querySelectorAll('` + kb + `')].map(a => a.textContent + "=" + (a.getAttribute("href") ?? "none") + (a.classList.contains("inert") ? " inert" : "")).join(" | ")`)
	want := "Docs=https://example.com/docs | Evil=none inert | Data=none inert | Relative=none inert"
	if links != want {
		t.Errorf("URL buttons:\n got %s\nwant %s", links, want)
	}
	page.do(chromedp.Click(chromedp.CSS(kb + `:nth-child(2)`))) // Evil
	if got := page.eval(`String(window.__pwned)`); got != "undefined" {
		t.Errorf("clicking the javascript: button ran it: window.__pwned = %s", got)
	}
}
