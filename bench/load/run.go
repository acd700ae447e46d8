package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"
)

// point is one measurement of one target.
type point struct {
	Target     string  `json:"target"`
	Conc       int     `json:"concurrency"`
	LatencyMS  float64 `json:"api_latency_ms"`
	Trial      int     `json:"trial,omitempty"`
	N          int     `json:"requests"`
	Failed     int     `json:"failed"`
	RPS        float64 `json:"rps"`
	P50MS      float64 `json:"p50_ms"`
	P99MS      float64 `json:"p99_ms"`
	CPUPer1kMS float64 `json:"cpu_ms_per_1k"`
	PeakRSSMB  float64 `json:"peak_rss_mb"`
	ColdMS     float64 `json:"cold_start_ms"`
	ListenMS   float64 `json:"exec_to_listen_ms"`
}

// results is everything one run measured.
type results struct {
	Machine  machine              `json:"machine"`
	Short    bool                 `json:"short"`
	Took     string               `json:"took"`
	Headline []point              `json:"headline"`
	Colds    map[string][]float64 `json:"cold_start_ms"`
	Grid     []point              `json:"grid"`
	Bursts   []*burstResult       `json:"bursts"`
	InProc   []inprocBench        `json:"inprocess,omitempty"`
}

func run(ctx context.Context, cfg config) error {
	began := time.Now()
	tmp, err := os.MkdirTemp("", "kit-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	kitPath, err := build(cfg.webhook, "./adapters/http/cmd/webhook", tmp)
	if err != nil {
		return err
	}
	floorPath, err := build(cfg.floor, "./bench/floor", tmp)
	if err != nil {
		return err
	}
	targets := []target{{"kit", kitPath, cfg.kitEnv}, {"floor", floorPath, nil}}
	all := targets
	if cfg.quiet {
		all = append(all, target{"kit-warn", kitPath, append([]string{"LOG_LEVEL=warn"}, cfg.kitEnv...)})
	}
	api, err := startAPI()
	if err != nil {
		return err
	}
	defer api.close()
	res := &results{Machine: describeMachine(), Short: cfg.short, Colds: map[string][]float64{}}
	m := &meter{api: api, bodies: events(4096)}

	for _, conc := range cfg.headline {
		for i := range cfg.trials {
			for _, t := range alternate(all, i) {
				p, err := m.measure(ctx, t, conc, 0, cfg.trialDur, cfg.warmup)
				if err != nil {
					return err
				}
				p.Trial = i + 1
				res.Headline = append(res.Headline, p)
				res.Colds[t.name] = append(res.Colds[t.name], p.ColdMS)
				progress("headline c=%d trial %d %s: %.0f rps, %.1f ms CPU/1k, %.1f MB, cold %.1f ms (listening after %.1f)", conc, i+1, t.name, p.RPS, p.CPUPer1kMS, p.PeakRSSMB, p.ColdMS, p.ListenMS)
			}
		}
	}
	for i := range cfg.colds {
		for _, t := range alternate(all, i) {
			c, cold, err := start(ctx, t, api.URL, false, coldStart)
			if err != nil {
				return err
			}
			c.stop()
			res.Colds[t.name] = append(res.Colds[t.name], ms(cold))
		}
	}
	progress("cold start medians: kit %.1f ms, floor %.1f ms", median(res.Colds["kit"]), median(res.Colds["floor"]))
	for _, conc := range cfg.headline {
		cpu := func(p point) float64 { return p.CPUPer1kMS }
		k, f := headline(res.Headline, "kit", conc, cpu), headline(res.Headline, "floor", conc, cpu)
		progress("c=%d CPU per 1k: kit %.1f ms, floor %.1f ms, ratio %.3f (median of paired ratios %.3f)", conc, k, f, k/f, pairedRatio(res.Headline, "kit", conc, cpu))
	}
	if cfg.headlineOnly {
		return nil
	}
	n := 0
	for _, lat := range cfg.latencies {
		for _, conc := range cfg.concs {
			for _, t := range alternate(targets, n) {
				p, err := m.measure(ctx, t, conc, lat, cfg.duration, cfg.warmup)
				if err != nil {
					return err
				}
				res.Grid = append(res.Grid, p)
				progress("latency %s c=%d %s: %.0f rps, p99 %.1f ms, %.1f ms CPU/1k, %.1f MB", lat, conc, t.name, p.RPS, p.P99MS, p.CPUPer1kMS, p.PeakRSSMB)
			}
			n++
		}
	}
	for _, spec := range cfg.bursts {
		br, err := burst(ctx, api, targets[0], spec)
		if err != nil {
			return err
		}
		res.Bursts = append(res.Bursts, br)
		progress("burst (%s): %d×200, %d×500, %d replies, the last after %.0f ms; then %d new users: %d×200 (first after %.1f s), %d×500",
			br.Mode, br.OK, br.Status500, br.Replies, br.LastReplyMS, br.FollowSent, br.FollowOK, br.FirstFollowS, br.Follow500)
	}
	if cfg.inprocess != "" {
		if res.InProc, err = readInproc(cfg.inprocess); err != nil {
			return err
		}
	}
	res.Took = time.Since(began).Round(time.Second).String()
	return write(cfg, res)
}

// alternate returns the targets in the order for the i-th measurement,
// rotated by i, so that none always goes first.
func alternate(ts []target, i int) []target {
	n := len(ts)
	out := make([]target, n)
	for j := range ts {
		out[j] = ts[(i+j)%n]
	}
	return out
}

func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+strings.TrimSuffix(format, "\n")+"\n", args...)
}

// meter measures targets against one fake API.
type meter struct {
	api    *fakeAPI
	bodies [][]byte
}

// measure starts a fresh process of t (timing exec to first 200), loads it
// for warm without measuring, then for d, and reads its CPU time and peak
// RSS.
func (m *meter) measure(ctx context.Context, t target, conc int, lat, d, warm time.Duration) (point, error) {
	m.api.setLatency(lat)
	defer m.api.Reset() // the fake keeps every message: forget them
	c, cold, err := start(ctx, t, m.api.URL, false, coldStart)
	if err != nil {
		return point{}, err
	}
	defer c.stop()
	if warm > 0 {
		runLoad(ctx, c.url, m.bodies, conc, warm)
		m.api.Reset()
	}
	cpu0, err := c.cpu()
	if err != nil {
		return point{}, err
	}
	r := runLoad(ctx, c.url, m.bodies, conc, d)
	cpu1, err := c.cpu()
	if err != nil {
		return point{}, err
	}
	rss, err := c.peakRSS()
	if err != nil {
		return point{}, err
	}
	if r.n == 0 || r.failed > r.n/100 {
		return point{}, fmt.Errorf("%s at c=%d: %d of %d requests failed (statuses %v)\n%s", t.name, conc, r.failed, r.n, r.statuses, c.out)
	}
	p := point{
		Target: t.name, Conc: conc, LatencyMS: ms(lat), N: r.n, Failed: r.failed,
		RPS: r.rps(), CPUPer1kMS: ms(cpu1-cpu0) * 1000 / float64(r.n),
		PeakRSSMB: float64(rss) / (1 << 20), ColdMS: ms(cold), ListenMS: ms(c.listening.Sub(c.began)),
	}
	p.P50MS, p.P99MS = ms(percentile(r.latency, 50)), ms(percentile(r.latency, 99))
	return p, nil
}
