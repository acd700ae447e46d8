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
	Users        int     `json:"users"`
	LatencyMS    float64 `json:"api_latency_ms"`
	OK           int     `json:"status_200"`
	Status500    int     `json:"status_500"`
	Other        int     `json:"other"` // other statuses or no answer
	Replies      int     `json:"replies_delivered"`
	LastReplyMS  float64 `json:"last_reply_ms"`  // from the burst to the last reply the API accepted
	LastAnswerMS float64 `json:"last_answer_ms"` // to the last webhook answer
	Slowest500MS float64 `json:"slowest_500_ms"` // the longest a 500 took
}

// burst starts a fresh kit with rate spacing on and sends one "hello" from
// each of users distinct users at the same instant.
func burst(ctx context.Context, api *fakeAPI, kit target, users int, lat time.Duration) (*burstResult, error) {
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
	res := &burstResult{Users: users, LatencyMS: ms(lat)}
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
	sent := api.Sent()
	res.Replies = len(sent)
	for _, s := range sent {
		res.LastReplyMS = max(res.LastReplyMS, ms(s.At.Sub(began)))
	}
	return res, nil
}
