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
	Kind       string  `json:"kind"`
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
	Machine machine        `json:"machine"`
	Short   bool           `json:"short"`
	Took    string         `json:"took"`
	Paths   []*pathResult  `json:"paths"`
	Grid    []point        `json:"grid"`
	Bursts  []*burstResult `json:"bursts"`
	InProc  []inprocBench  `json:"inprocess,omitempty"`
}

// pathSpec is one way the kit is deployed, with its floor.
type pathSpec struct {
	key, name          string
	kit, floor         target // as deployed (load, memory, cold start, size)
	kitExit, floorExit target // as counted under callgrind (bench/kitexit, the floors)
	concs              []int  // in flight in the headline trials
	warn               bool   // add the kit at LOG_LEVEL=warn
}

// pathResult is what one path measured.
type pathResult struct {
	Key       string               `json:"key"`
	Name      string               `json:"name"`
	KitBin    string               `json:"kit_binary"`
	FloorBin  string               `json:"floor_binary"`
	KitSize   int64                `json:"kit_bytes"`
	FloorSize int64                `json:"floor_bytes"`
	Concs     []int                `json:"concurrencies"`
	Trials    []point              `json:"trials"`
	Colds     map[string][]float64 `json:"cold_start_ms"`
	Instr     *instrResult         `json:"instructions,omitempty"`
}

func run(ctx context.Context, cfg config) error {
	began := time.Now()
	api, err := startAPI()
	if err != nil {
		return err
	}
	defer api.close()
	res := &results{Machine: describeMachine(), Short: cfg.short}
	stopLoad := make(chan struct{})
	during := sampleLoad(stopLoad)
	m := &meter{api: api, bodies: events(4096)}
	m.lambdaBodies = lambdaEvents(m.bodies)

	for _, ps := range cfg.paths {
		pr := &pathResult{Key: ps.key, Name: ps.name, KitBin: ps.kit.path, FloorBin: ps.floor.path,
			Concs: ps.concs, Colds: map[string][]float64{}}
		pr.KitSize, pr.FloorSize = fileSize(ps.kit.path), fileSize(ps.floor.path)
		res.Paths = append(res.Paths, pr)
		all := []target{ps.kit, ps.floor}
		if ps.warn {
			w := ps.kit
			w.name, w.env = "kit-warn", append([]string{"LOG_LEVEL=warn"}, ps.kit.env...)
			all = append(all, w)
		}
		for _, conc := range ps.concs {
			for i := range cfg.trials {
				for _, t := range alternate(all, i) {
					p, err := m.measure(ctx, t, conc, 0, cfg.trialDur, cfg.warmup)
					if err != nil {
						return fmt.Errorf("%s: %w", ps.name, err)
					}
					p.Trial = i + 1
					pr.Trials = append(pr.Trials, p)
					pr.Colds[t.name] = append(pr.Colds[t.name], p.ColdMS)
					progress("%s c=%d trial %d %s: %.0f rps, %.1f ms CPU/1k, %.1f MB, cold %.1f ms", ps.key, conc, i+1, t.name, p.RPS, p.CPUPer1kMS, p.PeakRSSMB, p.ColdMS)
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
				pr.Colds[t.name] = append(pr.Colds[t.name], ms(cold))
			}
		}
		m.api.Reset()
		cpu := func(p point) float64 { return p.CPUPer1kMS }
		for _, conc := range ps.concs {
			r := pairedRatios(pr.Trials, "kit", conc, cpu)
			lo, hi := bootstrapMedianCI(r, 0.95)
			progress("%s c=%d CPU per 1k: kit/floor paired median %.3f [%.3f, %.3f]; cold start medians kit %.1f ms, floor %.1f ms",
				ps.key, conc, median(r), lo, hi, median(pr.Colds["kit"]), median(pr.Colds["floor"]))
		}
		if cfg.instr.n2 > 0 {
			bodies := m.bodies
			if ps.kit.kind == kindLambda {
				bodies = m.lambdaBodies
			}
			pr.Instr = countInstructions(ctx, cfg.instr, api, ps.kitExit, ps.floorExit, bodies)
			if pr.Instr.Skipped != "" {
				progress("%s: instructions not counted: %s", ps.key, pr.Instr.Skipped)
			} else {
				k, f := pr.Instr.perRequest("kit"), pr.Instr.perRequest("floor")
				progress("%s instructions per request: kit %.0f, floor %.0f", ps.key, k, f)
			}
		}
	}
	if !cfg.headlineOnly && cfg.gridPath != nil {
		targets := []target{cfg.gridPath.kit, cfg.gridPath.floor}
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
	}
	if cfg.inprocess != "" {
		var err error
		if res.InProc, err = readInproc(cfg.inprocess); err != nil {
			return err
		}
	}
	res.Took = time.Since(began).Round(time.Second).String()
	close(stopLoad)
	res.Machine.LoadDuring, res.Machine.LoadAvgEnd = <-during, loadAvg()
	return write(cfg, res)
}

func fileSize(path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return st.Size()
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
	api          *fakeAPI
	bodies       [][]byte // webhooks
	lambdaBodies [][]byte // the same, as Lambda events
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
	bodies := m.bodies
	if c.lambda {
		bodies = m.lambdaBodies
	}
	if warm > 0 {
		runLoad(ctx, c, bodies, conc, warm)
		m.api.Reset()
	}
	cpu0, err := c.cpu()
	if err != nil {
		return point{}, err
	}
	r := runLoad(ctx, c, bodies, conc, d)
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
		Target: t.name, Kind: t.kind, Conc: conc, LatencyMS: ms(lat), N: r.n, Failed: r.failed,
		RPS: r.rps(), CPUPer1kMS: ms(cpu1-cpu0) * 1000 / float64(r.n),
		PeakRSSMB: float64(rss) / (1 << 20), ColdMS: ms(cold), ListenMS: ms(c.listening.Sub(c.began)),
	}
	p.P50MS, p.P99MS = ms(percentile(r.latency, 50)), ms(percentile(r.latency, 99))
	return p, nil
}
