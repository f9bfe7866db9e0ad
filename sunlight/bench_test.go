package sunlight

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"
)

// community generates the benchmark site: 200 residential towers
// on 1 km × 1 km, one in each cell of a 15 × 14 grid of ~70 m cells (the
// first 200), footprints 20–40 m a side placed at random in their cell,
// 6–33 storeys of 3 m, from a fixed seed. It returns the prisms and the
// facade receivers of every storey's sill (floor + 0.9 m) at 1 m spacing.
func community(tb testing.TB) ([]Prism, []Receiver) {
	rng := rand.New(rand.NewPCG(22, 2026))
	const cols, cell = 15, 1000.0 / 15
	var prisms []Prism
	var recs []Receiver
	for i := 0; i < 200; i++ {
		w, d := 20+20*rng.Float64(), 20+20*rng.Float64()
		x0 := float64(i%cols)*cell + rng.Float64()*(cell-w) - 500
		y0 := float64(i/cols)*(1000.0/14) + rng.Float64()*(1000.0/14-d) - 500
		storeys := 6 + rng.IntN(28)
		p := box(x0, y0, x0+w, y0+d, 3*float64(storeys), i)
		prisms = append(prisms, p)
		for s := 0; s < storeys; s++ {
			rs, err := Facade(p.Rings, 3*float64(s)+0.9, 1, 0, i)
			if err != nil {
				tb.Fatal(err)
			}
			recs = append(recs, rs...)
		}
	}
	return prisms, recs
}

// BenchmarkCommunity runs the 大寒 rule at Hangzhou (481 samples at 1 min)
// over the generated community. Every op evaluates every stride-th
// receiver of the full facade grid (the whole grid takes minutes on a
// shared 2-core machine); receivers/s and the projected seconds for a
// million receivers are reported.
func BenchmarkCommunity(b *testing.B) {
	prisms, all := community(b)
	const stride = 64
	var recs []Receiver
	for i := 0; i < len(all); i += stride {
		recs = append(recs, all[i])
	}
	su := hangzhouSetup(b, Hangzhou)
	s, err := NewScene(prisms, 0)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d towers, %d receivers in the full grid, %d per op", len(prisms), len(all), len(recs))
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	pass := 0
	for range b.N {
		res, err := Evaluate(context.Background(), s, su.track, Hangzhou, recs)
		if err != nil {
			b.Fatal(err)
		}
		pass = 0
		for _, r := range res {
			if r.Pass {
				pass++
			}
		}
	}
	el := time.Since(start).Seconds()
	perS := float64(b.N*len(recs)) / el
	b.ReportMetric(perS, "receivers/s")
	b.ReportMetric(1e6/perS, "s/1M-receivers")
	b.ReportMetric(float64(pass)/float64(len(recs)), "pass-share")
}
