package emulator

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/platform"
)

// Redacted replaces the token wherever the emulator shows a request.
const Redacted = "[REDACTED]"

// maxShown bounds how much of a body the log keeps.
const maxShown = 16 << 10

// ChatMessage returns the body of a chat-message webhook (package
// platform's wire format).
func ChatMessage(uid int64, chatID, text string) []byte {
	return platform.NewChatMessage(uid, chatID, text).Encode()
}

// CallbackQuery returns the body of a callback-query webhook.
func CallbackQuery(uid int64, chatID, data string) []byte {
	return platform.NewCallbackQuery(uid, chatID, data).Encode()
}

// Delivery is the outcome of one webhook POST.
type Delivery struct {
	Status   int // 0 when no answer came
	Body     string
	Location string // a 3xx answer's target, scheme and host only (not followed)
	Outcome  string // what the bot says it did (handler.HeaderOutcome, sent in development only), e.g. "no reply: no route matched"
	Latency  time.Duration
	Err      error // transport failure; the token is redacted from it
}

// OK reports whether the bot answered 2xx.
func (d Delivery) OK() bool { return d.Err == nil && d.Status/100 == 2 }

// Failure explains a failed delivery, "" for a good one.
func (d Delivery) Failure() string {
	switch {
	case d.Err != nil:
		return d.Err.Error()
	case d.Status/100 == 3:
		return fmt.Sprintf("webhook answered %d %s to %s: redirects are not followed, so the token is not sent there; "+
			"use the final URL as the bot URL", d.Status, http.StatusText(d.Status), d.Location)
	case d.Status/100 != 2:
		return fmt.Sprintf("webhook answered %d %s", d.Status, http.StatusText(d.Status))
	}
	return ""
}

// Deliver POSTs a webhook body to url with token in X-App-Key, as the
// platform does, and reads up to 1 MiB of the answer. It follows no redirect
// whatever hc says (a 3xx is a failed delivery naming its Location), so the
// token never goes to another host. The token never appears in the returned
// Delivery.
func Deliver(ctx context.Context, hc *http.Client, url, token string, body []byte) Delivery {
	start := time.Now()
	d := deliver(ctx, noRedirects(hc), url, token, body)
	d.Latency = time.Since(start)
	d.Body, d.Outcome = redact(d.Body, token), redact(d.Outcome, token)
	if d.Err != nil && token != "" && strings.Contains(d.Err.Error(), token) {
		d.Err = errors.New(redact(d.Err.Error(), token))
	}
	return d
}

func deliver(ctx context.Context, hc *http.Client, url, token string, body []byte) Delivery {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return Delivery{Err: fmt.Errorf("bad bot URL: %w", err)}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(platform.HeaderAppKey, token)
	resp, err := hc.Do(req)
	if err != nil {
		return Delivery{Err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	d := Delivery{Status: resp.StatusCode, Body: string(b), Outcome: resp.Header.Get(handler.HeaderOutcome), Err: err}
	if d.Status/100 == 3 {
		d.Location = "a Location it did not give"
		if u, err := resp.Location(); err == nil {
			d.Location = u.Scheme + "://" + u.Host
		}
	}
	return d
}

// noRedirects returns a copy of hc that follows no redirect: Go would send
// X-App-Key on to whatever host a 3xx names, even from https to http.
func noRedirects(hc *http.Client) *http.Client {
	cp := *hc
	cp.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &cp
}

func redact(s, token string) string {
	if token == "" {
		return s
	}
	return strings.ReplaceAll(s, token, Redacted)
}

func shown(s string) string {
	s = strings.ToValidUTF8(s, "�")
	if len(s) > maxShown {
		return s[:maxShown] + "…"
	}
	return s
}
