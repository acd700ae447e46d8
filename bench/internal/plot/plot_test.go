package plot

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/png"
	"math"
	"testing"
)

func chart(logY bool) *Chart {
	return &Chart{
		Title: "Throughput", XLabel: "requests in flight", YLabel: "requests/s",
		XTicks: []string{"1", "2", "4", "8"},
		LogY:   logY,
		Series: []Series{
			{Name: "kit", Color: Palette[0], Y: []float64{100, 180, 300, 420}},
			{Name: "floor", Color: Palette[1], Dashed: true, Y: []float64{110, math.NaN(), 320, 450}},
		},
	}
}

func count(t *testing.T, c *Chart, want color.RGBA) int {
	t.Helper()
	var buf bytes.Buffer
	if err := c.WritePNG(&buf); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != Width || b.Dy() != Height {
		t.Fatalf("size %v, want %dx%d", b, Width, Height)
	}
	rgba, ok := img.(*image.RGBA)
	if !ok {
		t.Fatalf("decoded as %T, want an opaque RGBA image", img)
	}
	n := 0
	for i := 0; i+3 < len(rgba.Pix); i += 4 {
		if rgba.Pix[i] == want.R && rgba.Pix[i+1] == want.G && rgba.Pix[i+2] == want.B {
			n++
		}
	}
	return n
}

func TestWritePNGDrawsEverySeries(t *testing.T) {
	for _, logY := range []bool{false, true} {
		c := chart(logY)
		for _, s := range c.Series {
			// Three segments of a 2-px line plus markers and the legend.
			if n := count(t, c, s.Color); n < 300 {
				t.Errorf("logY=%v: series %s has %d pixels of its colour", logY, s.Name, n)
			}
		}
	}
}

func TestSeriesWithoutValuesDrawsNothing(t *testing.T) {
	c := chart(false)
	c.Series[1].Y = []float64{math.NaN(), math.NaN(), math.NaN(), math.NaN()}
	// Only the legend's sample: a short line and a marker.
	if n := count(t, c, Palette[1]); n == 0 || n > 150 {
		t.Errorf("empty series drew %d pixels", n)
	}
}

func TestNoData(t *testing.T) {
	c := &Chart{XTicks: []string{"1"}, Series: []Series{{Y: []float64{math.NaN()}}}}
	if err := c.WritePNG(&bytes.Buffer{}); !errors.Is(err, ErrNoData) {
		t.Fatalf("err = %v, want ErrNoData", err)
	}
	c = &Chart{LogY: true, XTicks: []string{"1"}, Series: []Series{{Y: []float64{0}}}}
	if err := c.WritePNG(&bytes.Buffer{}); !errors.Is(err, ErrNoData) {
		t.Fatalf("log of zero: err = %v, want ErrNoData", err)
	}
}

func TestYRange(t *testing.T) {
	c := chart(false)
	if lo, hi, _ := c.yRange(); lo != 0 || hi != 500 {
		t.Errorf("linear range = %v..%v, want 0..500", lo, hi)
	}
	c = chart(true)
	if lo, hi, _ := c.yRange(); lo != 100 || hi != 1000 {
		t.Errorf("log range = %v..%v, want 100..1000", lo, hi)
	}
}

func TestFormatNumber(t *testing.T) {
	for v, want := range map[float64]string{0: "0", 0.5: "0.5", 20: "20", 1500: "1500", 12000: "12K", 3e6: "3M", 0.02: "0.02", 250.4: "250"} {
		if got := FormatNumber(v); got != want {
			t.Errorf("FormatNumber(%v) = %q, want %q", v, got, want)
		}
	}
}

func TestEveryLabelCharacterHasAGlyph(t *testing.T) {
	for _, s := range []string{"REQUESTS IN FLIGHT", "P99 LATENCY (MS)", "CPU MS / 1000 REQUESTS", "PEAK RSS (MB)", "KIT, 20 MS", "FLOOR: 0-9 + = %"} {
		for _, r := range s {
			if _, ok := glyphs[r]; !ok {
				t.Errorf("no glyph for %q", r)
			}
		}
	}
	for r, g := range glyphs {
		for _, row := range g {
			if len(row) != glyphW {
				t.Errorf("glyph %q has a row of %d columns", r, len(row))
			}
		}
	}
}
