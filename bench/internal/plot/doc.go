// Package plot draws the benchmark's line charts as PNG with the standard
// library only: axes, ticks, a legend and labels in a 5x7 bitmap font. It
// draws exactly what BENCHMARKS.md needs and nothing more.
package plot
