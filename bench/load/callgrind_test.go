package main

import (
	"math"
	"os"
	"path/filepath"
	"testing"
)

func TestFuncNameAndPackage(t *testing.T) {
	for _, tc := range []struct{ in, fn, pkg string }{
		{"./runtime/malloc.go:runtime.mallocgc", "runtime.mallocgc", "runtime"},
		{"./runtime/select.go:runtime.selectgo'2", "runtime.selectgo", "runtime"},
		{"net/http/server.go:net/http.(*conn).serve", "net/http.(*conn).serve", "net/http"},
		{"github.com/sociogram-kit/kit/handler/mux.go:github.com/sociogram-kit/kit/handler.(*Mux).ServeHTTP.func1",
			"github.com/sociogram-kit/kit/handler.(*Mux).ServeHTTP.func1", "github.com/sociogram-kit/kit/handler"},
		{"./slices/sort.go:slices.SortFunc[go.shape.[]net/http.x]", "slices.SortFunc[go.shape.[]net/http.x]", "slices"},
		{"./runtime/asm_amd64.s:aeshashbody", "aeshashbody", "runtime (assembly, libc)"},
		{"???:0x000000000003c050", "0x000000000003c050", "runtime (assembly, libc)"},
	} {
		fn := funcName(tc.in)
		if fn != tc.fn || pkgOf(fn) != tc.pkg {
			t.Errorf("%s: function %q package %q, want %q %q", tc.in, fn, pkgOf(fn), tc.fn, tc.pkg)
		}
	}
}

func TestAnnotateLine(t *testing.T) {
	g := annotateLine.FindStringSubmatch("6,098,679 ( 5.33%)  ./runtime/malloc.go:runtime.mallocgcSmallScanNoHeader [/tmp/cgtest/kwebhook]")
	if g == nil || g[1] != "6,098,679" || g[2] != "./runtime/malloc.go:runtime.mallocgcSmallScanNoHeader" {
		t.Errorf("got %q", g)
	}
}

func TestCallgrindTotal(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		body string
		want int64
		ok   bool
	}{
		{"events: Ir\nsummary: 42\nfn=x\n1 42\n\ntotals: 42\n", 42, true},
		{"events: Ir\nsummary: 42\nfn=x\n1 4", 0, false}, // still being written
		{"", 0, false},
	} {
		p := filepath.Join(dir, "f")
		os.WriteFile(p, []byte(tc.body), 0o644)
		if got, ok := callgrindTotal(p); got != tc.want || ok != tc.ok {
			t.Errorf("%q: %d %v, want %d %v", tc.body, got, ok, tc.want, tc.ok)
		}
	}
}

func TestPerRequest(t *testing.T) {
	r := &instrResult{N1: 100, N2: 600, Runs: []instrRun{
		{Target: "kit", Requests: 100, Repeat: 1, Ir: 1_000_000},
		{Target: "kit", Requests: 600, Repeat: 1, Ir: 6_000_000},
		{Target: "floor", Requests: 100, Repeat: 1, Ir: 900_000},
		{Target: "floor", Requests: 600, Repeat: 1, Ir: 5_900_000},
		{Target: "kit", Requests: 100, Repeat: 2, Ir: 1_100_000},
		{Target: "kit", Requests: 600, Repeat: 2, Ir: 6_200_000},
	}}
	if got := r.perRequest("kit"); len(got) != 2 || got[0] != 10_000 || got[1] != 10_200 {
		t.Errorf("kit %v, want [10000 10200]", got)
	}
	if got := r.perRequest("floor"); len(got) != 1 || got[0] != 10_000 {
		t.Errorf("floor %v, want [10000] (its second repeat is missing)", got)
	}
	if s := spread([]float64{10_000, 10_200}); math.Abs(s-200.0/10_100) > 1e-12 {
		t.Errorf("spread %v", s)
	}
}

func TestBootstrapMedianCI(t *testing.T) {
	xs := []float64{1.02, 1.05, 0.98, 1.10, 1.04, 1.07, 1.01, 1.03, 1.06, 0.99}
	lo, hi := bootstrapMedianCI(xs, 0.95)
	if m := median(xs); !(lo <= m && m <= hi) || lo < 0.98 || hi > 1.10 {
		t.Errorf("interval [%v, %v] for median %v", lo, hi, m)
	}
	if lo2, hi2 := bootstrapMedianCI(xs, 0.95); lo2 != lo || hi2 != hi {
		t.Error("not reproducible")
	}
	if lo, hi := bootstrapMedianCI(xs[:2], 0.95); !math.IsNaN(lo) || !math.IsNaN(hi) {
		t.Error("want NaN for two values")
	}
}

func TestCIVerdict(t *testing.T) {
	for _, tc := range []struct {
		r, lo, hi float64
		want      string
	}{
		{1.02, 0.99, 1.05, "1.02 [0.99, 1.05]: **met**"},
		{1.08, 1.02, 1.14, "1.08 [1.02, 1.14]: **met** at the median, the interval reaches above 1.10"},
		{1.12, 1.05, 1.20, "1.12 [1.05, 1.20]: **missed** at the median, the interval reaches below 1.10"},
		{1.20, 1.15, 1.25, "1.20 [1.15, 1.25]: **missed**"},
		{1.05, math.NaN(), math.NaN(), "1.05: **met** (too few trials for an interval)"},
	} {
		if got := ciVerdict(tc.r, tc.lo, tc.hi, 1.10); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
}

func TestFInt(t *testing.T) {
	for v, want := range map[float64]string{0: "0", 999: "999", 1000: "1,000", 637294.4: "637,294", -11363: "−11,363"} {
		if got := fInt(v); got != want {
			t.Errorf("fInt(%v) = %q, want %q", v, got, want)
		}
	}
}
