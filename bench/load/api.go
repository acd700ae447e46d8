package main

import (
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/sociogram-kit/kit/sociogramtest"
)

// benchToken is the bot token of every run.
const benchToken = "bench-token-0123456789"

// fakeAPI is sociogramtest's fake Bot API on loopback with a fixed latency
// before every answer, as a real API over the internet has.
type fakeAPI struct {
	*sociogramtest.API
	URL     string
	latency atomic.Int64 // nanoseconds
	srv     *http.Server
}

func startAPI() (*fakeAPI, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	a := &fakeAPI{API: sociogramtest.NewAPI(benchToken, nil), URL: "http://" + ln.Addr().String()}
	a.srv = &http.Server{Handler: a, ReadHeaderTimeout: 5 * time.Second}
	go a.srv.Serve(ln)
	return a, nil
}

func (a *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if d := time.Duration(a.latency.Load()); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	a.API.ServeHTTP(w, r)
}

func (a *fakeAPI) setLatency(d time.Duration) { a.latency.Store(int64(d)) }

func (a *fakeAPI) close() { a.srv.Close() }
