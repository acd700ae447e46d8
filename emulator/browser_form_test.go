package emulator_test

import (
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/sociogram-kit/kit/internal/conformance"
	"github.com/sociogram-kit/kit/internal/fixture/fixturebot"
	"github.com/sociogram-kit/kit/internal/testtools"
)

// TestBrowserForm drives the conversation example (examples/form: the
// fixture's bin/webhook with FIXTURE_BOT=form, SOCIOGRAM_DEV=1 and its state
// in the embedded file, as `make run` keeps it) in a real headless Chromium
// against the real bin/emulator: Alice types /order, clicks the product
// button on the page, answers a refused and a valid quantity and the
// address, and the state panel shows the form's answers; she clicks "Place
// order", sees the confirmation, and the panel shows the order kept and the
// form ended; /orders lists it.
func TestBrowserForm(t *testing.T) {
	chromium := testtools.Require(t, "chromium")
	base, _ := startPair(t, fixturebot.Env+"="+fixturebot.Form, "SOCIOGRAM_DEV=1",
		"SOCIOGRAM_STATE=file", "SOCIOGRAM_STATE_FILE="+filepath.Join(t.TempDir(), "state.db"))
	page := &pageDriver{t: t, ctx: newBrowser(t, chromium), base: base}
	page.do(chromedp.EmulateViewport(1560, 940), chromedp.Navigate(base+"/"))
	alice := `.chat[data-uid="12345"]`
	panel := `document.querySelector('` + alice + ` .state-panel')`
	// stateIs is true once the panel shows the user's states and pred holds
	// of them (s, parsed from the panel's JSON).
	stateIs := func(pred string) string {
		return `(() => { const d = ` + panel + `; if (!d || d.dataset.status !== 'ok') return false;
			const s = JSON.parse(d.querySelector('.state-json').textContent); return ` + pred + `; })()`
	}
	page.waitJS(stateIs(`Object.keys(s).length === 0`))

	page.say(alice, "/order")
	page.waitBubble(alice, conformance.FormAskProduct)
	page.clickButton(alice, "Coffee beans €9.00")
	page.waitBubble(alice, conformance.FormAskQty)
	page.say(alice, "abc")
	page.waitBubble(alice, conformance.FormBadQty)
	page.say(alice, "3")
	page.waitBubble(alice, conformance.FormAskAddress)
	page.say(alice, conformance.FormAddress)
	page.waitBubble(alice, conformance.FormConfirm)
	page.waitJS(stateIs(`s.conversation?.flow === 'order' && s.conversation.answers?.product === 'coffee' &&
		s.conversation.answers.qty === 3 && s.conversation.answers.address === ` + strconv.Quote(conformance.FormAddress)))

	page.clickButton(alice, "✅ Place order")
	page.waitBubble(alice, conformance.FormPlaced)
	page.waitJS(stateIs(`!s.conversation?.flow && s.orders?.orders?.length === 1 && s.orders.orders[0].product === 'coffee' &&
		s.orders.orders[0].qty === 3 && s.orders.orders[0].address === ` + strconv.Quote(conformance.FormAddress)))
	page.say(alice, "/orders")
	page.waitBubble(alice, conformance.FormOrders)

	page.waitJS(`document.querySelectorAll('.log-entry[data-kind=webhook][data-ok=true]').length === 7`)
	if n := page.eval(`String(document.querySelectorAll('.log-entry.failed').length)`); n != "0" {
		t.Errorf("%s failed log entries, want 0", n)
	}
	if html := page.eval(`document.documentElement.outerHTML`); strings.Contains(html, browserToken) {
		t.Error("the token appears in the page")
	}
}

// signedData is the shape of a signed button's callback data (~NAME.base64url).
var signedData = regexp.MustCompile(`^~[a-z]+\.[A-Za-z0-9_-]+$`)

// clickButton clicks, in chat, the button labelled label of the bot's latest
// message that has one, as a user would.
func (p *pageDriver) clickButton(chat, label string) {
	p.t.Helper()
	data := p.eval(`[...document.querySelectorAll(` + strconv.Quote(chat+` .msg.bot .kb button`) + `)]
		.filter(b => b.textContent === ` + strconv.Quote(label) + `).pop()?.dataset.callback ?? ""`)
	if !signedData.MatchString(data) {
		p.t.Fatalf("button %q in %s: callback data %q, want a signed button's", label, chat, data)
	}
	p.do(chromedp.Click(chromedp.CSS(chat + ` .kb button[data-callback="` + data + `"]`)))
}
