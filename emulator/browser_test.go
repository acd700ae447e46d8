package emulator_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sociogram-kit/kit/internal/testtools"
)

// browserToken is the token bin/webhook and bin/emulator share in the test.
const browserToken = "browser-test-token-93ab"

// TestBrowser drives the chat page in a real headless Chromium against the
// real bin/emulator and bin/webhook (on the fixture bot), as `make run` starts
// them. With UPDATE_SCREENSHOTS=1 it writes the README's screenshots.
func TestBrowser(t *testing.T) {
	chromium := testtools.Require(t, "chromium")
	base, botURL := startPair(t)

	ctx := newBrowser(t, chromium)
	page := &pageDriver{t: t, ctx: ctx, base: base}
	page.do(chromedp.EmulateViewport(1560, 940), chromedp.Navigate(base+"/"))
	alice, bob := `.chat[data-uid="12345"]`, `.chat[data-uid="67890"]`
	page.waitJS(`document.querySelector('` + alice + ` input[name=text]') !== null`)
	page.waitJS(`document.getElementById('bot-url').textContent === ` + strconv.Quote(botURL))

	// Alice says hello; the bot's reply comes back with its button.
	page.say(alice, "hello")
	page.waitBubble(alice, `Hello there! You said: "hello"`)
	if got := page.text(alice + ` .kb button[data-callback="more_info"]`); got != "Tell me more" {
		t.Fatalf("button text = %q, want Tell me more", got)
	}
	page.do(chromedp.Click(chromedp.CSS(alice + ` .kb button[data-callback="more_info"]`)))
	page.waitBubble(alice, "You clicked a button with data: more_info")

	// Bob, side by side, opens the menu and picks a product.
	page.say(bob, "/start")
	page.waitBubble(bob, "Welcome! What would you like to do?")
	page.do(chromedp.Click(chromedp.CSS(bob + ` .kb button[data-callback="menu_products"]`)))
	page.waitBubble(bob, "Here are our products: Product A, Product B, Product C.")

	// The delivery log lists every webhook and every reply, all successful.
	for _, s := range []string{`chat-message "hello" from 12345`, `callback-query "more_info" from 12345`,
		`chat-message "/start" from 67890`, `callback-query "menu_products" from 67890`} {
		page.waitJS(`[...document.querySelectorAll('.log-entry[data-kind=webhook][data-ok=true] .sum')].some(e => e.textContent === ` + strconv.Quote(s) + `)`)
	}
	page.waitJS(`document.querySelectorAll('.log-entry[data-kind=api][data-ok=true]').length === 4`)
	if n := page.eval(`String(document.querySelectorAll('.log-entry.failed').length)`); n != "0" {
		t.Errorf("%s failed log entries, want 0", n)
	}
	if page.eval(`String(document.getElementById('queue-badge').hidden)`) != "true" {
		t.Error("the reply-queue badge shows for a bot without a queue")
	}
	// Without SOCIOGRAM_DEV the bot shows no state: the panel says how to
	// turn it on, and there is no clock to move.
	page.waitJS(`document.querySelector('` + alice + ` .state-panel')?.dataset.status === 'none' && document.querySelector('` + alice + ` .state-note').textContent.includes('SOCIOGRAM_DEV=1')`)
	if page.eval(`getComputedStyle(document.getElementById('clock')).display`) != "none" {
		t.Error("the clock control shows for a bot without development endpoints")
	}
	page.screenshot("emulator-chat.png")

	// A new user, and the fault switch on: her message is not delivered, and
	// the failures stand out in the chat and the log.
	page.do(chromedp.SendKeys(chromedp.CSS(`#user-form input[name=name]`), "Carol"),
		chromedp.Click(chromedp.CSS(`#user-form button`)))
	carol := `.chat[data-uid="67891"]`
	page.waitJS(`document.querySelector('` + carol + ` .who')?.textContent === 'Carol'`)
	page.do(chromedp.Click(chromedp.CSS(`#settings summary`)),
		chromedp.SetValue(chromedp.CSS(`#settings-form select[name=status]`), "503"),
		chromedp.Click(chromedp.CSS(`#settings-form button[type=submit]`)))
	page.waitJS(`!document.getElementById('fault-badge').hidden`)
	page.say(carol, "hello")
	page.waitJS(`document.querySelector('` + carol + ` .meta.failed')?.textContent.includes('500')`)
	page.waitJS(`document.getElementById('fail-count').textContent.startsWith('5 failed')`) // the webhook and 4 attempts
	page.do(chromedp.Click(chromedp.CSS(`.log-entry.failed[data-kind=webhook] summary`)))
	page.screenshot("emulator-faults.png")

	if html := page.eval(`document.documentElement.outerHTML`); strings.Contains(html, browserToken) {
		t.Error("the token appears in the page")
	}
}

// TestBrowserReplyQueue: with bin/webhook on SOCIOGRAM_REPLY_QUEUE=local
// (`make run REPLY_QUEUE=local`), the header shows the bot's reply queue,
// and the reply to "hello" counted sent.
func TestBrowserReplyQueue(t *testing.T) {
	chromium := testtools.Require(t, "chromium")
	base, _ := startPair(t, "SOCIOGRAM_REPLY_QUEUE=local")
	page := &pageDriver{t: t, ctx: newBrowser(t, chromium), base: base}
	page.do(chromedp.EmulateViewport(1560, 940), chromedp.Navigate(base+"/"))
	page.waitJS(`document.getElementById('queue-badge')?.textContent === 'reply queue: 0 queued · 0 sent' && !document.getElementById('queue-badge').hidden`)
	alice := `.chat[data-uid="12345"]`
	page.waitJS(`document.querySelector('` + alice + ` input[name=text]') !== null`)
	page.say(alice, "hello")
	page.waitBubble(alice, `Hello there! You said: "hello"`)
	page.waitJS(`document.getElementById('queue-badge').textContent === 'reply queue: 0 queued · 1 sent'`)
}

// TestBrowserState: with bin/webhook on SOCIOGRAM_DEV=1 (as `make run`
// starts it) and the fixture's /count state in memory with a TTL of an
// hour, each chat shows its user's state: /count twice shows N 2, the reset
// button empties it, and moving the bot's clock past the TTL expires it (the
// next /count starts over).
func TestBrowserState(t *testing.T) {
	chromium := testtools.Require(t, "chromium")
	base, _ := startPair(t, "SOCIOGRAM_DEV=1", "SOCIOGRAM_STATE=memory", "SOCIOGRAM_STATE_TTL=1h")
	page := &pageDriver{t: t, ctx: newBrowser(t, chromium), base: base}
	page.do(chromedp.EmulateViewport(1560, 940), chromedp.Navigate(base+"/"))
	alice, bob := `.chat[data-uid="12345"]`, `.chat[data-uid="67890"]`
	stateOf := func(chat string) string {
		return `document.querySelector('` + chat + ` .state-panel')`
	}
	countIs := func(chat string, n int) string {
		return `(() => { const d = ` + stateOf(chat) + `; if (!d || d.dataset.status !== 'ok') return false;
			const s = JSON.parse(d.querySelector('.state-json').textContent); return s.count?.N === ` + strconv.Itoa(n) + `; })()`
	}
	empty := func(chat string) string {
		return stateOf(chat) + `?.dataset.status === 'ok' && ` + stateOf(chat) + `.querySelector('.state-json').textContent === '{}'`
	}
	page.waitJS(empty(alice))
	page.waitJS(empty(bob))
	page.waitJS(`!document.getElementById('clock').hidden && document.getElementById('clock-offset').dataset.seconds === '0'`)

	page.say(alice, "/count")
	page.waitBubble(alice, "count 1")
	page.say(alice, "/count")
	page.waitBubble(alice, "count 2")
	page.waitJS(countIs(alice, 2))
	page.waitJS(stateOf(alice) + `.querySelector('.state-meta').textContent.includes('expires in 59m')`)
	page.waitJS(empty(bob)) // Bob's state is his own
	page.screenshot("emulator-state.png")

	page.do(chromedp.Click(chromedp.CSS(alice + ` .state-reset`)))
	page.waitJS(empty(alice))
	page.say(alice, "/count")
	page.waitBubbleCount(alice, "count 1", 2)
	page.waitJS(countIs(alice, 1))

	// The bot's clock an hour on: past the TTL, the state reads as expired,
	// and the next /count starts over.
	page.do(chromedp.Click(chromedp.CSS(`#clock button[data-advance="1h"]`)))
	page.waitJS(`document.getElementById('clock-offset').dataset.seconds === '3600' && document.getElementById('clock-offset').textContent === '+1h'`)
	page.waitJS(empty(alice) + ` && ` + stateOf(alice) + `.classList.contains('expired')`)
	page.say(alice, "/count")
	page.waitBubbleCount(alice, "count 1", 3)
	page.waitJS(countIs(alice, 1) + ` && !` + stateOf(alice) + `.classList.contains('expired')`)

	// A custom step in days, then back to the wall clock.
	page.do(chromedp.SendKeys(chromedp.CSS(`#clock-form input[name=advance]`), "2d"),
		chromedp.Click(chromedp.CSS(`#clock-form button`)))
	page.waitJS(`document.getElementById('clock-offset').textContent === '+2d 1h'`)
	page.do(chromedp.Click(chromedp.CSS(`#clock-reset`)))
	page.waitJS(`document.getElementById('clock-offset').dataset.seconds === '0'`)

	if html := page.eval(`document.documentElement.outerHTML`); strings.Contains(html, browserToken) {
		t.Error("the token appears in the page")
	}
}

// startPair starts bin/emulator and bin/webhook pointed at each other and
// returns the page's URL and the bot's webhook URL; botEnv is added to the
// bot's environment.
func startPair(t *testing.T, botEnv ...string) (string, string) {
	emuBin := testtools.Build(t, "./cmd/emulator")
	botBin := testtools.Build(t, testtools.FixtureWebhook)
	emuPort, botPort := testtools.FreePort(t), testtools.FreePort(t)
	base := fmt.Sprintf("http://127.0.0.1:%d", emuPort)
	botURL := fmt.Sprintf("http://127.0.0.1:%d/webhook", botPort)
	emu := testtools.Start(t, emuBin, []string{"SOCIOGRAM_BOT_TOKEN=" + browserToken,
		fmt.Sprintf("EMULATOR_ADDR=127.0.0.1:%d", emuPort), "BOT_URL=" + botURL})
	bot := testtools.Start(t, botBin, append([]string{"SOCIOGRAM_BOT_TOKEN=" + browserToken,
		"SOCIOGRAM_API_URL=" + base, fmt.Sprintf("PORT=%d", botPort)}, botEnv...))
	testtools.WaitHTTP(t, base+"/", 10*time.Second)
	testtools.WaitHTTP(t, fmt.Sprintf("http://127.0.0.1:%d/healthz", botPort), 10*time.Second)
	t.Cleanup(func() {
		for _, p := range []*testtools.Proc{emu, bot} {
			if strings.Contains(p.Output(), browserToken) {
				t.Errorf("the token appears in the output of %s", p.Cmd.Path)
			}
		}
	})
	return base, botURL
}

// newBrowser starts headless Chromium with a fresh profile.
func newBrowser(t *testing.T, path string) context.Context {
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("starting chromium: %v", err)
	}
	return ctx
}

type pageDriver struct {
	t    *testing.T
	ctx  context.Context
	base string
}

// stepTimeout bounds one step; a slow machine gets the whole budget, a hang
// fails with what the emulator saw.
const stepTimeout = 30 * time.Second

func (p *pageDriver) fail(what string, err error) {
	p.t.Helper()
	state := ""
	if resp, herr := http.Get(p.base + "/emulator/state"); herr == nil {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		state = string(b)
	}
	p.t.Fatalf("%s: %v\nemulator state: %s", what, err, state)
}

func (p *pageDriver) do(actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.fail("browser step", err)
	}
}

func (p *pageDriver) waitJS(pred string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](pred, chromedp.WithPollingTimeout(stepTimeout))); err != nil {
		p.fail("waiting for "+pred, err)
	}
}

func (p *pageDriver) eval(js string) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
	if err != nil {
		p.fail("evaluating "+js, err)
	}
	return s
}

func (p *pageDriver) text(sel string) string {
	p.t.Helper()
	return p.eval(`document.querySelector(` + strconv.Quote(sel) + `)?.textContent ?? ""`)
}

// say types text into a chat's composer and sends it.
func (p *pageDriver) say(chat, text string) {
	p.t.Helper()
	p.do(chromedp.SendKeys(chromedp.CSS(chat+` input[name=text]`), text),
		chromedp.Click(chromedp.CSS(chat+` .composer button`)))
	p.waitBubbleFrom(chat, "user", text)
}

func (p *pageDriver) waitBubble(chat, text string) { p.t.Helper(); p.waitBubbleFrom(chat, "bot", text) }

// waitBubbleCount waits until the bot has said text n times in chat.
func (p *pageDriver) waitBubbleCount(chat, text string, n int) {
	p.t.Helper()
	p.waitJS(`[...document.querySelectorAll(` + strconv.Quote(chat+` .msg.bot .bubble`) + `)].filter(e => e.textContent === ` + strconv.Quote(text) + `).length === ` + strconv.Itoa(n))
}

func (p *pageDriver) waitBubbleFrom(chat, from, text string) {
	p.t.Helper()
	p.waitJS(`[...document.querySelectorAll(` + strconv.Quote(chat+` .msg.`+from+` .bubble`) + `)].some(e => e.textContent === ` + strconv.Quote(text) + `)`)
}

// screenshot writes docs/screenshots/name when UPDATE_SCREENSHOTS=1.
func (p *pageDriver) screenshot(name string) {
	p.t.Helper()
	if os.Getenv("UPDATE_SCREENSHOTS") != "1" {
		return
	}
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		p.fail("screenshot", err)
	}
	out := filepath.Join(testtools.Root(), "docs", "screenshots", name)
	if err := os.WriteFile(out, png, 0o644); err != nil {
		p.t.Fatal(err)
	}
	p.t.Logf("wrote %s", out)
}
