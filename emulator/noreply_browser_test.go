package emulator_test

import (
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/sociogram-kit/kit/internal/testtools"
)

// TestBrowserNoReply: with bin/webhook on SOCIOGRAM_DEV=1 (as `make run`
// starts it), a message no route takes is marked "no reply: no route
// matched" under it and in the delivery log; an answered one is not.
func TestBrowserNoReply(t *testing.T) {
	chromium := testtools.Require(t, "chromium")
	base, _ := startPair(t, "SOCIOGRAM_DEV=1")
	page := &pageDriver{t: t, ctx: newBrowser(t, chromium), base: base}
	page.do(chromedp.EmulateViewport(1560, 940), chromedp.Navigate(base+"/"))
	alice := `.chat[data-uid="12345"]`
	page.waitJS(`document.querySelector('` + alice + ` input[name=text]') !== null`)

	page.say(alice, "what is this?")
	const mark = "no reply: no route matched"
	page.waitJS(`[...document.querySelectorAll(` + strconv.Quote(alice+` .msg.user`) + `)].some(m =>
		m.querySelector('.bubble').textContent === 'what is this?' && m.querySelector('.meta.noreply')?.textContent === ` + strconv.Quote(mark) + `)`)
	page.waitJS(`[...document.querySelectorAll('.log-entry[data-kind=webhook] .reason.noreply')].some(e => e.textContent === ` + strconv.Quote(mark) + `)`)

	page.say(alice, "hello")
	page.waitBubble(alice, `Hello there! You said: "hello"`)
	if n := page.eval(`String([...document.querySelectorAll(` + strconv.Quote(alice+` .msg.user`) + `)].filter(m => m.querySelector('.meta.noreply')).length)`); n != "1" {
		t.Errorf("%s messages marked no reply, want 1 (the answered one is not)", n)
	}
}
