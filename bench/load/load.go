package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sync"
	"time"

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
func runLoad(ctx context.Context, url string, bodies [][]byte, conc int, d time.Duration) loadResult {
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
				st, err := post(ctx, hc, url, bodies[i%len(bodies)])
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
