package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sociogram-kit/kit/bench/internal/plot"
)

// machine describes where the numbers were measured.
type machine struct {
	GoVersion  string `json:"go_version"`
	CPU        string `json:"cpu"`
	CPUs       int    `json:"cpus"`
	Kernel     string `json:"kernel"`
	LoadAvg    string `json:"load_avg_at_start"`
	LoadAvgEnd string `json:"load_avg_at_end"`
	LoadDuring string `json:"load_1min_during"` // min–max (mean) of the 1-minute load average, sampled every 5 s
	Date       string `json:"date"`
	Command    string `json:"command"`
}

func describeMachine() machine {
	m := machine{GoVersion: runtime.Version(), CPUs: runtime.NumCPU(),
		Date: time.Now().UTC().Format("2006-01-02 15:04 MST"), Command: strings.Join(os.Args, " ")}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	m.LoadAvg = loadAvg()
	return m
}

// loadAvg is the three load averages of /proc/loadavg.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}

// sampleLoad records the 1-minute load average every 5 s until stop is
// closed, then returns "min–max (mean m)".
func sampleLoad(stop <-chan struct{}) <-chan string {
	out := make(chan string, 1)
	go func() {
		var xs []float64
		t := time.NewTicker(5 * time.Second)
		defer t.Stop()
		for {
			if f := strings.Fields(loadAvg()); len(f) > 0 {
				if v, err := strconv.ParseFloat(f[0], 64); err == nil {
					xs = append(xs, v)
				}
			}
			select {
			case <-stop:
				if len(xs) == 0 {
					out <- "?"
				} else {
					out <- fmt.Sprintf("%.2f–%.2f (mean %.2f)", slices.Min(xs), slices.Max(xs), mean(xs))
				}
				return
			case <-t.C:
			}
		}
	}()
	return out
}

// inprocBench is the median of one in-process benchmark's runs.
type inprocBench struct {
	Name   string  `json:"name"`
	NsOp   float64 `json:"ns_per_op"`
	Allocs float64 `json:"allocs_per_op"`
	Runs   int     `json:"runs"`
}

// readInproc reads `go test -bench -benchmem` output and returns each
// benchmark's median ns/op and allocs/op, with the -N GOMAXPROCS suffix cut.
func readInproc(path string) ([]inprocBench, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parseInproc(bufio.NewScanner(f))
}

func parseInproc(sc *bufio.Scanner) ([]inprocBench, error) {
	ns, allocs := map[string][]float64{}, map[string][]float64{}
	var order []string
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := f[0]
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i]
			}
		}
		if _, ok := ns[name]; !ok {
			order = append(order, name)
		}
		for i := 2; i+1 < len(f); i++ {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			switch f[i+1] {
			case "ns/op":
				ns[name] = append(ns[name], v)
			case "allocs/op":
				allocs[name] = append(allocs[name], v)
			}
		}
	}
	out := make([]inprocBench, 0, len(order))
	for _, n := range order {
		out = append(out, inprocBench{Name: n, NsOp: median(ns[n]), Allocs: median(allocs[n]), Runs: len(ns[n])})
	}
	return out, sc.Err()
}

// write saves results.json and the plots in cfg.out, and the Markdown into
// cfg.md between its markers (or into results.md in cfg.out without -md).
func write(cfg config, res *results) error {
	if err := os.MkdirAll(cfg.out, 0o755); err != nil {
		return err
	}
	js, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(cfg.out, "results.json"), append(js, '\n'), 0o644); err != nil {
		return err
	}
	for name, c := range charts(res, cfg) {
		if len(res.Grid) == 0 {
			break // -headline-only: keep the plots of the last full run
		}
		if err := writeChart(filepath.Join(cfg.out, name), c); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	imgDir := cfg.out
	if cfg.md != "" {
		if rel, err := filepath.Rel(filepath.Dir(cfg.md), cfg.out); err == nil {
			imgDir = rel
		}
	}
	load := loadMarkdown(res, imgDir)
	if cfg.md == "" {
		return os.WriteFile(filepath.Join(cfg.out, "results.md"), []byte(load), 0o644)
	}
	doc, err := os.ReadFile(cfg.md)
	if err != nil {
		return err
	}
	s, err := splice(string(doc), "bench:load", load)
	if err != nil {
		return err
	}
	if cfg.inprocessStat != "" {
		stat, err := os.ReadFile(cfg.inprocessStat)
		if err != nil {
			return err
		}
		if s, err = splice(s, "bench:inprocess", inprocMarkdown(res, string(stat))); err != nil {
			return err
		}
	}
	return os.WriteFile(cfg.md, []byte(s), 0o644)
}

// ErrNoMarkers: the Markdown file lacks the begin/end comments to write between.
var ErrNoMarkers = errors.New("markers not found")

// splice replaces what lies between <!-- name:begin --> and <!-- name:end -->.
func splice(doc, name, body string) (string, error) {
	begin, end := "<!-- "+name+":begin -->", "<!-- "+name+":end -->"
	i, j := strings.Index(doc, begin), strings.Index(doc, end)
	if i < 0 || j < i {
		return "", fmt.Errorf("%s: %w", name, ErrNoMarkers)
	}
	return doc[:i+len(begin)] + "\n" + strings.TrimSpace(body) + "\n" + doc[j:], nil
}

func writeChart(path string, c *plot.Chart) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := c.WritePNG(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// charts are the plots of the grid: each metric against requests in flight,
// one line per target and Bot API latency.
func charts(res *results, cfg config) map[string]*plot.Chart {
	ticks := make([]string, len(cfg.concs))
	for i, c := range cfg.concs {
		ticks[i] = strconv.Itoa(c)
	}
	mk := func(title, ylabel string, logY bool, v func(point) float64) *plot.Chart {
		c := &plot.Chart{Title: title, XLabel: "requests in flight", YLabel: ylabel, XTicks: ticks, LogY: logY}
		for li, lat := range cfg.latencies {
			for _, t := range []string{"kit", "floor"} {
				s := plot.Series{Name: fmt.Sprintf("%s %gms", t, ms(lat)), Color: plot.Palette[li%len(plot.Palette)], Dashed: t == "floor"}
				for _, conc := range cfg.concs {
					y := math.NaN()
					if p, ok := find(res.Grid, t, conc, ms(lat)); ok {
						y = v(p)
					}
					s.Y = append(s.Y, y)
				}
				c.Series = append(c.Series, s)
			}
		}
		return c
	}
	return map[string]*plot.Chart{
		"throughput.png": mk("Throughput (kit solid, floor dashed)", "requests/s", true, func(p point) float64 { return p.RPS }),
		"p99.png":        mk("p99 latency (kit solid, floor dashed)", "p99 ms", true, func(p point) float64 { return p.P99MS }),
		"cpu.png":        mk("CPU time per 1000 requests", "CPU ms", false, func(p point) float64 { return p.CPUPer1kMS }),
		"memory.png":     mk("Peak RSS against requests in flight", "peak RSS MB", false, func(p point) float64 { return p.PeakRSSMB }),
	}
}

func find(ps []point, target string, conc int, latMS float64) (point, bool) {
	for _, p := range ps {
		if p.Target == target && p.Conc == conc && p.LatencyMS == latMS {
			return p, true
		}
	}
	return point{}, false
}

// headline returns the median over trials of a metric for one target.
func headline(ps []point, target string, conc int, v func(point) float64) float64 {
	var xs []float64
	for _, p := range ps {
		if p.Conc == conc && p.Target == target {
			xs = append(xs, v(p))
		}
	}
	return median(xs)
}

// pairedRatio is the median over trials of target/floor, each ratio taken
// within one trial (the two ran back to back, under the same noise).
func pairedRatio(ps []point, target string, conc int, v func(point) float64) float64 {
	return median(pairedRatios(ps, target, conc, v))
}

// pairedRatios are target/floor of each trial, in trial order.
func pairedRatios(ps []point, target string, conc int, v func(point) float64) []float64 {
	var rs []float64
	for _, p := range ps {
		if p.Conc != conc || p.Target != target {
			continue
		}
		for _, q := range ps {
			if q.Conc == conc && q.Target == "floor" && q.Trial == p.Trial {
				rs = append(rs, ratio(v(p), v(q)))
			}
		}
	}
	return rs
}

func f1(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	if math.Abs(v) >= 100 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

func f2(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

func loadMarkdown(res *results, imgDir string) string {
	var b strings.Builder
	m := res.Machine
	fmt.Fprintf(&b, "Measured %s on %d vCPU (%s), %s, Linux %s; load average at the start %s, at the end %s, 1-minute load average during the run %s; the run took %s.\n\n",
		m.Date, m.CPUs, m.CPU, m.GoVersion, m.Kernel, m.LoadAvg, m.LoadAvgEnd, m.LoadDuring, res.Took)
	fmt.Fprintf(&b, "Command: `%s`", m.Command)
	if res.Short {
		b.WriteString(" (**short smoke run: too few samples to quote**)")
	}
	b.WriteString("\n\n")
	pathsMarkdown(&b, res)
	if len(res.Grid) == 0 {
		return b.String()
	}
	b.WriteString("### How the cost grows\n\n")
	for _, name := range []string{"throughput", "p99", "cpu", "memory"} {
		fmt.Fprintf(&b, "![%s](%s/%s.png)\n", name, filepath.ToSlash(imgDir), name)
	}
	b.WriteString("\nOne fresh process per cell, kit and floor alternating; peak RSS is the process's VmHWM over its whole life at that concurrency.\n\n")
	lats := map[float64]bool{}
	var ls []float64
	for _, p := range res.Grid {
		if !lats[p.LatencyMS] {
			lats[p.LatencyMS] = true
			ls = append(ls, p.LatencyMS)
		}
	}
	sort.Float64s(ls)
	for _, lat := range ls {
		fmt.Fprintf(&b, "Bot API latency %g ms:\n\n", lat)
		b.WriteString("| in flight | rps kit | rps floor | p99 ms kit | p99 ms floor | CPU ms/1k kit | CPU ms/1k floor | CPU kit/floor | RSS MB kit | RSS MB floor |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
		for _, p := range res.Grid {
			if p.Target != "kit" || p.LatencyMS != lat {
				continue
			}
			q, _ := find(res.Grid, "floor", p.Conc, lat)
			fmt.Fprintf(&b, "| %d | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", p.Conc, f1(p.RPS), f1(q.RPS),
				f1(p.P99MS), f1(q.P99MS), f1(p.CPUPer1kMS), f1(q.CPUPer1kMS), f2(ratio(p.CPUPer1kMS, q.CPUPer1kMS)), f1(p.PeakRSSMB), f1(q.PeakRSSMB))
		}
		b.WriteString("\n")
	}
	if len(res.Bursts) > 0 {
		b.WriteString("### A burst with spacing on\n\n")
		fmt.Fprintf(&b, "%d different users write \"hello\" at the same instant to a fresh kit with `SOCIOGRAM_RATE_LIMIT=on`, Bot API latency %g ms.\n\n", res.Bursts[0].Users, res.Bursts[0].LatencyMS)
		b.WriteString("| replies | webhooks 200 | webhooks 500 | other | replies delivered | last reply delivered after | last webhook answered after | slowest 500 |\n|---|---:|---:|---:|---:|---:|---:|---:|\n")
		for _, br := range res.Bursts {
			fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %s ms | %s ms | %s ms |\n", br.Mode, br.OK, br.Status500, br.Other, br.Replies, f1(br.LastReplyMS), f1(br.LastAnswerMS), f1(br.Slowest500MS))
		}
		b.WriteString("\n")
		for _, br := range res.Bursts {
			if br.FollowSent == 0 {
				continue
			}
			first := "none was"
			if br.FollowOK > 0 {
				first = fmt.Sprintf("the first came %.1f s after the burst", br.FirstFollowS)
			}
			fmt.Fprintf(&b, "With replies sent directly, then a new user every 500 ms for %s: %d webhooks, %d answered 200 (%s), %d answered 500.\n\n",
				br.Follow, br.FollowSent, br.FollowOK, first, br.Follow500)
		}
	}
	return b.String()
}

// inprocMarkdown is the in-process section: the targets checked on the
// medians, then benchstat's table.
func inprocMarkdown(res *results, stat string) string {
	var b strings.Builder
	b.WriteString("Command: `go test -run '^$' -bench . -benchmem -count 5 ./handler/ ./botapi/` (then `benchstat`), same machine and run as below.\n\n")
	if len(res.InProc) > 0 {
		b.WriteString("| benchmark | median ns/op | median allocs/op | target |\n|---|---:|---:|---|\n")
		for _, ib := range res.InProc {
			t := "–"
			if strings.HasPrefix(ib.Name, "BenchmarkServe/") && strings.HasSuffix(ib.Name, "/nolog") {
				t = "≤ 2000 ns and ≤ 15 allocs: **missed**"
				if ib.NsOp <= 2000 && ib.Allocs <= 15 {
					t = "≤ 2000 ns and ≤ 15 allocs: **met**"
				}
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", ib.Name, f1(ib.NsOp), f1(ib.Allocs), t)
		}
		b.WriteString("\n")
	}
	b.WriteString("```\n" + strings.TrimSpace(stat) + "\n```\n")
	return b.String()
}
