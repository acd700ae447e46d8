// Command load is the end-to-end benchmark of `make bench`: it runs bin/webhook
// (the kit) and bench/floor (a hand-written net/http bot) one after the other
// against an in-process fake Bot API on loopback, alternating between the two
// at every measurement so that machine noise falls on both, and reports
// requests per second, latency percentiles, CPU time per 1,000 requests, peak
// RSS and cold start as kit/floor ratios. It also fires a burst of 100 users
// at the kit with its rate spacing on. Results go to a Markdown fragment,
// results.json and PNG plots in -out, and into BENCHMARKS.md between markers
// when -md is given.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// config is what one run measures.
type config struct {
	webhook, floor string
	out, md        string
	inprocess      string // raw `go test -bench` output to summarise
	inprocessStat  string // benchstat's summary of it
	short          bool
	duration       time.Duration   // measured load per grid point
	warmup         time.Duration   // unmeasured load before it
	concs          []int           // requests in flight
	latencies      []time.Duration // Bot API latency
	trials         int             // alternating kit/floor trials of the headline points
	trialDur       time.Duration
	headline       []int // concurrencies of the headline points (latency 0)
	colds          int   // extra exec-to-first-200 starts per target
	bursts         []burstSpec
	kitEnv         []string // added to the kit's environment
	headlineOnly   bool
	quiet          bool // add the kit-warn target to the headline trials
}

func main() {
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string) (config, error) {
	var c config
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.StringVar(&c.webhook, "webhook", "", "the kit's bin/webhook (default: build it)")
	fs.StringVar(&c.floor, "floor", "", "the floor binary (default: build ./bench/floor)")
	fs.StringVar(&c.out, "out", "docs/bench", "directory for the PNG plots and results.json (and results.md without -md)")
	fs.StringVar(&c.md, "md", "", "Markdown file whose bench markers receive the results (e.g. BENCHMARKS.md)")
	fs.StringVar(&c.inprocess, "inprocess", "", "raw output of the in-process `go test -bench` run to summarise")
	fs.StringVar(&c.inprocessStat, "inprocess-stat", "", "benchstat's summary of -inprocess")
	fs.BoolVar(&c.short, "short", false, "a smoke run of a few seconds (for CI): fewer, shorter points")
	dur := fs.Duration("duration", 0, "measured load per point (default 2s, 300ms with -short)")
	trials := fs.Int("trials", 0, "alternating kit/floor trials of each headline point (default 8, 2 with -short)")
	concs := fs.String("concurrency", "", "requests in flight, comma-separated (default 1,2,4,8,16,32,64)")
	lats := fs.String("latency", "", "Bot API latencies, comma-separated (default 0,20ms,100ms)")
	trialDur := fs.Duration("trial-duration", 0, "measured load per headline trial (default 2.5s, 500ms with -short)")
	heads := fs.String("headline", "", "concurrencies of the headline trials (default 1,16)")
	kitEnv := fs.String("kit-env", "", "extra environment for the kit, comma-separated KEY=VALUE (e.g. LOG_LEVEL=warn)")
	quiet := fs.Bool("kit-warn", true, "also measure the kit with LOG_LEVEL=warn in the headline trials (the cost of its log line)")
	follow := fs.Duration("burst-follow", -1, "after the burst, a new user every 500 ms for this long (default 70s, 0 with -short)")
	queueBurst := fs.Bool("burst-queue", true, "also burst the kit with SOCIOGRAM_REPLY_QUEUE=local and wait for every reply (up to 2 minutes; off with -short)")
	skipGrid := fs.Bool("headline-only", false, "measure only the headline trials and cold starts (for profiling work)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	c.duration, c.trials, c.trialDur, c.colds = 2*time.Second, 8, 2500*time.Millisecond, 4
	c.concs = []int{1, 2, 4, 8, 16, 32, 64}
	c.latencies = []time.Duration{0, 20 * time.Millisecond, 100 * time.Millisecond}
	c.headline = []int{1, 16}
	c.bursts = []burstSpec{
		{mode: "replies sent directly", users: 100, latency: 20 * time.Millisecond, follow: 70 * time.Second},
		{mode: "SOCIOGRAM_REPLY_QUEUE=local", env: []string{"SOCIOGRAM_REPLY_QUEUE=local"}, users: 100,
			latency: 20 * time.Millisecond, waitAll: 120 * time.Second},
	}
	if c.short {
		c.duration, c.trials, c.trialDur, c.colds = 300*time.Millisecond, 2, 500*time.Millisecond, 1
		c.concs = []int{1, 8, 64}
		c.latencies = []time.Duration{0, 20 * time.Millisecond}
		c.bursts = c.bursts[:1]
		c.bursts[0].follow = 0
	}
	if *dur > 0 {
		c.duration = *dur
	}
	if *trials > 0 {
		c.trials = *trials
	}
	if *follow >= 0 {
		c.bursts[0].follow = *follow
	}
	if !*queueBurst && len(c.bursts) > 1 {
		c.bursts = c.bursts[:1]
	}
	if *trialDur > 0 {
		c.trialDur = *trialDur
	}
	c.warmup = min(c.duration/4, 500*time.Millisecond)
	if *kitEnv != "" {
		c.kitEnv = strings.Split(*kitEnv, ",")
	}
	c.headlineOnly, c.quiet = *skipGrid, *quiet
	var err error
	if *heads != "" {
		if c.headline, err = parseList(*heads, strconv.Atoi); err != nil {
			return c, fmt.Errorf("-headline: %w", err)
		}
	}
	if *concs != "" {
		if c.concs, err = parseList(*concs, strconv.Atoi); err != nil {
			return c, fmt.Errorf("-concurrency: %w", err)
		}
	}
	if *lats != "" {
		if c.latencies, err = parseList(*lats, parseLatency); err != nil {
			return c, fmt.Errorf("-latency: %w", err)
		}
	}
	return c, nil
}

func parseLatency(s string) (time.Duration, error) {
	if s == "0" {
		return 0, nil
	}
	return time.ParseDuration(s)
}

func parseList[T any](s string, parse func(string) (T, error)) ([]T, error) {
	var out []T
	for _, f := range strings.Split(s, ",") {
		v, err := parse(strings.TrimSpace(f))
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// build compiles pkg into dir unless path is already given.
func build(path, pkg, dir string) (string, error) {
	if path != "" {
		return filepath.Abs(path)
	}
	out := filepath.Join(dir, filepath.Base(pkg))
	cmd := exec.Command("go", "build", "-trimpath", "-o", out, pkg)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build %s: %w", pkg, err)
	}
	return out, nil
}
