package main

import (
	"bufio"
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	var ds []time.Duration
	for i := 100; i >= 1; i-- { // 1..100 ms, unsorted
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	for p, want := range map[float64]time.Duration{50: 50 * time.Millisecond, 99: 99 * time.Millisecond, 100: 100 * time.Millisecond, 0.1: time.Millisecond} {
		if got := percentile(ds, p); got != want {
			t.Errorf("p%v = %v, want %v", p, got, want)
		}
	}
	if got := percentile([]time.Duration{7}, 99); got != 7 {
		t.Errorf("p99 of one value = %v", got)
	}
	if got := percentile(nil, 50); got != 0 {
		t.Errorf("p50 of none = %v", got)
	}
}

func TestMedianAndRatio(t *testing.T) {
	xs := []float64{5, 1, 3}
	if m := median(xs); m != 3 {
		t.Errorf("median = %v", m)
	}
	if xs[0] != 5 {
		t.Error("median sorted its argument")
	}
	if m := median([]float64{4, 1, 3, 2}); m != 2.5 {
		t.Errorf("even median = %v", m)
	}
	if !math.IsNaN(median(nil)) || !math.IsNaN(ratio(1, 0)) || !math.IsNaN(ratio(math.NaN(), 1)) {
		t.Error("want NaN for no data")
	}
	if r := ratio(3, 2); r != 1.5 {
		t.Errorf("ratio = %v", r)
	}
}

func TestStatCPU(t *testing.T) {
	// A real line, with a command name holding spaces and a parenthesis.
	line := "4242 (web hook) x) S 1 4242 4242 0 -1 4194560 1200 0 0 0 150 25 0 0 20 0 5 0 100 1000000 500 18446744073709551615\n"
	got, err := statCPU(line)
	if err != nil {
		t.Fatal(err)
	}
	if want := 175 * 10 * time.Millisecond; got != want {
		t.Errorf("cpu = %v, want %v", got, want)
	}
	if _, err := statCPU("garbage"); err == nil {
		t.Error("no error for a malformed line")
	}
}

func TestStatusField(t *testing.T) {
	status := "Name:\twebhook\nVmPeak:\t 1000 kB\nVmHWM:\t   13780 kB\nVmRSS:\t   12000 kB\n"
	got, err := statusField(status, "VmHWM")
	if err != nil || got != 13780*1024 {
		t.Errorf("VmHWM = %d, %v", got, err)
	}
	if _, err := statusField(status, "VmSwap"); err == nil {
		t.Error("no error for a missing field")
	}
}

func TestSplice(t *testing.T) {
	doc := "# T\n<!-- x:begin -->\nold\n<!-- x:end -->\ntail\n"
	got, err := splice(doc, "x", "new\n")
	if err != nil {
		t.Fatal(err)
	}
	if want := "# T\n<!-- x:begin -->\nnew\n<!-- x:end -->\ntail\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if _, err := splice(doc, "y", "z"); !errors.Is(err, ErrNoMarkers) {
		t.Errorf("err = %v, want ErrNoMarkers", err)
	}
}

func TestParseInproc(t *testing.T) {
	out := `goos: linux
BenchmarkServe/chat-message/nolog-2   	 1000000	      1500 ns/op	  50.00 MB/s	     600 B/op	      12 allocs/op
BenchmarkServe/chat-message/nolog-2   	 1000000	      1300 ns/op	  50.00 MB/s	     600 B/op	      12 allocs/op
BenchmarkServe/chat-message/nolog-2   	 1000000	      1900 ns/op	  50.00 MB/s	     600 B/op	      13 allocs/op
BenchmarkParse-2                      	 5000000	       250 ns/op	     100 B/op	       3 allocs/op
PASS
`
	got, err := parseInproc(bufio.NewScanner(strings.NewReader(out)))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("got %d benchmarks: %+v", len(got), got)
	}
	if g := got[0]; g.Name != "BenchmarkServe/chat-message/nolog" || g.NsOp != 1500 || g.Allocs != 12 || g.Runs != 3 {
		t.Errorf("serve = %+v", g)
	}
	if g := got[1]; g.Name != "BenchmarkParse" || g.NsOp != 250 || g.Allocs != 3 {
		t.Errorf("parse = %+v", g)
	}
}

func TestAlternate(t *testing.T) {
	ts := []target{{name: "kit"}, {name: "floor"}, {name: "kit-warn"}}
	for i, want := range []string{"kit floor kit-warn", "floor kit-warn kit", "kit-warn kit floor", "kit floor kit-warn"} {
		var names []string
		for _, t := range alternate(ts, i) {
			names = append(names, t.name)
		}
		if got := strings.Join(names, " "); got != want {
			t.Errorf("trial %d: order %q, want %q", i, got, want)
		}
	}
}

func TestEventsEachGetAReply(t *testing.T) {
	// Every event of the mix is routed to a reply by the example bot: hello,
	// /start and button presses; no plain text without a route.
	for i, b := range events(12) {
		s := string(b)
		if !strings.Contains(s, "Hello bot!") && !strings.Contains(s, `"/start"`) && !strings.Contains(s, "callbackData") {
			t.Errorf("event %d gets no reply: %s", i, s)
		}
	}
}

func TestHeadlineAndPairedRatio(t *testing.T) {
	ps := []point{
		{Target: "kit", Conc: 1, Trial: 1, CPUPer1kMS: 110},
		{Target: "floor", Conc: 1, Trial: 1, CPUPer1kMS: 100},
		{Target: "kit", Conc: 1, Trial: 2, CPUPer1kMS: 240},
		{Target: "floor", Conc: 1, Trial: 2, CPUPer1kMS: 200},
		{Target: "kit", Conc: 1, Trial: 3, CPUPer1kMS: 130},
		{Target: "floor", Conc: 1, Trial: 3, CPUPer1kMS: 100},
		{Target: "kit", Conc: 16, Trial: 1, CPUPer1kMS: 999},
	}
	cpu := func(p point) float64 { return p.CPUPer1kMS }
	if k, f := headline(ps, "kit", 1, cpu), headline(ps, "floor", 1, cpu); k != 130 || f != 100 {
		t.Errorf("medians kit %v floor %v, want 130 and 100", k, f)
	}
	if r := pairedRatio(ps, "kit", 1, cpu); r != 1.2 { // of 1.1, 1.2, 1.3
		t.Errorf("paired ratio %v, want 1.2", r)
	}
	if r := pairedRatio(ps, "kit", 16, cpu); !math.IsNaN(r) {
		t.Errorf("no floor trial: paired ratio %v, want NaN", r)
	}
}
