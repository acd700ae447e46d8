package conformance

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/sociogramtest"
)

// The conversation example's (examples/form) texts in RunForm's script: the
// cases' user orders 3 × Coffee beans to FormAddress.
const (
	FormAskProduct = "What would you like to order?"
	FormAskQty     = "How many would you like? (1 to 20)"
	FormBadQty     = "Please send a whole number from 1 to 20.\n\n" + FormAskQty
	FormAskAddress = "Where should we deliver it?"
	FormAddress    = "1 Main Street"
	FormConfirm    = "Please confirm your order:\n3 × Coffee beans, €27.00\nDeliver to: " + FormAddress
	FormPlaced     = "Thank you! Order #1 is placed:\n3 × Coffee beans, €27.00\nDeliver to: " + FormAddress + "\n/orders lists your orders."
	FormOrders     = "Your orders:\n#1: 3 × Coffee beans, €27.00, Deliver to: " + FormAddress
	FormCancelled  = "Order cancelled. Send /order to start again."
	FormHelp       = "I take orders for tea, coffee and cocoa.\n/order places an order, /orders lists yours, /cancel stops an order."
	FormClosed     = "That order form is closed. Send /order to start a new one."

	// FormStored is how the placed order reads in the user's record (the
	// store's data, the states by name as JSON) after RunForm.
	FormStored = `"orders":{"orders":[{"product":"coffee","qty":3,"address":"` + FormAddress + `"}]}`
)

// The labels of the form's buttons, row by row.
var (
	formProducts = [][]string{{"Green tea €4.50"}, {"Coffee beans €9.00"}, {"Cocoa €6.00"}}
	formConfirms = [][]string{{"✅ Place order", "✖ Cancel"}}
)

// signedData is the shape of a signed button's callback data
// (handler.NewSignedButton): ~NAME.base64url.
var signedData = regexp.MustCompile(`^~[a-z]+\.[A-Za-z0-9_-]+$`)

// RunForm proves the conversation example (examples/form) end to end
// through an adapter serving it with a store that has no record of the
// cases' uid yet. Every step is one webhook, answered 200 unless said, and
// the replies the fake Bot API received are checked byte for byte (a signed
// button's data, which holds a MAC and an expiry, by its shape and then
// clicked as the client would click it):
//
//   - /order asks for a product with three signed buttons; a click on
//     Coffee beans asks the quantity; "abc" is refused and asked again;
//   - "3", whose reply the Bot API refuses with 500 on every attempt, is
//     answered 500 and nothing is sent; redelivered, it is answered 200 and
//     the address question arrives once (the flow advanced once, or the
//     redelivered "3" would be refused as an address);
//   - the address asks to confirm (signed buttons); the confirming click
//     fails the same way and is redelivered: "Order #1 is placed" arrives
//     once, and /orders lists exactly that order;
//   - a second /order, a product, then /cancel: cancelled; "2" is then no
//     answer (the bot's help), a product button of the cancelled form says
//     the form is closed, and /orders still lists one order.
func RunForm(t *testing.T, api *sociogramtest.API, deliver Deliver) {
	t.Helper()
	f := &formRun{t: t, api: api, deliver: deliver}

	menu := f.step("/order", Chat("/order"), formReply{FormAskProduct, formProducts, "product"})
	f.step("click Coffee beans", Press(buttonData(t, menu, "Coffee beans")), formReply{text: FormAskQty})
	f.step(`quantity "abc"`, Chat("abc"), formReply{text: FormBadQty})
	f.fail(`quantity "3"`, Chat("3"))
	f.step(`quantity "3" redelivered`, Chat("3"), formReply{text: FormAskAddress})
	confirm := f.step("address", Chat(FormAddress), formReply{FormConfirm, formConfirms, "confirm"})
	yes := Press(buttonData(t, confirm, "✅"))
	f.fail("click Place order", yes)
	f.step("click Place order redelivered", yes, formReply{text: FormPlaced})
	f.step("/orders", Chat("/orders"), formReply{text: FormOrders})

	menu = f.step("/order again", Chat("/order"), formReply{FormAskProduct, formProducts, "product"})
	f.step("click Green tea", Press(buttonData(t, menu, "Green tea")), formReply{text: FormAskQty})
	f.step("/cancel", Chat("/cancel"), formReply{text: FormCancelled})
	f.step(`"2" after /cancel`, Chat("2"), formReply{text: FormHelp})
	f.step("click Cocoa after /cancel", Press(buttonData(t, menu, "Cocoa")), formReply{text: FormClosed})
	f.step("/orders after /cancel", Chat("/orders"), formReply{text: FormOrders})
}

// Chat is a chat-message webhook with text from the cases' uid.
func Chat(text string) Request { return post(chat(text)) }

// Press is a callback-query webhook with data from the cases' uid.
func Press(data string) Request { return post(press(data)) }

// formReply is one reply the form must send to the cases' uid.
type formReply struct {
	text    string
	buttons [][]string // the buttons' labels, row by row (nil: none)
	signer  string     // the signed buttons' name (~NAME.)
}

type formRun struct {
	t       *testing.T
	api     *sociogramtest.API
	deliver Deliver
}

// step delivers req, wants 200 and exactly the reply want, and returns it.
func (f *formRun) step(name string, req Request, want formReply) handler.Message {
	f.t.Helper()
	f.api.Reset()
	if r := f.deliver(f.t, req); r.Status != http.StatusOK {
		f.t.Fatalf("%s: status %d, want 200 (body %q)", name, r.Status, r.Body)
	}
	sent := waitSent(f.api, 1)
	if len(sent) != 1 {
		f.t.Fatalf("%s: the fake API got %d replies, want 1 (%q):\n%s", name, len(sent), want.text, bodies(sent))
	}
	got := sent[0]
	if err := want.check(got); err != "" {
		f.t.Fatalf("%s: %s\n got %s", name, err, got.Body)
	}
	return got.Message
}

// fail delivers req while every send attempt is refused with 500: the
// webhook must answer 500 and nothing may arrive.
func (f *formRun) fail(name string, req Request) {
	f.t.Helper()
	f.api.Reset()
	faults := make([]sociogramtest.Fault, SendAttempts)
	for i := range faults {
		faults[i] = sociogramtest.Fault{Status: http.StatusInternalServerError}
	}
	f.api.Inject(faults...)
	if r := f.deliver(f.t, req); r.Status != http.StatusInternalServerError {
		f.t.Fatalf("%s, its reply refused %d times: status %d, want 500 (body %q)", name, SendAttempts, r.Status, r.Body)
	}
	if sent := f.api.Sent(); len(sent) != 0 {
		f.t.Fatalf("%s: %d replies arrived through a failing API:\n%s", name, len(sent), bodies(sent))
	}
}

// check compares a reply with want: the exact bytes, with each button's
// callback data taken from the reply once its shape is checked.
func (want formReply) check(got sociogramtest.Sent) string {
	if got.UID != uid {
		return "sent to another uid"
	}
	type button struct {
		Text         string `json:"text"`
		CallbackData string `json:"callbackData"`
	}
	msg := struct {
		Text    string     `json:"text"`
		Buttons [][]button `json:"buttonMarkup,omitempty"`
	}{Text: want.text}
	if len(got.Message.ButtonMarkup) != len(want.buttons) {
		return fmt.Sprintf("%d rows of buttons, want %d", len(got.Message.ButtonMarkup), len(want.buttons))
	}
	for i, row := range want.buttons {
		if len(got.Message.ButtonMarkup[i]) != len(row) {
			return fmt.Sprintf("row %d has %d buttons, want %d", i+1, len(got.Message.ButtonMarkup[i]), len(row))
		}
		var r []button
		for j, label := range row {
			data := got.Message.ButtonMarkup[i][j].CallbackData
			if !signedData.MatchString(data) || !strings.HasPrefix(data, "~"+want.signer+".") {
				return "button " + label + ": callback data " + data + " is not signed by " + want.signer
			}
			r = append(r, button{label, data})
		}
		msg.Buttons = append(msg.Buttons, r)
	}
	b, err := json.Marshal(struct {
		UID     int64 `json:"uid"`
		Message any   `json:"message"`
	}{uid, msg})
	if err != nil {
		return err.Error()
	}
	if strings.TrimSuffix(string(got.Body), "\n") != string(b) {
		return "want " + string(b)
	}
	return ""
}

// buttonData returns the callback data of the button of m whose label
// starts with label.
func buttonData(t *testing.T, m handler.Message, label string) string {
	t.Helper()
	for _, row := range m.ButtonMarkup {
		for _, b := range row {
			if strings.HasPrefix(b.Text, label) {
				return b.CallbackData
			}
		}
	}
	t.Fatalf("no button %q in %+v", label, m.ButtonMarkup)
	return ""
}

// waitSent returns api's messages once there are n, or after a short grace
// for adapters whose answer travels through another process (replies are
// sent before the webhook answers), woken by the fake's signal.
func waitSent(api *sociogramtest.API, n int) []sociogramtest.Sent {
	grace := time.NewTimer(200 * time.Millisecond)
	defer grace.Stop()
	for {
		changed := api.Changed()
		sent := api.Sent()
		if len(sent) >= n {
			return sent
		}
		select {
		case <-changed:
		case <-grace.C:
			return api.Sent()
		}
	}
}

func bodies(sent []sociogramtest.Sent) string {
	var b strings.Builder
	for _, s := range sent {
		b.Write(s.Body)
		b.WriteByte('\n')
	}
	return b.String()
}
