// Package form is an example bot that remembers each user: an order form.
// /order asks for a product (buttons), a quantity (a number from 1 to 20)
// and a delivery address, then asks to confirm (buttons) and keeps the
// order; /orders lists them, /cancel stops a form. form_test.go tests it
// through the kit's sociogramtest; change both together.
//
// Per-user state (handler.NewState, package conversation) is kept by the
// kit: in a local file with make run, in DynamoDB on AWS, in Firestore on
// Google Cloud. Each step is committed with its replies, so the form stays
// right when webhooks are retried or run on several instances at once.
// The buttons are signed (handler.NewSignedButton): a click is accepted
// only if the bot made the button, for this user, less than an hour ago.
package form

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sociogram-kit/kit/conversation"
	"github.com/sociogram-kit/kit/handler"
)

// Register adds the bot's handlers to b.
func Register(b *handler.Mux) {
	orderForm.Register(b) // while a form is open, the user's messages answer it
	b.OnCommand("start", help)
	b.OnCommand("help", help)
	b.OnCommand("order", orderForm.Start)
	b.OnCommand("orders", listOrders)
	b.OnCommand("cancel", nothingToCancel) // in a form, /cancel closes it instead
	handler.OnSignedButton(b, productButton, formClosed[string])
	handler.OnSignedButton(b, confirmButton, formClosed[bool])
	b.OnFallback(handler.EventChatMessage, help)
}

// Order is what the form collects.
type Order struct {
	Product string `json:"product"` // a code from products
	Qty     int    `json:"qty"`
	Address string `json:"address"`
}

// History is a user's placed orders.
type History struct {
	Orders []Order `json:"orders"`
}

var history = handler.NewState[History]("orders")

type product struct {
	Code, Name string
	Cents      int
}

var products = []product{
	{"tea", "Green tea", 450},
	{"coffee", "Coffee beans", 900},
	{"cocoa", "Cocoa", 600},
}

func findProduct(code string) (product, bool) {
	for _, p := range products {
		if p.Code == code {
			return p, true
		}
	}
	return product{}, false
}

// The form's buttons carry a product code or a yes/no, signed for the user
// they are sent to and valid for an hour.
var (
	productButton = handler.NewSignedButton[string]("product", handler.ButtonTTL(time.Hour), handler.ButtonForUser())
	confirmButton = handler.NewSignedButton[bool]("confirm", handler.ButtonTTL(time.Hour), handler.ButtonForUser())
)

var orderForm = conversation.New("order", conversation.Flow[Order]{
	Steps: []conversation.Step[Order]{
		{Ask: askProduct, Answer: answerProduct},
		conversation.Text("How many would you like? (1 to 20)", answerQty),
		conversation.Text("Where should we deliver it?", answerAddress),
		{Ask: askConfirm, Answer: answerConfirm},
	},
	Done:      placeOrder,
	Timeout:   15 * time.Minute,
	Cancelled: "Order cancelled. Send /order to start again.",
	TimedOut:  "Your order waited 15 minutes for an answer, so I cancelled it. Send /order to start again.",
})

func askProduct(ev *handler.Event, _ *Order) handler.Message {
	var rows [][]handler.Button
	for _, p := range products {
		rows = append(rows, handler.Row(productButton.Button(ev, p.Name+" "+euros(p.Cents), p.Code)))
	}
	return handler.Message{Text: "What would you like to order?", ButtonMarkup: rows}
}

func answerProduct(ev *handler.Event, o *Order) error {
	code, err := productButton.Decode(ev)
	if err != nil {
		return conversation.Retry("Please pick a product with the buttons.")
	}
	if _, ok := findProduct(code); !ok {
		return conversation.Retry("Sorry, that product is no longer available.")
	}
	o.Product = code
	return nil
}

func answerQty(text string, o *Order) error {
	n, err := strconv.Atoi(strings.TrimSpace(text))
	if err != nil || n < 1 || n > 20 {
		return conversation.Retry("Please send a whole number from 1 to 20.")
	}
	o.Qty = n
	return nil
}

func answerAddress(text string, o *Order) error {
	text = strings.TrimSpace(text)
	if n := utf8.RuneCountInString(text); n < 5 || n > 200 {
		return conversation.Retry("Please send the delivery address (5 to 200 characters).")
	}
	o.Address = text
	return nil
}

func askConfirm(ev *handler.Event, o *Order) handler.Message {
	return handler.Message{
		Text: "Please confirm your order:\n" + summary(*o),
		ButtonMarkup: [][]handler.Button{handler.Row(
			confirmButton.Button(ev, "✅ Place order", true),
			confirmButton.Button(ev, "✖ Cancel", false),
		)},
	}
}

func answerConfirm(ev *handler.Event, _ *Order) error {
	yes, err := confirmButton.Decode(ev)
	switch {
	case err != nil:
		return conversation.Retry("Please use the buttons to place or cancel the order.")
	case !yes:
		return conversation.ErrCancel
	}
	return nil
}

// placeOrder runs in the turn of the confirming click: the order is saved
// with the form's end and this reply, or not at all.
func placeOrder(ctx context.Context, ev *handler.Event, o Order) error {
	h := history.Get(ev)
	h.Orders = append(h.Orders, o)
	return ev.Reply(ctx, fmt.Sprintf("Thank you! Order #%d is placed:\n%s\n/orders lists your orders.", len(h.Orders), summary(o)))
}

func listOrders(ctx context.Context, ev *handler.Event) error {
	h := history.Get(ev)
	if len(h.Orders) == 0 {
		return ev.Reply(ctx, "You have no orders yet. Send /order to place one.")
	}
	var b strings.Builder
	b.WriteString("Your orders:")
	for i, o := range h.Orders {
		fmt.Fprintf(&b, "\n#%d: %s", i+1, strings.ReplaceAll(summary(o), "\n", ", "))
	}
	return ev.Reply(ctx, b.String())
}

func summary(o Order) string {
	p, _ := findProduct(o.Product)
	return fmt.Sprintf("%d × %s, %s\nDeliver to: %s", o.Qty, p.Name, euros(o.Qty*p.Cents), o.Address)
}

func euros(cents int) string { return fmt.Sprintf("€%d.%02d", cents/100, cents%100) }

func help(ctx context.Context, ev *handler.Event) error {
	return ev.Reply(ctx, "I take orders for tea, coffee and cocoa.\n/order places an order, /orders lists yours, /cancel stops an order.")
}

func nothingToCancel(ctx context.Context, ev *handler.Event) error {
	return ev.Reply(ctx, "There is nothing to cancel. Send /order to place an order.")
}

// formClosed answers a valid click on a form's button after its form has
// ended (placed, cancelled or timed out).
func formClosed[P any](ctx context.Context, ev *handler.Event, _ P) error {
	return ev.Reply(ctx, "That order form is closed. Send /order to start a new one.")
}
