package main

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Targets, kit over floor, of issue 14.
const (
	targetCPU    = 1.10
	targetInstr  = 1.10
	targetRSS    = 1.30
	targetCold   = 1.50
	targetBinary = 1.30 // the Cloud Functions webhook binary
)

// pathsMarkdown writes the per-path headline: a summary of the targets, then
// each path's table, then where the instructions go.
func pathsMarkdown(b *strings.Builder, res *results) {
	if len(res.Paths) == 0 {
		return
	}
	trials := 0
	for _, pr := range res.Paths {
		for _, p := range pr.Trials {
			trials = max(trials, p.Trial)
		}
	}
	b.WriteString("### Kit over floor on each path\n\n")
	fmt.Fprintf(b, "%d trials per path and concurrency, a fresh process of each side per trial, kit and floor taking turns to go first; Bot API latency 0, rate spacing off. CPU: the median of the %d per-trial ratios kit/floor (the two ran back to back, under the same noise), with a 95%% percentile-bootstrap interval of that median. Peak RSS and cold start: ratio of the medians. Instructions: callgrind, kit and floor each serving the same requests one at a time (see below).\n\n", trials, trials)
	b.WriteString("| path | in flight | CPU / 1k req [95% CI] | instructions / req | peak RSS | cold start | binary |\n|---|---:|---|---|---|---|---|\n")
	for _, pr := range res.Paths {
		for i, conc := range pr.Concs {
			cpu := pairedRatios(pr.Trials, "kit", conc, func(p point) float64 { return p.CPUPer1kMS })
			lo, hi := bootstrapMedianCI(cpu, 0.95)
			instr, rss, cold, bin := "", "", "", ""
			rss = rVerdict(ratio(headline(pr.Trials, "kit", conc, rssOf), headline(pr.Trials, "floor", conc, rssOf)), targetRSS)
			if i == 0 {
				instr = "–"
				if r := instrRatio(pr.Instr); !math.IsNaN(r) {
					instr = rVerdict(r, targetInstr)
				}
				cold = rVerdict(ratio(median(pr.Colds["kit"]), median(pr.Colds["floor"])), targetCold)
				bin = f2(ratio(float64(pr.KitSize), float64(pr.FloorSize)))
				if pr.Key == kindGCF {
					bin = rVerdict(ratio(float64(pr.KitSize), float64(pr.FloorSize)), targetBinary)
				}
			}
			fmt.Fprintf(b, "| %s | %d | %s | %s | %s | %s | %s |\n", pr.Name, conc, ciVerdict(median(cpu), lo, hi, targetCPU), instr, rss, cold, bin)
		}
	}
	b.WriteString("\nTargets (kit / floor): CPU per 1,000 requests ≤ 1.10, instructions per request ≤ 1.10, peak RSS ≤ 1.30, cold start ≤ 1.50, the Cloud Functions webhook binary ≤ 1.30 (the other binaries' ratios are reported).\n\n")
	for _, pr := range res.Paths {
		pathTable(b, pr)
	}
	instrMarkdown(b, res)
}

func rssOf(p point) float64 { return p.PeakRSSMB }

// pathTable is one path's medians.
func pathTable(b *strings.Builder, pr *pathResult) {
	fmt.Fprintf(b, "#### %s: `%s` against `%s`\n\n", pr.Name, relBin(pr.KitBin), relBin(pr.FloorBin))
	b.WriteString("| metric | in flight | kit | floor | kit / floor | paired [95% CI] |\n|---|---:|---:|---:|---:|---|\n")
	rows := []struct {
		name string
		v    func(point) float64
	}{
		{"CPU ms per 1,000 requests", func(p point) float64 { return p.CPUPer1kMS }},
		{"peak RSS (MB)", rssOf},
		{"requests/s", func(p point) float64 { return p.RPS }},
		{"p50 latency (ms)", func(p point) float64 { return p.P50MS }},
		{"p99 latency (ms)", func(p point) float64 { return p.P99MS }},
	}
	for _, r := range rows {
		for _, c := range pr.Concs {
			k, f := headline(pr.Trials, "kit", c, r.v), headline(pr.Trials, "floor", c, r.v)
			rs := pairedRatios(pr.Trials, "kit", c, r.v)
			lo, hi := bootstrapMedianCI(rs, 0.95)
			fmt.Fprintf(b, "| %s | %d | %s | %s | %s | %s [%s, %s] |\n", r.name, c, f2(k), f2(f), f2(ratio(k, f)), f2(median(rs)), f2(lo), f2(hi))
		}
	}
	if w := headline(pr.Trials, "kit-warn", pr.Concs[0], func(p point) float64 { return p.CPUPer1kMS }); !math.IsNaN(w) {
		for _, c := range pr.Concs {
			rs := pairedRatios(pr.Trials, "kit-warn", c, func(p point) float64 { return p.CPUPer1kMS })
			lo, hi := bootstrapMedianCI(rs, 0.95)
			fmt.Fprintf(b, "| CPU ms per 1,000 requests, kit at LOG_LEVEL=warn (no log line) | %d | %s | %s | %s | %s [%s, %s] |\n", c,
				f2(headline(pr.Trials, "kit-warn", c, func(p point) float64 { return p.CPUPer1kMS })), f2(headline(pr.Trials, "floor", c, func(p point) float64 { return p.CPUPer1kMS })),
				"", f2(median(rs)), f2(lo), f2(hi))
		}
	}
	k, f := median(pr.Colds["kit"]), median(pr.Colds["floor"])
	what := "exec to the first webhook answered 200"
	if pr.Key == kindLambda {
		what = "aws-lambda-rie's start to the first invocation answered 200"
	}
	fmt.Fprintf(b, "| cold start (ms): %s, median of %d | 1 | %s | %s | %s | – |\n", what, len(pr.Colds["kit"]), f2(k), f2(f), f2(ratio(k, f)))
	fmt.Fprintf(b, "| binary (bytes) | – | %d | %d | %s | – |\n", pr.KitSize, pr.FloorSize, f2(ratio(float64(pr.KitSize), float64(pr.FloorSize))))
	if in := pr.Instr; in != nil && in.Skipped == "" {
		kr, fr := in.perRequest("kit"), in.perRequest("floor")
		fmt.Fprintf(b, "| instructions per request (callgrind, %d runs of each side) | 1 | %s | %s | %s | – |\n", len(kr), fInt(mean(kr)), fInt(mean(fr)), f2(instrRatio(in)))
	}
	b.WriteString("\n")
}

// relBin shortens a binary's absolute path to its bin/... part.
func relBin(p string) string {
	if i := strings.LastIndex(p, "/bin/"); i >= 0 {
		return p[i+1:]
	}
	return p
}

// rVerdict is a ratio and whether it meets target: "1.04: **met**".
func rVerdict(r, target float64) string {
	switch {
	case math.IsNaN(r):
		return "n/a"
	case r <= target:
		return f2(r) + ": **met**"
	}
	return f2(r) + ": **missed**"
}

// ciVerdict says where a ratio and its interval stand against a target.
func ciVerdict(r, lo, hi, target float64) string {
	switch {
	case math.IsNaN(r):
		return "n/a"
	case math.IsNaN(hi):
		return rVerdict(r, target) + " (too few trials for an interval)"
	case hi <= target:
		return fmt.Sprintf("%s [%s, %s]: **met**", f2(r), f2(lo), f2(hi))
	case r <= target:
		return fmt.Sprintf("%s [%s, %s]: **met** at the median, the interval reaches above %s", f2(r), f2(lo), f2(hi), f2(target))
	case lo <= target:
		return fmt.Sprintf("%s [%s, %s]: **missed** at the median, the interval reaches below %s", f2(r), f2(lo), f2(hi), f2(target))
	}
	return fmt.Sprintf("%s [%s, %s]: **missed**", f2(r), f2(lo), f2(hi))
}

// instrRatio is the kit's mean instructions per request over the floor's.
func instrRatio(in *instrResult) float64 {
	if in == nil || in.Skipped != "" {
		return math.NaN()
	}
	return ratio(mean(in.perRequest("kit")), mean(in.perRequest("floor")))
}

func mean(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

// spread is (max - min) / mean of xs.
func spread(xs []float64) float64 {
	if len(xs) < 2 {
		return math.NaN()
	}
	return (slices.Max(xs) - slices.Min(xs)) / mean(xs)
}

// fInt formats a count with thousands separators.
func fInt(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	neg := v < 0
	s := fmt.Sprintf("%d", int64(math.Round(math.Abs(v))))
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	if neg {
		return "−" + string(out)
	}
	return string(out)
}

// instrMarkdown is the instruction counts: each run, the repeatability, and
// where the instructions go by package and by function.
func instrMarkdown(b *strings.Builder, res *results) {
	var counted []*pathResult
	for _, pr := range res.Paths {
		if pr.Instr != nil {
			counted = append(counted, pr)
		}
	}
	if len(counted) == 0 {
		return
	}
	in0 := counted[0].Instr
	b.WriteString("### Instructions per request\n\n")
	fmt.Fprintf(b, "valgrind's callgrind counts the instructions of the kit's main as deployed (bench/kitexit: the production main plus a counted exit) and of the floor, each in a fresh process serving the load's mix one request at a time to the same fake Bot API: %d requests, then in another process %d; the difference over %d requests leaves out start, first requests and exit. `GODEBUG=asyncpreemptoff=1` (callgrind 3.19 stops on Go's preemption signal) and `GOMAXPROCS=%d` for both. Each length is run by each side %d times; \"spread\" is (max − min) / mean of a side's per-request counts.\n\n",
		in0.N1, in0.N2, in0.N2-in0.N1, in0.Procs, len(in0.perRequest("kit")))
	b.WriteString("| path | side | instructions, " + fmt.Sprint(in0.N1) + " req | instructions, " + fmt.Sprint(in0.N2) + " req | per request, each repeat | spread | kit / floor |\n|---|---|---|---|---|---:|---:|\n")
	for _, pr := range counted {
		in := pr.Instr
		if in.Skipped != "" {
			fmt.Fprintf(b, "| %s | – | – | – | not counted: %s | – | – |\n", pr.Name, strings.ReplaceAll(firstLine(in.Skipped), "|", "/"))
			continue
		}
		for _, side := range []string{"kit", "floor"} {
			var a, c []string
			for _, r := range in.Runs {
				if r.Target != side {
					continue
				}
				if r.Requests == in.N1 {
					a = append(a, fInt(float64(r.Ir)))
				} else {
					c = append(c, fInt(float64(r.Ir)))
				}
			}
			per := in.perRequest(side)
			var ps []string
			for _, v := range per {
				ps = append(ps, fInt(v))
			}
			rr := ""
			if side == "kit" {
				rr = f2(instrRatio(in))
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s |\n", pr.Name, side, strings.Join(a, ", "), strings.Join(c, ", "), strings.Join(ps, ", "), pct(spread(per)), rr)
		}
	}
	b.WriteString("\n")
	for _, pr := range counted {
		in := pr.Instr
		if len(in.Packages) == 0 {
			continue
		}
		fmt.Fprintf(b, "#### Where the instructions go: %s\n\n", pr.Name)
		b.WriteString("Self instructions per request by Go package (first repeat; callgrind_annotate), the largest differences first:\n\n")
		b.WriteString("| package | kit | floor | kit − floor |\n|---|---:|---:|---:|\n")
		var tk, tf float64
		for _, c := range in.Packages {
			tk, tf = tk+c.Kit, tf+c.Floor
		}
		for i, c := range in.Packages {
			if i == 12 {
				break
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s |\n", c.Name, fInt(c.Kit), fInt(c.Floor), fInt(c.Kit-c.Floor))
		}
		fmt.Fprintf(b, "| all packages | %s | %s | %s |\n\n", fInt(tk), fInt(tf), fInt(tk-tf))
		b.WriteString("By function, the largest differences first:\n\n| function | kit | floor | kit − floor |\n|---|---:|---:|---:|\n")
		for i, c := range in.Funcs {
			if i == 15 {
				break
			}
			fmt.Fprintf(b, "| `%s` | %s | %s | %s |\n", strings.ReplaceAll(c.Name, "|", "/"), fInt(c.Kit), fInt(c.Floor), fInt(c.Kit-c.Floor))
		}
		b.WriteString("\n")
		var own []irCost
		total := 0.0
		for _, c := range in.Funcs {
			if strings.HasPrefix(c.Name, kitModule) && !strings.HasPrefix(c.Name, kitModule+"bench/") {
				own = append(own, c)
				total += c.Kit
			}
		}
		slices.SortFunc(own, func(x, y irCost) int { return cmpDesc(x.Kit, y.Kit) })
		fmt.Fprintf(b, "The kit's own code (functions of %s… outside bench/): %s instructions per request in all (%s of the kit's), the largest: ", kitModule, fInt(total), pct(total/mean(in.perRequest("kit"))))
		for i, c := range own {
			if i == 6 {
				break
			}
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(b, "`%s` %s", strings.TrimPrefix(c.Name, kitModule), fInt(c.Kit))
		}
		b.WriteString(".\n\n")
	}
}

// kitModule prefixes the kit's own function names.
const kitModule = "github.com/sociogram-kit/kit/"

// cmpDesc orders larger values first.
func cmpDesc(x, y float64) int {
	switch {
	case x > y:
		return -1
	case x < y:
		return 1
	}
	return 0
}

func pct(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	return fmt.Sprintf("%.2f%%", 100*v)
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}
