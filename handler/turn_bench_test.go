package handler_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/sociogramtest"
	"github.com/sociogram-kit/kit/store/memstore"
)

// countedStore counts store calls for the benchmark's per-op metrics.
type countedStore struct {
	handler.Store
	gets, puts atomic.Int64
}

func (c *countedStore) Get(ctx context.Context, key string) (handler.Record, error) {
	c.gets.Add(1)
	return c.Store.Get(ctx, key)
}

func (c *countedStore) Put(ctx context.Context, key string, rec handler.Record) error {
	c.puts.Add(1)
	return c.Store.Put(ctx, key, rec)
}

// BenchmarkTurn is one chat-message through the whole Mux, replying to a
// no-op sender: stateless (no store), then on memstore a turn that uses no
// state (no store call), one that only reads its state (1 Get) and one that
// changes it and replies (1 Get, 2 Put: commit, then clear the sent reply).
func BenchmarkTurn(b *testing.B) {
	noop := handler.SenderFunc(func(context.Context, int64, handler.Message) error { return nil })
	cases := []struct {
		name  string
		store bool
		text  string
	}{
		{"stateless", false, "add"},
		{"memstore/nostate", true, "ping"},
		{"memstore/read", true, "get"},
		{"memstore/write", true, "add"},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			opts := []handler.Option{handler.WithSender(noop), handler.WithLogger(slog.New(slog.DiscardHandler))}
			cs := &countedStore{Store: memstore.New()}
			if tc.store {
				opts = append(opts, handler.WithStore(cs))
			}
			bot, err := handler.New(token, opts...)
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			bot.OnText("add", func(ctx context.Context, ev *handler.Event) error {
				if tc.store {
					t := tallies.Get(ev)
					t.N++
					n = t.N
				} else {
					n++
				}
				return ev.Reply(ctx, strconv.Itoa(n))
			})
			bot.OnText("ping", func(ctx context.Context, ev *handler.Event) error {
				return ev.Reply(ctx, "pong")
			})
			bot.OnText("get", func(ctx context.Context, ev *handler.Event) error {
				return ev.Reply(ctx, strconv.Itoa(tallies.Get(ev).N))
			})
			body := sociogramtest.ChatMessage(12345, tc.text)
			rd := bytes.NewReader(body)
			req := sociogramtest.NewRequest(token, nil)
			req.Body = io.NopCloser(rd)
			req.ContentLength = int64(len(body))
			w := &discardWriter{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				rd.Reset(body)
				bot.ServeHTTP(w, req)
			}
			b.ReportMetric(float64(cs.gets.Load())/float64(b.N), "gets/op")
			b.ReportMetric(float64(cs.puts.Load())/float64(b.N), "puts/op")
		})
	}
}
