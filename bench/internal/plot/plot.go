package plot

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"strconv"
)

// Chart is a line chart over categorical x positions (drawn equally spaced,
// e.g. concurrency 1, 2, 4 ... 64).
type Chart struct {
	Title  string
	XLabel string
	YLabel string
	XTicks []string // one label per x position
	LogY   bool     // decades on the y axis; values <= 0 are skipped
	Series []Series
}

// Series is one line. Y has one value per x position; NaN leaves a gap.
type Series struct {
	Name   string
	Color  color.RGBA
	Dashed bool
	Y      []float64
}

// Palette holds distinguishable colours for series.
var Palette = []color.RGBA{
	{0x1f, 0x77, 0xb4, 0xff}, // blue
	{0xd6, 0x27, 0x28, 0xff}, // red
	{0x2c, 0xa0, 0x2c, 0xff}, // green
	{0xff, 0x7f, 0x0e, 0xff}, // orange
	{0x94, 0x67, 0xbd, 0xff}, // purple
	{0x8c, 0x56, 0x4b, 0xff}, // brown
}

// Image size and layout, in pixels.
const (
	Width  = 820
	Height = 460
	left   = 100
	right  = Width - 210
	top    = 50
	bottom = Height - 70
	scale  = 2
)

var (
	white = color.RGBA{0xff, 0xff, 0xff, 0xff}
	black = color.RGBA{0x20, 0x20, 0x20, 0xff}
	grey  = color.RGBA{0xdd, 0xdd, 0xdd, 0xff}
)

// ErrNoData is returned for a chart without x positions or finite values.
var ErrNoData = errors.New("plot: nothing to draw")

// WritePNG draws the chart and encodes it as PNG to w.
func (c *Chart) WritePNG(w io.Writer) error {
	img, err := c.Draw()
	if err != nil {
		return err
	}
	return png.Encode(w, img)
}

// Draw renders the chart.
func (c *Chart) Draw() (*image.RGBA, error) {
	lo, hi, ok := c.yRange()
	if !ok || len(c.XTicks) == 0 {
		return nil, ErrNoData
	}
	img := image.NewRGBA(image.Rect(0, 0, Width, Height))
	fill(img, 0, 0, Width, Height, white)
	ys := c.axis(img, lo, hi)
	xs := c.xAxis(img)
	for _, s := range c.Series {
		c.drawSeries(img, s, xs, ys)
	}
	c.legend(img)
	drawText(img, (Width-textWidth(c.Title, scale))/2, 14, c.Title, scale, black)
	drawText(img, left+(right-left-textWidth(c.XLabel, scale))/2, Height-24, c.XLabel, scale, black)
	drawTextUp(img, 14, top+(bottom-top+textWidth(c.YLabel, scale))/2, c.YLabel, scale, black)
	return img, nil
}

// yRange returns the y axis range: from 0 (linear) or the decade below the
// smallest value (log) to a round number at or above the largest.
func (c *Chart) yRange() (lo, hi float64, ok bool) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, s := range c.Series {
		for _, v := range s.Y {
			if math.IsNaN(v) || math.IsInf(v, 0) || (c.LogY && v <= 0) {
				continue
			}
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	if hi < lo {
		return 0, 0, false
	}
	if c.LogY {
		lo = math.Pow(10, math.Floor(math.Log10(lo)))
		hi = math.Pow(10, math.Ceil(math.Log10(hi)))
		if hi <= lo {
			hi = lo * 10
		}
		return lo, hi, true
	}
	step := niceStep(hi / 5)
	hi = math.Ceil(hi/step) * step
	if hi <= 0 {
		hi = 1
	}
	return 0, hi, true
}

// niceStep is the smallest 1, 2 or 5 times a power of ten at or above v.
func niceStep(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

// axis draws the y axis with its grid and returns the value-to-pixel map.
func (c *Chart) axis(img *image.RGBA, lo, hi float64) func(float64) int {
	y := func(v float64) int {
		f := (v - lo) / (hi - lo)
		if c.LogY {
			f = math.Log10(v/lo) / math.Log10(hi/lo)
		}
		return bottom - int(math.Round(f*float64(bottom-top)))
	}
	var ticks []float64
	if c.LogY {
		mults := []float64{1}
		if hi/lo <= 100 {
			mults = []float64{1, 2, 5} // few decades: label 1, 2, 5 of each
		}
		for v := lo; v <= hi*1.0001; v *= 10 {
			for _, m := range mults {
				if m*v <= hi*1.0001 {
					ticks = append(ticks, m*v)
				}
			}
		}
	} else {
		step := niceStep(hi / 5)
		for v := 0.0; v <= hi+step/1000; v += step {
			ticks = append(ticks, v)
		}
	}
	for _, v := range ticks {
		py := y(v)
		line(img, left, py, right, py, grey, false)
		label := FormatNumber(v)
		drawText(img, left-8-textWidth(label, scale), py-glyphH*scale/2, label, scale, black)
	}
	line(img, left, top, left, bottom, black, false)
	line(img, left, bottom, right, bottom, black, false)
	return y
}

// xAxis draws the x tick labels and returns each position's pixel column.
func (c *Chart) xAxis(img *image.RGBA) []int {
	n := len(c.XTicks)
	xs := make([]int, n)
	for i, label := range c.XTicks {
		xs[i] = left + 20 + i*(right-left-40)/max(n-1, 1)
		if n == 1 {
			xs[i] = (left + right) / 2
		}
		line(img, xs[i], bottom, xs[i], bottom+5, black, false)
		drawText(img, xs[i]-textWidth(label, scale)/2, bottom+10, label, scale, black)
	}
	return xs
}

func (c *Chart) drawSeries(img *image.RGBA, s Series, xs []int, y func(float64) int) {
	prev := -1
	for i, v := range s.Y {
		if i >= len(xs) || math.IsNaN(v) || math.IsInf(v, 0) || (c.LogY && v <= 0) {
			prev = -1
			continue
		}
		fill(img, xs[i]-3, y(v)-3, 7, 7, s.Color)
		if prev >= 0 {
			thickLine(img, xs[prev], y(s.Y[prev]), xs[i], y(v), s.Color, s.Dashed)
		}
		prev = i
	}
}

func (c *Chart) legend(img *image.RGBA) {
	x, y := right+16, top
	for _, s := range c.Series {
		thickLine(img, x, y+6, x+28, y+6, s.Color, s.Dashed)
		fill(img, x+11, y+3, 7, 7, s.Color)
		drawText(img, x+36, y, s.Name, scale, black)
		y += 26
	}
}

func thickLine(img *image.RGBA, x0, y0, x1, y1 int, c color.RGBA, dashed bool) {
	for _, d := range [][2]int{{0, 0}, {1, 0}, {0, 1}, {1, 1}} {
		line(img, x0+d[0], y0+d[1], x1+d[0], y1+d[1], c, dashed)
	}
}

// line draws with Bresenham's algorithm; dashed lines alternate 8 pixels on,
// 6 off.
func line(img *image.RGBA, x0, y0, x1, y1 int, c color.RGBA, dashed bool) {
	dx, dy := abs(x1-x0), -abs(y1-y0)
	sx, sy := sign(x1-x0), sign(y1-y0)
	err := dx + dy
	for n := 0; ; n++ {
		if !dashed || n%14 < 8 {
			img.SetRGBA(x0, y0, c)
		}
		if x0 == x1 && y0 == y1 {
			return
		}
		if e2 := 2 * err; e2 >= dy {
			err += dy
			x0 += sx
		} else {
			err += dx
			y0 += sy
		}
	}
}

// FormatNumber prints a tick value compactly: 0.5, 20, 1500, 12k, 3M.
func FormatNumber(v float64) string {
	switch a := math.Abs(v); {
	case a >= 1e6 && math.Mod(v, 1e5) == 0:
		return strconv.FormatFloat(v/1e6, 'f', -1, 64) + "M"
	case a >= 1e4 && math.Mod(v, 1e3) == 0:
		return strconv.FormatFloat(v/1e3, 'f', -1, 64) + "K"
	case a >= 100 || v == math.Trunc(v):
		return strconv.FormatFloat(math.Round(v), 'f', -1, 64)
	}
	return fmt.Sprintf("%.3g", v)
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func sign(v int) int {
	switch {
	case v < 0:
		return -1
	case v > 0:
		return 1
	}
	return 0
}
