package form_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sociogram-kit/kit/botapi"
	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/sociogramtest"
	"github.com/sociogram-kit/kit/store/memstore"

	"github.com/sociogram-kit/kit/examples/form"
)

// These are the tests of the bot in this folder, through the kit's
// sociogramtest (a fake Bot API): change them with the bot.

const token = "test-token"

// start serves the bot on loopback with its state in memory and its replies
// going to a fake Bot API, without the platform's rate spacing (the fake
// has no limits, and the tests stay fast).
func start(t *testing.T) (*sociogramtest.Server, string, *sociogramtest.Clock) {
	t.Helper()
	api := sociogramtest.NewServer(t, token)
	c := sociogramtest.NewClock(time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC))
	client := botapi.New(token, botapi.WithBaseURL(api.URL), botapi.WithRateLimit(false))
	b, err := handler.New(token, handler.WithSender(client), handler.WithStore(memstore.New()),
		handler.WithClock(c.Now), handler.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	form.Register(b)
	srv := httptest.NewServer(b)
	t.Cleanup(srv.Close)
	return api, srv.URL, c
}

// step is one thing a user does and the replies the bot must send back.
type step struct {
	uid   int64
	text  string              // a message, or
	click string              // a button, by the start of its label, in the last message with buttons to from
	from  int64               // whose buttons (default: uid's own)
	edit  func(string) string // changes the button's data before the click (tampering)
	later time.Duration       // the clock moves this far first
	want  []string            // the replies' texts (nil: none)
}

const (
	askProduct = "What would you like to order?"
	askQty     = "How many would you like? (1 to 20)"
	askAddress = "Where should we deliver it?"
	confirm    = "Please confirm your order:\n2 × Green tea, €9.00\nDeliver to: 1 Main Street"
	placed     = "Thank you! Order #1 is placed:\n2 × Green tea, €9.00\nDeliver to: 1 Main Street\n/orders lists your orders."
	cancelled  = "Order cancelled. Send /order to start again."
	helpText   = "I take orders for tea, coffee and cocoa.\n/order places an order, /orders lists yours, /cancel stops an order."
	badQty     = "Please send a whole number from 1 to 20.\n\n" + askQty
	useButtons = "Please pick a product with the buttons.\n\n" + askProduct
	closed     = "That order form is closed. Send /order to start a new one."
)

// toConfirm is a user's order up to the confirmation.
func toConfirm(uid int64) []step {
	return []step{
		{uid: uid, text: "/order", want: []string{askProduct}},
		{uid: uid, click: "Green tea", want: []string{askQty}},
		{uid: uid, text: "2", want: []string{askAddress}},
		{uid: uid, text: "1 Main Street", want: []string{confirm}},
	}
}

func then(first []step, rest ...step) []step { return append(slices.Clone(first), rest...) }

func TestOrderForm(t *testing.T) {
	cases := []struct {
		name  string
		steps []step
	}{
		{"an order, then the list", then(toConfirm(1),
			step{uid: 1, click: "✅", want: []string{placed}},
			step{uid: 1, text: "/orders", want: []string{"Your orders:\n#1: 2 × Green tea, €9.00, Deliver to: 1 Main Street"}},
		)},
		{"no orders yet", []step{{uid: 1, text: "/orders", want: []string{"You have no orders yet. Send /order to place one."}}}},
		{"quantity and address are validated", []step{
			{uid: 1, text: "/order", want: []string{askProduct}},
			{uid: 1, click: "Cocoa", want: []string{askQty}},
			{uid: 1, text: "two", want: []string{badQty}},
			{uid: 1, text: "0", want: []string{badQty}},
			{uid: 1, text: "21", want: []string{badQty}},
			{uid: 1, text: " 3 ", want: []string{askAddress}},
			{uid: 1, text: "x", want: []string{"Please send the delivery address (5 to 200 characters).\n\n" + askAddress}},
			{uid: 1, text: "2 Side Road", want: []string{"Please confirm your order:\n3 × Cocoa, €18.00\nDeliver to: 2 Side Road"}},
		}},
		{"text instead of a product button", []step{
			{uid: 1, text: "/order", want: []string{askProduct}},
			{uid: 1, text: "tea please", want: []string{useButtons}},
		}},
		{"a tampered product button", []step{
			{uid: 1, text: "/order", want: []string{askProduct}},
			{uid: 1, click: "Green tea", edit: tamper, want: []string{useButtons}},
		}},
		{"another user's product button", []step{
			{uid: 1, text: "/order", want: []string{askProduct}},
			{uid: 2, text: "/order", want: []string{askProduct}},
			{uid: 2, click: "Coffee", from: 1, want: []string{useButtons}},
		}},
		{"/cancel in the form", then(toConfirm(1)[:2],
			step{uid: 1, text: "/cancel", want: []string{cancelled}},
			step{uid: 1, text: "2", want: []string{helpText}},
		)},
		{"/cancel outside a form", []step{{uid: 1, text: "/cancel", want: []string{"There is nothing to cancel. Send /order to place an order."}}}},
		{"the cancel button", then(toConfirm(1),
			step{uid: 1, click: "✖", want: []string{cancelled}},
			step{uid: 1, text: "/orders", want: []string{"You have no orders yet. Send /order to place one."}},
		)},
		{"/help in the form, then on", then(toConfirm(1)[:2],
			step{uid: 1, text: "/help", want: []string{helpText}},
			step{uid: 1, text: "2", want: []string{askAddress}},
		)},
		{"idle 15 minutes: the form is cancelled", then(toConfirm(1)[:2],
			step{uid: 1, text: "2", later: 15 * time.Minute, want: []string{
				"Your order waited 15 minutes for an answer, so I cancelled it. Send /order to start again.", helpText}},
		)},
		{"confirm after the form ended", then(toConfirm(1),
			step{uid: 1, click: "✅", want: []string{placed}},
			step{uid: 1, click: "✅", want: []string{closed}},
			step{uid: 1, text: "/orders", want: []string{"Your orders:\n#1: 2 × Green tea, €9.00, Deliver to: 1 Main Street"}},
		)},
		{"an expired button", then(toConfirm(1),
			step{uid: 1, text: "/cancel", want: []string{cancelled}},
			step{uid: 1, click: "✅", later: time.Hour, want: []string{"Sorry, this button has expired. Please start again."}},
		)},
		{"a forged button outside a form", []step{
			{uid: 1, text: "/order", want: []string{askProduct}},
			{uid: 1, text: "/cancel", want: []string{cancelled}},
			{uid: 1, click: "Green tea", edit: tamper, want: []string{"Sorry, this button no longer works. Please start again."}},
		}},
		{"two users, one form each", []step{
			{uid: 1, text: "/order", want: []string{askProduct}},
			{uid: 2, text: "/order", want: []string{askProduct}},
			{uid: 1, click: "Green tea", want: []string{askQty}},
			{uid: 2, click: "Coffee", want: []string{askQty}},
			{uid: 2, text: "1", want: []string{askAddress}},
			{uid: 1, text: "2", want: []string{askAddress}},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			api, url, clk := start(t)
			for i, s := range c.steps {
				clk.Advance(s.later)
				body := sociogramtest.ChatMessage(s.uid, s.text)
				if s.click != "" {
					body = sociogramtest.CallbackQuery(s.uid, buttonData(t, api.Sent(), s, i))
				}
				before := len(api.Sent())
				resp, err := sociogramtest.Deliver(context.Background(), url, token, body)
				if err != nil || resp.Status != 200 {
					t.Fatalf("step %d: webhook answered %+v, %v; want 200", i+1, resp, err)
				}
				var got []string
				for _, r := range api.Sent()[before:] {
					if r.UID != s.uid {
						t.Errorf("step %d: a reply to uid %d, want %d", i+1, r.UID, s.uid)
					}
					got = append(got, r.Message.Text)
				}
				if !slices.Equal(got, s.want) {
					t.Fatalf("step %d (%q%q): replies\n%q\nwant\n%q", i+1, s.text, s.click, got, s.want)
				}
			}
		})
	}
}

// buttonData returns the data of the button step s clicks.
func buttonData(t *testing.T, sent []sociogramtest.Sent, s step, i int) string {
	t.Helper()
	from := s.from
	if from == 0 {
		from = s.uid
	}
	for j := len(sent) - 1; j >= 0; j-- {
		if sent[j].UID != from || len(sent[j].Message.ButtonMarkup) == 0 {
			continue
		}
		for _, row := range sent[j].Message.ButtonMarkup {
			for _, b := range row {
				if strings.HasPrefix(b.Text, s.click) {
					if s.edit != nil {
						return s.edit(b.CallbackData)
					}
					return b.CallbackData
				}
			}
		}
		break
	}
	t.Fatalf("step %d: no button %q in the last buttons sent to uid %d", i+1, s.click, from)
	return ""
}

// tamper changes one character of a button's data.
func tamper(data string) string {
	i := len(data) - 5
	c := byte('A')
	if data[i] == 'A' {
		c = 'B'
	}
	return data[:i] + string(c) + data[i+1:]
}

// The product buttons' data stays short (the platform documents no limit).
func TestButtonDataIsShort(t *testing.T) {
	api, url, _ := start(t)
	if _, err := sociogramtest.Deliver(context.Background(), url, token, sociogramtest.ChatMessage(1234567890, "/order")); err != nil {
		t.Fatal(err)
	}
	for _, row := range api.Sent()[0].Message.ButtonMarkup {
		if d := row[0].CallbackData; len(d) > 64 {
			t.Errorf("%q: %d bytes of data, want at most 64", row[0].Text, len(d))
		}
	}
}
