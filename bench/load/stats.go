package main

import (
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// percentile returns the p-th percentile (0 < p <= 100) of ds by the
// nearest-rank method: the smallest value with at least p% of the values at
// or below it. It sorts ds. Zero for no values.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	rank := int(math.Ceil(p / 100 * float64(len(ds))))
	return ds[min(max(rank, 1), len(ds))-1]
}

// median returns the median of xs (the mean of the middle two for an even
// count), NaN for none. It does not modify xs.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// ratio is a/b, NaN when b is zero or either is NaN.
func ratio(a, b float64) float64 {
	if b == 0 || math.IsNaN(a) || math.IsNaN(b) {
		return math.NaN()
	}
	return a / b
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// bootstrapMedianCI is the percentile-bootstrap confidence interval (level,
// e.g. 0.95) of the median of xs: 10,000 resamples with a fixed seed, so a
// run's report is reproducible from its results.json. NaN for fewer than 3
// values.
func bootstrapMedianCI(xs []float64, level float64) (lo, hi float64) {
	if len(xs) < 3 {
		return math.NaN(), math.NaN()
	}
	const resamples = 10_000
	rng := rand.New(rand.NewPCG(1, 2))
	meds := make([]float64, resamples)
	s := make([]float64, len(xs))
	for i := range meds {
		for j := range s {
			s[j] = xs[rng.IntN(len(xs))]
		}
		meds[i] = median(s)
	}
	slices.Sort(meds)
	a := (1 - level) / 2
	return meds[int(a*resamples)], meds[min(resamples-1, int((1-a)*resamples))]
}
