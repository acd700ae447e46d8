// Command load is the end-to-end benchmark of `make bench`. On each of the
// kit's three paths it runs the kit as deployed and its hand-written floor
// (the same bot, the same log line per webhook) against an in-process fake
// Bot API on loopback: plain HTTP (bin/webhook against bench/floor), Cloud
// Functions (bin/gcf against bench/gcffloor, both on functions-framework-go)
// and Lambda (the bootstrap against bench/lambdafloor, both under
// aws-lambda-rie). Fresh processes, kit and floor alternating trial by trial
// so that machine noise falls on both; it reports CPU time per 1,000
// requests (the median of the paired kit/floor ratios with a bootstrap
// confidence interval), peak RSS, cold start and binary size as kit/floor
// ratios, and instructions per request counted by valgrind's callgrind,
// which machine load does not move. For plain HTTP it also measures a grid of
// concurrencies and Bot API latencies and fires a burst of 100 users at the
// kit with its rate spacing on. Results go to a Markdown fragment,
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
	bin            string // folder of the binaries (make bench-tools)
	webhook, floor string // plain HTTP kit and floor, overriding bin's
	rie            string
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
	headline       []int // concurrencies of the plain-HTTP headline trials
	colds          int   // extra exec-to-first-200 starts per target
	bursts         []burstSpec
	kitEnv         []string // added to the kit's environment
	headlineOnly   bool
	paths          []*pathSpec
	gridPath       *pathSpec // plain HTTP, for the grid and the bursts
	instr          instrConfig
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
	fs.StringVar(&c.bin, "bin", "bin/bench", "folder of the binaries `make bench-tools` builds: webhook, floor, gcf, gcffloor, bootstrap, lambdafloor, and kitexit-webhook, kitexit-gcf, kitexit-bootstrap, lambdafloor-syms for the instruction counts")
	fs.StringVar(&c.webhook, "webhook", "", "the plain-HTTP kit (default: BIN/webhook)")
	fs.StringVar(&c.floor, "floor", "", "the plain-HTTP floor (default: BIN/floor)")
	fs.StringVar(&c.rie, "rie", "bin/tools/aws-lambda-rie", "aws-lambda-rie, for the Lambda path")
	pathList := fs.String("paths", "http,gcf,lambda", "paths to measure, comma-separated: http (plain HTTP), gcf (Cloud Functions), lambda (Lambda under aws-lambda-rie)")
	fs.StringVar(&c.out, "out", "docs/bench", "directory for the PNG plots and results.json (and results.md without -md)")
	fs.StringVar(&c.md, "md", "", "Markdown file whose bench markers receive the results (e.g. BENCHMARKS.md)")
	fs.StringVar(&c.inprocess, "inprocess", "", "raw output of the in-process `go test -bench` run to summarise")
	fs.StringVar(&c.inprocessStat, "inprocess-stat", "", "benchstat's summary of -inprocess")
	fs.BoolVar(&c.short, "short", false, "a smoke run (for CI): fewer, shorter points")
	dur := fs.Duration("duration", 0, "measured load per grid point (default 1.5s, 300ms with -short)")
	trials := fs.Int("trials", 0, "alternating kit/floor trials of each headline point (default 24, 2 with -short)")
	concs := fs.String("concurrency", "", "requests in flight in the plain-HTTP grid, comma-separated (default 1,2,4,8,16,32,64)")
	lats := fs.String("latency", "", "Bot API latencies of the grid, comma-separated (default 0,20ms,100ms)")
	trialDur := fs.Duration("trial-duration", 0, "measured load per headline trial (default 1s, 300ms with -short)")
	heads := fs.String("headline", "", "plain-HTTP concurrencies of the headline trials (default 1,16; Cloud Functions and Lambda: 1, their default concurrency per instance)")
	kitEnv := fs.String("kit-env", "", "extra environment for the kit, comma-separated KEY=VALUE (e.g. LOG_LEVEL=warn)")
	warn := fs.Bool("kit-warn", false, "also measure the plain-HTTP kit with LOG_LEVEL=warn in the headline trials (the cost of its log line)")
	follow := fs.Duration("burst-follow", -1, "after the burst, a new user every 500 ms for this long (default 70s, 0 with -short)")
	queueBurst := fs.Bool("burst-queue", true, "also burst the kit with SOCIOGRAM_REPLY_QUEUE=local and wait for every reply (up to 2 minutes; off with -short)")
	skipGrid := fs.Bool("headline-only", false, "measure only the headline trials, cold starts and instruction counts")
	cg := fs.Bool("callgrind", true, "count instructions per request under valgrind's callgrind (skipped with a message when valgrind is missing)")
	n1 := fs.Int("callgrind-n1", 0, "requests of the shorter callgrind run (default 120, 30 with -short)")
	n2 := fs.Int("callgrind-n2", 0, "requests of the longer callgrind run (default 1320, 90 with -short)")
	reps := fs.Int("callgrind-repeats", 0, "callgrind runs of each length per target (default 2, 1 with -short)")
	procs := fs.Int("callgrind-procs", 1, "GOMAXPROCS under callgrind")
	cgConc := fs.Int("callgrind-concurrency", 1, "requests in flight under callgrind (plain HTTP and Cloud Functions; Lambda takes one at a time)")
	keep := fs.String("callgrind-keep", "", "keep the callgrind files in this folder")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	c.duration, c.trials, c.trialDur, c.colds = 1500*time.Millisecond, 24, time.Second, 4
	c.concs = []int{1, 2, 4, 8, 16, 32, 64}
	c.latencies = []time.Duration{0, 20 * time.Millisecond, 100 * time.Millisecond}
	c.headline = []int{1, 16}
	c.bursts = []burstSpec{
		{mode: "replies sent directly", users: 100, latency: 20 * time.Millisecond, follow: 70 * time.Second},
		{mode: "SOCIOGRAM_REPLY_QUEUE=local", env: []string{"SOCIOGRAM_REPLY_QUEUE=local"}, users: 100,
			latency: 20 * time.Millisecond, waitAll: 120 * time.Second},
	}
	c.instr = instrConfig{n1: 120, n2: 1320, repeats: 2, procs: *procs, conc: *cgConc, keep: *keep}
	if c.short {
		c.duration, c.trials, c.trialDur, c.colds = 300*time.Millisecond, 2, 300*time.Millisecond, 1
		c.concs = []int{1, 8, 64}
		c.latencies = []time.Duration{0, 20 * time.Millisecond}
		c.bursts = c.bursts[:1]
		c.bursts[0].follow = 0
		c.instr.n1, c.instr.n2, c.instr.repeats = 30, 90, 1
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
	if *n1 > 0 {
		c.instr.n1 = *n1
	}
	if *n2 > 0 {
		c.instr.n2 = *n2
	}
	if *reps > 0 {
		c.instr.repeats = *reps
	}
	if c.instr.n2 <= c.instr.n1 {
		return c, fmt.Errorf("-callgrind-n2 (%d) must be more than -callgrind-n1 (%d)", c.instr.n2, c.instr.n1)
	}
	c.warmup = min(c.trialDur/4, 250*time.Millisecond)
	if *kitEnv != "" {
		c.kitEnv = strings.Split(*kitEnv, ",")
	}
	c.headlineOnly = *skipGrid
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
	if *cg {
		c.instr.valgrind, _ = exec.LookPath("valgrind")
		c.instr.annotate, _ = exec.LookPath("callgrind_annotate")
		if c.instr.valgrind == "" {
			fmt.Fprintln(os.Stderr, "load: !! valgrind is not installed: instructions per request are NOT counted (apt-get install -y valgrind, or make bench-tools)")
		}
	} else {
		c.instr.n2 = 0
	}
	return c, c.setPaths(strings.Split(*pathList, ","), *warn)
}

// setPaths fills c.paths from the binaries in c.bin.
func (c *config) setPaths(keys []string, warn bool) error {
	bin := func(name string) (string, error) {
		p, err := filepath.Abs(filepath.Join(c.bin, name))
		if err != nil {
			return "", err
		}
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("%s is missing: build the benchmark's binaries with make bench-tools (or give -bin)", p)
		}
		return p, nil
	}
	override := func(path, name string) (string, error) {
		if path != "" {
			return filepath.Abs(path)
		}
		return bin(name)
	}
	for _, key := range keys {
		var ps pathSpec
		var err error
		names := map[string]*string{}
		switch strings.TrimSpace(key) {
		case kindHTTP:
			ps = pathSpec{key: kindHTTP, name: "plain HTTP", concs: c.headline, warn: warn}
			if ps.kit.path, err = override(c.webhook, "webhook"); err != nil {
				return err
			}
			if ps.floor.path, err = override(c.floor, "floor"); err != nil {
				return err
			}
			names["kitexit-webhook"], ps.floorExit.path = &ps.kitExit.path, ps.floor.path
			c.gridPath = &ps
		case kindGCF:
			ps = pathSpec{key: kindGCF, name: "Cloud Functions", concs: []int{1}}
			names["gcf"], names["gcffloor"], names["kitexit-gcf"] = &ps.kit.path, &ps.floor.path, &ps.kitExit.path
		case kindLambda:
			ps = pathSpec{key: kindLambda, name: "Lambda (aws-lambda-rie)", concs: []int{1}}
			names["bootstrap"], names["lambdafloor"] = &ps.kit.path, &ps.floor.path
			names["kitexit-bootstrap"], names["lambdafloor-syms"] = &ps.kitExit.path, &ps.floorExit.path
			if _, err := os.Stat(c.rie); err != nil {
				return fmt.Errorf("-rie %s: %w (make tools-lambda installs it)", c.rie, err)
			}
		default:
			return fmt.Errorf("-paths: unknown path %q (want http, gcf or lambda)", key)
		}
		for name, dst := range names {
			if *dst, err = bin(name); err != nil {
				return err
			}
		}
		if ps.floorExit.path == "" {
			ps.floorExit.path = ps.floor.path
		}
		rie, _ := filepath.Abs(c.rie)
		for _, t := range []*target{&ps.kit, &ps.floor, &ps.kitExit, &ps.floorExit} {
			t.kind, t.rie = ps.key, rie
		}
		ps.kit.name, ps.kitExit.name, ps.floor.name, ps.floorExit.name = "kit", "kit", "floor", "floor"
		ps.kit.env, ps.kitExit.env = c.kitEnv, c.kitEnv
		c.paths = append(c.paths, &ps)
	}
	return nil
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
