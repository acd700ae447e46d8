package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"testing"

	httpadapter "github.com/sociogram-kit/kit/adapters/http"
	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/internal/app"
)

// BenchmarkKitLoopback is bin/webhook's whole path in one process, for
// profiling: the plain-HTTP server, the core, the example bot and the Bot API
// client replying to the fake API over loopback, with the JSON log line
// written to io.Discard. The load benchmark measures the real binary; this
// one exists to be run under -cpuprofile / -memprofile:
//
//	go test -run '^$' -bench KitLoopback -cpuprofile cpu.out ./bench/load/
func BenchmarkKitLoopback(b *testing.B) {
	api, err := startAPI()
	if err != nil {
		b.Fatal(err)
	}
	defer api.close()
	cfg, err := app.FromEnv(env{
		app.EnvToken: benchToken, app.EnvAPIURL: api.URL, app.EnvRateLimit: "off",
	}.get)
	if err != nil {
		b.Fatal(err)
	}
	bot, err := cfg.NewBot(handler.NewKeyring(cfg.Tokens...), cfg.NewLogger(io.Discard))
	if err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := httpadapter.NewServer(bot, cfg.NewLogger(io.Discard))
	go srv.Serve(ln)
	defer srv.Close()
	url := "http://" + ln.Addr().String() + httpadapter.WebhookPath
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	bodies := events(4096)
	b.ReportAllocs()
	b.SetParallelism(4)
	i := 0
	b.RunParallel(func(pb *testing.PB) {
		for n := 0; pb.Next(); n++ {
			st, err := post(context.Background(), hc, url, bodies[(i+n)%len(bodies)])
			if err != nil || st != http.StatusOK {
				b.Errorf("status %d, %v", st, err)
				return
			}
			if n%1000 == 0 {
				api.Reset()
			}
		}
	})
}

type env map[string]string

func (e env) get(k string) string { return e[k] }
