package emulator_test

import (
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/sociogram-kit/kit/emulator"
	"github.com/sociogram-kit/kit/internal/testtools"
	"github.com/sociogram-kit/kit/platform"
)

// TestBrowserURLButtons: a bot's URL buttons open only http: and https:
// links. The Bot API refuses any other URL (400, package platform's table),
// so the bubbles here are put in the emulator's state directly, to check the
// page's own defence: a javascript: or data: one is shown inert (no href),
// and clicking it runs nothing.
func TestBrowserURLButtons(t *testing.T) {
	chromium := testtools.Require(t, "chromium")
	emu, base := start(t, emulator.WithUser(12345, "Alice"))
	a := send(t, base, `{"uid":12345,"message":{"text":"links","buttonMarkup":[[{"text":"Evil","url":"javascript:window.__pwned=1"}]]}}`)
	if a.Status != 400 {
		t.Fatalf("send-message with a javascript: URL: %d %s, want 400", a.Status, a.Body)
	}
	emulator.AddBotEntry(emu, emulator.ChatEntry{UID: 12345, Text: "links", Buttons: [][]platform.Button{{
		{Text: "Docs", URL: "https://example.com/docs"},
		{Text: "Evil", URL: "javascript:window.__pwned=1"},
		{Text: "Data", URL: "data:text/html,<script>opener.__pwned=1</script>"},
		{Text: "Relative", URL: "/emulator/state"}}}})
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
