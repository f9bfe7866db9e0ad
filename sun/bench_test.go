package sun

import (
	"testing"
	"time"
)

func BenchmarkCompute(b *testing.B) {
	b.ReportAllocs()
	t := time.Date(2025, 12, 21, 12, 0, 0, 0, ChinaStandardTime)
	var sink float64
	for b.Loop() {
		sink += Compute(t, hangzhou, Options{}).Zenith
	}
	_ = sink
}

func BenchmarkSweep(b *testing.B) {
	b.ReportAllocs()
	day := time.Date(2026, 1, 20, 0, 0, 0, 0, time.UTC)
	for b.Loop() {
		if _, err := Sweep(hangzhou, day, MajorColdBand, time.Minute, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSweepDirect is the sweep done with a full Compute and an exact
// conversion per step, the peer that BenchmarkSweep's interpolation is
// measured against.
func BenchmarkSweepDirect(b *testing.B) {
	b.ReportAllocs()
	midnight := time.Date(2026, 1, 20, 0, 0, 0, 0, TrueSolarZone)
	out := make([]Step, 481)
	for b.Loop() {
		for k := range out {
			tst := midnight.Add(MajorColdBand.Start + time.Duration(k)*time.Minute)
			bj := FromTrueSolar(tst, hangzhou.Lon, Options{})
			p := Compute(bj, hangzhou, Options{})
			out[k] = Step{tst, bj, p.Elevation, p.Azimuth, Direction(p.Elevation, p.Azimuth)}
		}
	}
}
