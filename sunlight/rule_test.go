package sunlight

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"
	"time"
)

// An east-facing sill with nothing around it is lit while the Sun is in
// front of the facade by at least the sweep angle: the horizontal
// direction to the Sun (sin az, cos az) dotted with the normal (1, 0) is
// sin az ≥ sin(sweep), az ≤ 180° − sweep. So it is lit from 8:00 until
// the Sun's azimuth reaches 165° (sweep 15°), 168° (12°) or 180° (0°,
// true noon): a smaller sweep angle gives more sunlight.
func TestSweepAngle(t *testing.T) {
	var prev time.Duration
	for _, sweep := range []float64{15, 12, 0} {
		r := Hangzhou
		r.SweepDeg = sweep
		su := hangzhouSetup(t, r)
		got := run1(t, nil, r, su.track, Receiver{Z: 0.9, NX: 1})
		want := litMeasure(su.h0, su.h1, func(H float64) bool {
			e, n, u := closedSun(hangzhou.Lat, su.delta, H)
			return u > 0 && e/math.Hypot(e, n) > 0 && e/math.Hypot(e, n) >= math.Sin(rad(sweep))
		})
		near(t, fmt.Sprintf("east facade, sweep %v°", sweep), got.Total, want, su.track.Step)
		if got.Total <= prev {
			t.Errorf("sweep %v°: %v, not more than with a larger sweep angle (%v)", sweep, got.Total, prev)
		}
		prev = got.Total
	}
}

// Two gaps between three 200 m towers south of a sill: a narrow one on
// the meridian (the Sun within atan(2/60) = 1.9° of south, some 12 min)
// and a wide one to the south-west. Cumulative counting adds both
// periods, continuous counting takes the longer, and a shortest counted
// period longer than the narrow gap's drops it.
func TestCounting(t *testing.T) {
	base := Hangzhou
	su := hangzhouSetup(t, base)
	prisms := []Prism{
		box(-400, -60, -2, -40, 200, 1),
		box(2, -60, 30, -40, 200, 2),
		box(60, -60, 400, -40, 200, 3),
	}
	rc := Receiver{Y: -DefaultOffsetM, Z: 0.9, NY: -1}
	all := run1(t, prisms, base, su.track, rc)
	if len(all.Periods) != 2 {
		t.Fatalf("two gaps: periods %v, want two", all.Periods)
	}
	narrow, wide := all.Periods[0].Len(time.Minute), all.Periods[1].Len(time.Minute)
	if narrow > wide {
		narrow, wide = wide, narrow
	}
	if narrow < 5*time.Minute || narrow > 30*time.Minute {
		t.Fatalf("narrow gap lit %v; the test is mis-set", narrow)
	}
	tests := []struct {
		name       string
		maxPeriods int
		shortest   time.Duration
		want       time.Duration
	}{
		{"cumulative", 0, 0, narrow + wide},
		{"continuous", 1, 0, wide},
		{"longest two", 2, 0, narrow + wide},
		{"shortest counted above the narrow gap", 0, narrow + time.Minute, wide},
		{"shortest counted equal to the narrow gap", 0, narrow, narrow + wide},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := base
			r.MaxPeriods, r.Shortest = tc.maxPeriods, tc.shortest
			r.Min = tc.want
			got := run1(t, prisms, r, su.track, rc)
			if got.Counted != tc.want || !got.Pass {
				t.Errorf("counted %v (pass %v), want %v", got.Counted, got.Pass, tc.want)
			}
			r.Min = tc.want + time.Minute
			if got := run1(t, prisms, r, su.track, rc); got.Pass {
				t.Errorf("passes a minimum of %v with %v counted", r.Min, got.Counted)
			}
			if got.Total != narrow+wide || got.Longest != wide {
				t.Errorf("total %v longest %v, want %v and %v whatever the rule", got.Total, got.Longest, narrow+wide, wide)
			}
		})
	}
}

func TestCount(t *testing.T) {
	ps := []Period{{0, 3}, {10, 20}, {30, 34}, {40, 41}}
	tests := []struct {
		name string
		r    Rule
		want time.Duration
	}{
		{"all", Rule{}, 18 * time.Minute},
		{"longest", Rule{MaxPeriods: 1}, 10 * time.Minute},
		{"two longest", Rule{MaxPeriods: 2}, 14 * time.Minute},
		{"shortest 4", Rule{Shortest: 4 * time.Minute}, 14 * time.Minute},
		{"shortest 4, two longest", Rule{Shortest: 4 * time.Minute, MaxPeriods: 2}, 14 * time.Minute},
		{"shortest 5, two longest", Rule{Shortest: 5 * time.Minute, MaxPeriods: 2}, 10 * time.Minute},
	}
	for _, tc := range tests {
		if got := Count(ps, time.Minute, tc.r); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestFacade(t *testing.T) {
	sq := [][2]float64{{0, 0}, {10, 0}, {10, 4}, {0, 4}} // counter-clockwise
	rev := [][2]float64{{0, 4}, {10, 4}, {10, 0}, {0, 0}}
	hole := [][2]float64{{4, 1}, {6, 1}, {6, 3}, {4, 3}}
	for _, tc := range []struct {
		name  string
		rings [][][2]float64
		n     int
	}{
		{"ccw", [][][2]float64{sq}, 10 + 4 + 10 + 4},
		{"cw", [][][2]float64{rev}, 28},
		{"with courtyard", [][][2]float64{sq, hole}, 28 + 8},
	} {
		rs, err := Facade(tc.rings, 0.9, 1, 0, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != tc.n {
			t.Errorf("%s: %d receivers, want %d", tc.name, len(rs), tc.n)
		}
		for _, r := range rs {
			// Every receiver stands outside the solid footprint, its
			// normal pointing further out: a step along it stays outside.
			q, _ := prepare(Prism{Rings: tc.rings, Z1: 1})
			x, y := r.X+r.NX, r.Y+r.NY
			if q.hitsSegment(r.X, r.Y, r.X, r.Y) || q.hitsSegment(x, y, x, y) {
				t.Errorf("%s: receiver %+v inside the footprint or facing in", tc.name, r)
			}
			if math.Abs(math.Hypot(r.NX, r.NY)-1) > 1e-12 || r.Z != 0.9 || r.Building != 3 {
				t.Errorf("%s: receiver %+v", tc.name, r)
			}
		}
	}
	// Edge of 2.5 m at 1 m spacing: 3 pieces of 0.833 m, centres at
	// 0.417, 1.25, 2.083.
	rs, _ := Facade([][][2]float64{{{0, 0}, {2.5, 0}, {2.5, 2.5}, {0, 2.5}}}, 0, 1, 0.05, 0)
	if rs[0].Y != -0.05 || math.Abs(rs[0].X-2.5/6) > 1e-12 || math.Abs(rs[1].X-1.25) > 1e-12 || rs[0].NY != -1 {
		t.Errorf("first edge: %+v %+v", rs[0], rs[1])
	}
	if _, err := Facade([][][2]float64{{{0, 0}, {1, 1}}}, 0, 1, 0, 0); !errors.Is(err, ErrGeometry) {
		t.Errorf("two-vertex ring: %v", err)
	}
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    Prism
	}{
		{"flat", box(0, 0, 1, 1, 0, 0)},
		{"no rings", Prism{Z1: 3}},
		{"nan", Prism{Rings: [][][2]float64{{{0, 0}, {math.NaN(), 0}, {1, 1}}}, Z1: 3}},
	} {
		if _, err := NewScene([]Prism{box(0, 0, 1, 1, 3, 0), tc.p}, 0); !errors.Is(err, ErrGeometry) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	su := hangzhouSetup(t, Hangzhou)
	s, _ := NewScene(nil, 0)
	bad := Hangzhou
	bad.Step = 7 * time.Minute
	if _, err := Evaluate(context.Background(), s, su.track, bad, nil); err == nil {
		t.Error("a 7-minute step over an 8-hour band: no error")
	}
	bad = Hangzhou
	bad.Step = 2 * time.Minute
	if _, err := Evaluate(context.Background(), s, su.track, bad, nil); err == nil {
		t.Error("a track at 1 minute for a rule at 2: no error")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Evaluate(ctx, s, su.track, Hangzhou, make([]Receiver, 10)); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}
