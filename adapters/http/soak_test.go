//go:build soak

package httpadapter_test

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	httpadapter "github.com/sociogram-kit/kit/adapters/http"
	"github.com/sociogram-kit/kit/config"
	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/internal/conformance"
	"github.com/sociogram-kit/kit/internal/fixture"
	"github.com/sociogram-kit/kit/sociogramtest"
)

var (
	soakDuration = flag.Duration("soak.duration", 60*time.Second, "how long the load runs")
	soakWorkers  = flag.Int("soak.workers", 16, "webhooks in flight")
)

// TestSoak drives the plain-HTTP server with steady load while 5% of Bot API
// calls fail (429, 5xx, slow, connection lost after acceptance). It passes
// when every reply arrived exactly once, the goroutine count returns to where
// it started and the heap stays flat. Run with `make soak`.
func TestSoak(t *testing.T) {
	api := sociogramtest.NewServer(t, conformance.Token)
	api.InjectRandom(0.05,
		sociogramtest.Fault{Status: 429, RetryAfter: "0"},
		sociogramtest.Fault{Status: 503},
		sociogramtest.Fault{Latency: 50 * time.Millisecond},
		sociogramtest.Fault{Drop: sociogramtest.DropAfter},
	)
	// Count replies per webhook compactly, so the harness's own memory
	// stays flat: counts[worker][i] is how often "hello worker-i" was answered.
	var countMu sync.Mutex
	counts := make([][]uint8, *soakWorkers)
	api.Observe(func(s sociogramtest.Sent) {
		var w, i int
		if _, err := fmt.Sscanf(s.Message.Text, `Hello there! You said: "hello %d-%d"`, &w, &i); err != nil || w >= len(counts) {
			t.Errorf("unexpected reply %q", s.Message.Text)
			return
		}
		countMu.Lock()
		defer countMu.Unlock()
		for len(counts[w]) <= i {
			counts[w] = append(counts[w], 0)
		}
		counts[w][i]++
	})
	cfg, err := config.FromEnv(func(k string) string {
		return map[string]string{config.EnvToken: conformance.Token, config.EnvAPIURL: api.URL, config.EnvRateLimit: "off"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	b, err := cfg.NewMux(handler.NewKeyring(cfg.Tokens...), slog.New(slog.DiscardHandler), fixture.Register)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- httpadapter.Serve(ctx, httpadapter.NewServer(b, slog.New(slog.DiscardHandler)), ln) }()
	url := "http://" + ln.Addr().String() + httpadapter.WebhookPath

	startGoroutines := runtime.NumGoroutine() // the server is up, nothing connected
	var heap []uint64
	sample := time.NewTicker(time.Second)
	defer sample.Stop()

	var sent, non200 atomic.Int64
	sentBy := make([]atomic.Int64, *soakWorkers)
	end := time.Now().Add(*soakDuration)
	var wg sync.WaitGroup
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *soakWorkers}}
	for w := range *soakWorkers {
		wg.Go(func() {
			for i := 0; time.Now().Before(end); i++ {
				text := fmt.Sprintf("hello %d-%d", w, i)
				req, _ := http.NewRequest("POST", url, strings.NewReader(string(sociogramtest.ChatMessage(12345, text))))
				req.Header.Set("X-App-Key", conformance.Token)
				resp, err := client.Do(req)
				if err != nil {
					t.Errorf("webhook: %v", err)
					return
				}
				resp.Body.Close()
				sent.Add(1)
				sentBy[w].Add(1)
				if resp.StatusCode != 200 {
					non200.Add(1)
				}
			}
		})
	}
	go func() {
		for range sample.C {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			heap = append(heap, ms.HeapInuse)
			if time.Now().After(end) {
				return
			}
		}
	}()
	wg.Wait()
	client.CloseIdleConnections()

	// Every webhook's reply arrived exactly once. Webhook i of worker w was
	// sent only if the worker got that far, which sentBy records.
	lost, dup, replies := 0, 0, 0
	countMu.Lock()
	for w := range *soakWorkers {
		for i := range int(sentBy[w].Load()) {
			n := uint8(0)
			if i < len(counts[w]) {
				n = counts[w][i]
			}
			replies += int(n)
			switch {
			case n == 0:
				lost++
			case n > 1:
				dup++
			}
		}
	}
	countMu.Unlock()
	t.Logf("webhooks %d (%.0f/s), non-200 %d, replies %d, lost %d, duplicated %d",
		sent.Load(), float64(sent.Load())/soakDuration.Seconds(), non200.Load(), replies, lost, dup)
	if lost != 0 || dup != 0 || non200.Load() != 0 {
		t.Errorf("lost %d, duplicated %d, non-200 %d", lost, dup, non200.Load())
	}

	// Shut everything down; idle keep-alive connections (and their
	// goroutines) close with their servers.
	stop()
	if err := <-served; err != nil {
		t.Errorf("shutdown: %v", err)
	}
	api.Close()
	var now int
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		runtime.GC()
		if now = runtime.NumGoroutine(); now <= startGoroutines {
			break
		}
	}
	t.Logf("goroutines: %d at start, %d after", startGoroutines, now)
	if now > startGoroutines {
		buf := make([]byte, 1<<20)
		t.Errorf("goroutines did not return to %d (now %d):\n%s", startGoroutines, now, buf[:runtime.Stack(buf, true)])
	}

	// Flat memory: the last third of the samples is not above 1.5x the first
	// third (after warm-up).
	if len(heap) >= 6 {
		third := len(heap) / 3
		first, last := avg(heap[1:third+1]), avg(heap[len(heap)-third:])
		t.Logf("heap in use: %.1f MiB early, %.1f MiB late", first/(1<<20), last/(1<<20))
		if last > first*1.5 {
			t.Errorf("heap grew from %.1f to %.1f MiB", first/(1<<20), last/(1<<20))
		}
	}
}

func avg(xs []uint64) float64 {
	var s float64
	for _, x := range xs {
		s += float64(x)
	}
	return s / float64(len(xs))
}
