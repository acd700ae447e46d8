package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"

	httpadapter "github.com/sociogram-kit/kit/adapters/http"
	"github.com/sociogram-kit/kit/bench/internal/floorbot"
	"github.com/sociogram-kit/kit/config"
	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/internal/fixture"
	"github.com/sociogram-kit/kit/sociogramtest"
)

// BenchmarkLoopback is the whole path of bin/webhook (kit) and of this floor
// in one process and one harness, for profiles that compare per request: a
// keep-alive client, the server, the bot, and its reply to the fake Bot API
// over loopback. The kit's log line and the floor's go to io.Discard (the
// kit's is off in kit-warn); kit-warn-no-timeouts serves the kit without the plain-HTTP
// adapter's server timeouts. The load benchmark (bench/load) measures the real binaries;
// this one exists to be run under a profiler:
//
//	go test -run '^$' -bench 'Loopback/kit$' -cpuprofile kit.out ./bench/floor/
func BenchmarkLoopback(b *testing.B) {
	const tok = "loopback-bench-token"
	api := sociogramtest.NewServer(b, tok)
	kit := func(level slog.Level) *http.Server {
		cfg, err := config.FromEnv(func(k string) string {
			return map[string]string{config.EnvToken: tok, config.EnvAPIURL: api.URL, config.EnvRateLimit: "off"}[k]
		})
		if err != nil {
			b.Fatal(err)
		}
		cfg.LogLevel = level
		bot, err := cfg.NewMux(handler.NewKeyring(cfg.Tokens...), cfg.NewLogger(io.Discard), fixture.Register)
		if err != nil {
			b.Fatal(err)
		}
		return httpadapter.NewServer(bot, cfg.NewLogger(io.Discard))
	}
	mux := http.NewServeMux()
	mux.Handle("POST /webhook", floorbot.New(tok, api.URL, slog.New(slog.NewJSONHandler(io.Discard, nil))))
	for _, tc := range []struct {
		name string
		srv  func() *http.Server // a fresh one for every run of the benchmark
	}{
		{"floor", func() *http.Server { return &http.Server{Handler: mux} }},
		{"kit", func() *http.Server { return kit(slog.LevelInfo) }},
		{"kit-warn", func() *http.Server { return kit(slog.LevelWarn) }},
		{"kit-warn-no-timeouts", func() *http.Server { return &http.Server{Handler: kit(slog.LevelWarn).Handler} }},
	} {
		b.Run(tc.name, func(b *testing.B) { loopback(b, tok, tc.srv(), api) })
	}
}

func loopback(b *testing.B, tok string, srv *http.Server, api *sociogramtest.Server) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()
	url := "http://" + ln.Addr().String() + "/webhook"
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	defer hc.CloseIdleConnections()
	bodies := [][]byte{
		sociogramtest.ChatMessage(1, "Hello bot!"), sociogramtest.ChatMessage(2, "/start"),
		sociogramtest.CallbackQuery(3, "menu_products"), sociogramtest.CallbackQuery(4, "menu_support"),
		sociogramtest.CallbackQuery(5, "more_info"), sociogramtest.ChatMessage(6, "hello"),
	}
	b.ReportAllocs()
	b.SetParallelism(8) // 16 in flight on 2 CPUs, as the load benchmark's headline
	b.RunParallel(func(pb *testing.PB) {
		for n := 0; pb.Next(); n++ {
			req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, url, bytes.NewReader(bodies[n%len(bodies)]))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set(handler.HeaderAppKey, tok)
			resp, err := hc.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
			if n%512 == 0 {
				api.Reset() // the fake keeps every message
			}
		}
	})
}
