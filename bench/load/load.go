package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"

	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/sociogramtest"
)

// events is the load's mix of the example bot's events, each answered with
// one reply: "hello" texts, /start, and presses of every button, from
// distinct users.
func events(n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		uid := int64(100_000 + i)
		switch i % 6 {
		case 0, 3:
			out[i] = helloBody(uid)
		case 1:
			out[i] = sociogramtest.ChatMessage(uid, "/start")
		case 2:
			out[i] = sociogramtest.CallbackQuery(uid, "menu_products")
		case 4:
			out[i] = sociogramtest.CallbackQuery(uid, "menu_support")
		case 5:
			out[i] = sociogramtest.CallbackQuery(uid, "more_info")
		}
	}
	return out
}

func helloBody(uid int64) []byte { return sociogramtest.ChatMessage(uid, "Hello bot!") }

// loadResult is what the client saw during one run of load.
type loadResult struct {
	n        int             // requests answered (any status)
	failed   int             // answered non-200 or not at all
	latency  []time.Duration // of every answered request
	elapsed  time.Duration
	statuses map[int]int
}

func (r loadResult) rps() float64 { return float64(r.n) / r.elapsed.Seconds() }

// runLoad keeps conc requests in flight against url for d, each worker
// sending the next event as soon as the last is answered, over keep-alive
// connections.
func runLoad(ctx context.Context, c *child, bodies [][]byte, conc int, d time.Duration) loadResult {
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conc, DisableCompression: true}, Timeout: 30 * time.Second}
	defer hc.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(ctx, d+30*time.Second)
	defer cancel()
	type part struct {
		lat      []time.Duration
		failed   int
		statuses map[int]int
	}
	parts := make([]part, conc)
	began := time.Now()
	stop := began.Add(d)
	var wg sync.WaitGroup
	for w := range conc {
		wg.Go(func() {
			p := &parts[w]
			p.statuses = map[int]int{}
			for i := w; time.Now().Before(stop) && ctx.Err() == nil; i += conc {
				t0 := time.Now()
				st, err := c.deliver(ctx, hc, bodies[i%len(bodies)])
				if err != nil {
					p.failed++
					p.statuses[0]++
					continue
				}
				p.lat = append(p.lat, time.Since(t0))
				p.statuses[st]++
				if st != http.StatusOK {
					p.failed++
				}
			}
		})
	}
	wg.Wait()
	r := loadResult{elapsed: time.Since(began), statuses: map[int]int{}}
	for _, p := range parts {
		r.latency = append(r.latency, p.lat...)
		r.failed += p.failed
		for k, v := range p.statuses {
			r.statuses[k] += v
		}
	}
	r.n = len(r.latency)
	return r
}

// deliver sends one webhook to c: body as the platform posts it, or, for a
// bootstrap under rie, the Lambda event that carries it (see lambdaEvents).
func (c *child) deliver(ctx context.Context, hc *http.Client, body []byte) (int, error) {
	if c.lambda {
		return invoke(ctx, hc, c.url, body)
	}
	return post(ctx, hc, c.url, body)
}

// lambdaEvents wraps each webhook body in the HTTP API (payload 2.0) event
// that API Gateway would pass to the function.
func lambdaEvents(bodies [][]byte) [][]byte {
	out := make([][]byte, len(bodies))
	for i, b := range bodies {
		out[i] = lambdaEvent(b)
	}
	return out
}

func lambdaEvent(body []byte) []byte {
	ev := lambdaevents.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: "POST /webhook", RawPath: "/webhook",
		Headers: map[string]string{"content-type": "application/json", "x-app-key": benchToken},
		Body:    string(body),
	}
	ev.RequestContext.DomainName = "abc123.execute-api.eu-west-1.amazonaws.com"
	ev.RequestContext.HTTP.Method = http.MethodPost
	ev.RequestContext.HTTP.Path = "/webhook"
	ev.RequestContext.HTTP.SourceIP = "203.0.113.7"
	b, err := json.Marshal(ev)
	if err != nil {
		panic(err) // a struct of strings always encodes
	}
	return b
}

// invoke sends one Lambda event to aws-lambda-rie and returns the status the
// function answered (its statusCode), or an error when rie or the function
// failed.
func invoke(ctx context.Context, hc *http.Client, url string, event []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(event))
	if err != nil {
		return 0, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	var answer struct {
		StatusCode int `json:"statusCode"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(b, &answer) != nil || answer.StatusCode == 0 {
		return 0, fmt.Errorf("invocation answered %d: %.200s", resp.StatusCode, b)
	}
	return answer.StatusCode, nil
}

// post delivers one webhook as the platform does and returns the status.
func post(ctx context.Context, hc *http.Client, url string, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(handler.HeaderAppKey, benchToken)
	resp, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}
