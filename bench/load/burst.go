package main

import (
	"context"
	"net/http"
	"sync"
	"time"
)

// burstResult is what happened when many users wrote at once to the kit with
// its rate spacing on.
type burstResult struct {
	Mode         string  `json:"mode"` // how replies go: straight to the Bot API, or through the local queue
	Users        int     `json:"users"`
	LatencyMS    float64 `json:"api_latency_ms"`
	OK           int     `json:"status_200"`
	Status500    int     `json:"status_500"`
	Other        int     `json:"other"` // other statuses or no answer
	Replies      int     `json:"replies_delivered"`
	LastReplyMS  float64 `json:"last_reply_ms"`  // from the burst to the last reply the API accepted
	LastAnswerMS float64 `json:"last_answer_ms"` // to the last webhook answer
	Slowest500MS float64 `json:"slowest_500_ms"` // the longest a 500 took

	// Then a steady stream of new users, two a second, for Follow.
	Follow       string  `json:"follow_duration,omitempty"`
	FollowSent   int     `json:"follow_sent,omitempty"`
	FollowOK     int     `json:"follow_200,omitempty"`
	Follow500    int     `json:"follow_500,omitempty"`
	FirstFollowS float64 `json:"follow_first_200_s,omitempty"` // seconds after the burst
}

// burstSpec is one burst to measure.
type burstSpec struct {
	mode    string
	env     []string      // added to the kit's environment
	users   int           // writing at the same instant
	latency time.Duration // of the Bot API
	follow  time.Duration // then a new user every 500 ms for this long
	waitAll time.Duration // wait up to this long for every reply to be delivered
}

// burst starts a fresh kit with rate spacing on and sends one "hello" from
// each of users distinct users at the same instant.
func burst(ctx context.Context, api *fakeAPI, kit target, spec burstSpec) (*burstResult, error) {
	users, lat, follow := spec.users, spec.latency, spec.follow
	kit.env = append(append([]string(nil), kit.env...), spec.env...)
	api.setLatency(lat)
	api.Reset()
	defer api.Reset()
	c, _, err := start(ctx, kit, api.URL, true, healthy)
	if err != nil {
		return nil, err
	}
	defer c.stop()
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: users}, Timeout: 30 * time.Second}
	defer hc.CloseIdleConnections()
	res := &burstResult{Mode: spec.mode, Users: users, LatencyMS: ms(lat)}
	var mu sync.Mutex
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for i := range users {
		wg.Go(func() {
			<-gate
			t0 := time.Now()
			st, err := post(ctx, hc, c.url, helloBody(int64(500_000+i)))
			d := ms(time.Since(t0))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil && st == http.StatusOK:
				res.OK++
			case err == nil && st == http.StatusInternalServerError:
				res.Status500++
				res.Slowest500MS = max(res.Slowest500MS, d)
			default:
				res.Other++
			}
		})
	}
	began := time.Now()
	close(gate)
	wg.Wait()
	res.LastAnswerMS = ms(time.Since(began))
	for wait := time.Now().Add(spec.waitAll); len(api.Sent()) < users && time.Now().Before(wait) && ctx.Err() == nil; {
		time.Sleep(100 * time.Millisecond)
	}
	sent := api.Sent()
	res.Replies = len(sent)
	for _, s := range sent {
		res.LastReplyMS = max(res.LastReplyMS, ms(s.At.Sub(began)))
	}
	if follow > 0 {
		followUp(ctx, hc, c.url, res, began, follow)
	}
	return res, nil
}

// followUp sends a "hello" from a new user every 500 ms for d after the
// burst and records how many are answered 200, and when the first is.
func followUp(ctx context.Context, hc *http.Client, url string, res *burstResult, began time.Time, d time.Duration) {
	res.Follow = d.String()
	var mu sync.Mutex
	var wg sync.WaitGroup
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for i := 0; time.Since(began) < d && ctx.Err() == nil; i++ {
		<-tick.C
		res.FollowSent++
		wg.Go(func() {
			st, err := post(ctx, hc, url, helloBody(int64(700_000+i)))
			at := time.Since(began).Seconds()
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil && st == http.StatusOK:
				res.FollowOK++
				if res.FirstFollowS == 0 || at < res.FirstFollowS {
					res.FirstFollowS = at
				}
			case err == nil && st == http.StatusInternalServerError:
				res.Follow500++
			}
		})
	}
	wg.Wait()
}
