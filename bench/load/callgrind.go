package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/sociogram-kit/kit/bench/internal/benchexit"
)

// Instructions per request, which machine load does not move: each target
// (the kit's main of bench/kitexit, or a floor) runs under valgrind's
// callgrind, serves n requests one at a time (the load's mix, in the same
// order every run) and exits normally when the harness closes its exit FIFO
// (package bench/internal/benchexit; callgrind writes nothing on a signal).
// Two runs, of n1 and n2 requests, give (Ir(n2) - Ir(n1)) / (n2 - n1): start,
// the first requests' one-time work and exit cancel out. Under callgrind the
// Go runtime runs with GODEBUG=asyncpreemptoff=1 (its preemption signal stops
// callgrind 3.19 with an assertion) and GOMAXPROCS=procs (1 by default:
// with two, the idle processor's spinning depends on timing and the count
// moves by about 2% from run to run; with one, by well under 1%).

// instrConfig is how instructions are counted.
type instrConfig struct {
	valgrind, annotate string // paths; valgrind "" skips the counts
	n1, n2, repeats    int
	procs              int
	conc               int    // requests in flight (1 on Lambda, whatever is asked)
	keep               string // folder to keep the callgrind files in ("" = none)
}

// instrRun is one callgrind run.
type instrRun struct {
	Target   string  `json:"target"`
	Requests int     `json:"requests"`
	Repeat   int     `json:"repeat"`
	Ir       int64   `json:"instructions"`
	Seconds  float64 `json:"seconds"`
	file     string
}

// instrResult is one path's counts.
type instrResult struct {
	N1       int        `json:"n1"`
	N2       int        `json:"n2"`
	Procs    int        `json:"gomaxprocs"`
	Runs     []instrRun `json:"runs"`
	Skipped  string     `json:"skipped,omitempty"` // why nothing was counted
	Packages []irCost   `json:"packages,omitempty"`
	Funcs    []irCost   `json:"functions,omitempty"`
}

// irCost is instructions per request of one package or function, in the kit
// and in the floor (the first repeat's runs).
type irCost struct {
	Name  string  `json:"name"`
	Kit   float64 `json:"kit"`
	Floor float64 `json:"floor"`
}

// perRequest returns target's instructions per request, one value per
// repeat.
func (r *instrResult) perRequest(target string) []float64 {
	var out []float64
	for rep := 1; ; rep++ {
		var a, b *instrRun
		for i := range r.Runs {
			x := &r.Runs[i]
			if x.Target == target && x.Repeat == rep {
				if x.Requests == r.N1 {
					a = x
				} else if x.Requests == r.N2 {
					b = x
				}
			}
		}
		if a == nil || b == nil {
			return out
		}
		out = append(out, float64(b.Ir-a.Ir)/float64(r.N2-r.N1))
	}
}

// countInstructions runs the kit and the floor of one path under callgrind,
// alternating, repeats times n1 and n2 requests.
func countInstructions(ctx context.Context, cfg instrConfig, api *fakeAPI, kit, floor target, bodies [][]byte) *instrResult {
	res := &instrResult{N1: cfg.n1, N2: cfg.n2, Procs: cfg.procs}
	if cfg.valgrind == "" {
		res.Skipped = "valgrind not found"
		return res
	}
	api.setLatency(0)
	defer api.Reset()
	dir, err := os.MkdirTemp("", "kit-callgrind-")
	if err != nil {
		res.Skipped = err.Error()
		return res
	}
	defer os.RemoveAll(dir)
	i := 0
	for rep := 1; rep <= cfg.repeats; rep++ {
		for _, n := range []int{cfg.n1, cfg.n2} {
			for _, t := range alternate([]target{kit, floor}, i) {
				i++
				run, err := callgrindRun(ctx, cfg, api, t, bodies, n, dir, fmt.Sprintf("%s-%d-%d", t.name, n, rep))
				if err != nil {
					res.Skipped = fmt.Sprintf("%s, %d requests: %v", t.name, n, err)
					return res
				}
				run.Repeat = rep
				res.Runs = append(res.Runs, run)
				progress("callgrind %s %s: %d requests, %d instructions (%.1f s)", kit.kind, t.name, n, run.Ir, run.Seconds)
				api.Reset()
			}
		}
	}
	if cfg.annotate != "" {
		if res.Packages, res.Funcs, err = attribute(cfg.annotate, res); err != nil {
			progress("callgrind_annotate: %v (no per-function counts)", err)
		}
	}
	if cfg.keep != "" {
		os.MkdirAll(cfg.keep, 0o755)
		for _, r := range res.Runs {
			os.Rename(r.file, filepath.Join(cfg.keep, kit.kind+"-"+filepath.Base(r.file)))
		}
	}
	return res
}

// callgrindRun starts t under callgrind, serves n requests and closes the
// exit FIFO, then reads the total from callgrind's file.
func callgrindRun(ctx context.Context, cfg instrConfig, api *fakeAPI, t target, bodies [][]byte, n int, dir, name string) (instrRun, error) {
	run := instrRun{Target: t.name, Requests: n, file: filepath.Join(dir, name+".callgrind")}
	fifo := filepath.Join(dir, name+".fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		return run, err
	}
	// Read-write: the open does not wait for the reader, and closing it is
	// the end of input the process waits for.
	exit, err := os.OpenFile(fifo, os.O_RDWR, 0)
	if err != nil {
		return run, err
	}
	defer exit.Close()
	script := filepath.Join(dir, name+".sh")
	wrap := fmt.Sprintf("#!/bin/sh\nexec %s --tool=callgrind --callgrind-out-file=%s %s\n", cfg.valgrind, run.file, t.path)
	if err := os.WriteFile(script, []byte(wrap), 0o755); err != nil {
		return run, err
	}
	t.path = script
	began := time.Now()
	c, err := launch(t, api.URL, false, []string{"GODEBUG=asyncpreemptoff=1",
		"GOMAXPROCS=" + strconv.Itoa(cfg.procs), benchexit.EnvFIFO + "=" + fifo})
	if err != nil {
		return run, err
	}
	defer c.stop()
	rctx, cancel := context.WithTimeout(ctx, 120*time.Second)
	defer cancel()
	if err := waitListening(rctx, c); err != nil {
		return run, fmt.Errorf("%w\n%s", err, c.out)
	}
	conc := max(cfg.conc, 1)
	if c.lambda {
		conc = 1 // aws-lambda-rie takes one invocation at a time
	}
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conc}}
	defer hc.CloseIdleConnections()
	first := 0
	if c.lambda {
		// rie listens before the bootstrap registers: retry the first
		// invocation until it is answered (refused ones never reach it).
		st, err := c.deliver(rctx, hc, bodies[0])
		for (err != nil || st != http.StatusOK) && rctx.Err() == nil {
			time.Sleep(50 * time.Millisecond)
			st, err = c.deliver(rctx, hc, bodies[0])
		}
		if rctx.Err() != nil {
			return run, fmt.Errorf("request 1: %w\n%s", rctx.Err(), c.out)
		}
		first = 1
	}
	var next atomic.Int64
	next.Store(int64(first))
	errs := make(chan error, conc)
	var wg sync.WaitGroup
	for range conc {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				st, err := c.deliver(rctx, hc, bodies[i%len(bodies)])
				if err == nil && st != http.StatusOK {
					err = fmt.Errorf("answered %d", st)
				}
				if err != nil {
					errs <- fmt.Errorf("request %d: %w\n%s", i+1, err, c.out)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return run, err
	}
	hc.CloseIdleConnections()
	exit.Close()
	for {
		if ir, ok := callgrindTotal(run.file); ok {
			run.Ir, run.Seconds = ir, time.Since(began).Seconds()
			return run, nil
		}
		select {
		case <-rctx.Done():
			return run, fmt.Errorf("no counts written after the exit FIFO closed: %w\n%s", rctx.Err(), c.out)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// waitListening waits for the port to accept a connection.
func waitListening(ctx context.Context, c *child) error {
	for {
		conn, err := net.Dial("tcp", strings.TrimPrefix(c.base, "http://"))
		if err == nil {
			conn.Close()
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("never listened: %w", ctx.Err())
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// callgrindTotal reads the "totals:" line that ends a complete callgrind
// file.
func callgrindTotal(path string) (int64, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	b = bytes.TrimRight(b, "\n")
	i := bytes.LastIndexByte(b, '\n')
	last, ok := bytes.CutPrefix(b[i+1:], []byte("totals: "))
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(string(bytes.TrimSpace(last)), 10, 64)
	return n, err == nil
}

// attribute reads the self cost of every function from callgrind_annotate
// for the first repeat's four runs and returns the instructions per request
// of each package and function (n2's minus n1's, over n2 - n1), the largest
// differences between kit and floor first.
func attribute(annotate string, res *instrResult) (pkgs, funcs []irCost, err error) {
	self := map[string]map[string]float64{} // target -> function -> per request
	for _, target := range []string{"kit", "floor"} {
		var a, b map[string]int64
		for _, r := range res.Runs {
			if r.Target != target || r.Repeat != 1 {
				continue
			}
			m, err := annotateSelf(annotate, r.file)
			if err != nil {
				return nil, nil, err
			}
			if r.Requests == res.N1 {
				a = m
			} else {
				b = m
			}
		}
		if a == nil || b == nil {
			return nil, nil, fmt.Errorf("%s: runs missing", target)
		}
		per := map[string]float64{}
		for fn, v := range b {
			per[fn] = float64(v-a[fn]) / float64(res.N2-res.N1)
		}
		self[target] = per
	}
	byPkg := map[string]*irCost{}
	byFn := map[string]*irCost{}
	for target, m := range self {
		for fn, v := range m {
			for _, acc := range []struct {
				m   map[string]*irCost
				key string
			}{{byPkg, pkgOf(fn)}, {byFn, fn}} {
				c := acc.m[acc.key]
				if c == nil {
					c = &irCost{Name: acc.key}
					acc.m[acc.key] = c
				}
				if target == "kit" {
					c.Kit += v
				} else {
					c.Floor += v
				}
			}
		}
	}
	sorted := func(m map[string]*irCost) []irCost {
		var out []irCost
		for _, c := range m {
			out = append(out, *c)
		}
		slices.SortFunc(out, func(x, y irCost) int {
			dx, dy := abs(x.Kit-x.Floor), abs(y.Kit-y.Floor)
			switch {
			case dx > dy:
				return -1
			case dx < dy:
				return 1
			}
			return strings.Compare(x.Name, y.Name)
		})
		return out
	}
	return sorted(byPkg), sorted(byFn), nil
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// annotateLine is one function's line of callgrind_annotate: its self
// instructions, its percentage, file:function and the object in brackets.
var annotateLine = regexp.MustCompile(`^\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+(.+?)(?:\s+\[.*\])?$`)

// annotateSelf runs callgrind_annotate on file and returns every function's
// self instructions (recursion levels merged).
func annotateSelf(annotate, file string) (map[string]int64, error) {
	out, err := exec.Command(annotate, "--inclusive=no", "--threshold=100", file).Output()
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", annotate, file, err)
	}
	m := map[string]int64{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		g := annotateLine.FindStringSubmatch(sc.Text())
		if g == nil || strings.Contains(g[2], "PROGRAM TOTALS") {
			continue
		}
		n, err := strconv.ParseInt(strings.ReplaceAll(g[1], ",", ""), 10, 64)
		if err != nil {
			continue
		}
		m[funcName(g[2])] += n
	}
	if len(m) == 0 {
		return nil, fmt.Errorf("%s %s: no functions in its output", annotate, file)
	}
	return m, sc.Err()
}

// funcName takes the function from callgrind_annotate's "file:function",
// without callgrind's recursion mark ('2).
func funcName(s string) string {
	if i := strings.Index(s, ".go:"); i >= 0 {
		s = s[i+4:]
	} else if i := strings.Index(s, ".s:"); i >= 0 {
		s = s[i+3:]
	} else if i := strings.Index(s, "???:"); i >= 0 {
		s = s[i+4:]
	}
	if i := strings.LastIndexByte(s, '\''); i > 0 {
		if _, err := strconv.Atoi(s[i+1:]); err == nil {
			s = s[:i]
		}
	}
	return s
}

// pkgOf is the Go package of a function name (runtime for the runtime's
// assembly and the C library).
func pkgOf(fn string) string {
	base := fn // a type argument may hold slashes: look before it
	if i := strings.IndexByte(fn, '['); i >= 0 {
		base = fn[:i]
	}
	slash := strings.LastIndexByte(base, '/')
	dot := strings.IndexByte(fn[slash+1:], '.')
	if dot < 0 || strings.HasPrefix(fn, "0x") {
		return "runtime (assembly, libc)"
	}
	return fn[:slash+1+dot]
}
