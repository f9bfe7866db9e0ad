package sunlight

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/future-community/cim/sun"
)

// The geometry tests put a receiver at Hangzhou on 大寒 2026 and compare
// the engine's lit time with one worked out from the Sun's closed-form
// path. With φ the latitude, δ the declination and H the hour angle
// (H = 15° per hour from true solar noon), the unit vector to the Sun in
// east-north-up is
//
//	east  = −cos δ sin H
//	north =  cos φ sin δ − sin φ cos δ cos H
//	up    =  sin φ sin δ + cos φ cos δ cos H   (= sin alt)
//
// δ is taken from the SPA at the band's middle; over the 8-hour band it
// drifts by about 0.1°, which moves the edges of a window by seconds.

var hangzhou = sun.Site{Lat: 30.2741, Lon: 120.1551}

func rad(d float64) float64 { return d * math.Pi / 180 }

// closedSun is the closed-form Sun direction at hour angle h (degrees).
func closedSun(phi, delta, h float64) (e, n, u float64) {
	p, d, hh := rad(phi), rad(delta), rad(h)
	e = -math.Cos(d) * math.Sin(hh)
	n = math.Cos(p)*math.Sin(d) - math.Sin(p)*math.Cos(d)*math.Cos(hh)
	u = math.Sin(p)*math.Sin(d) + math.Cos(p)*math.Cos(d)*math.Cos(hh)
	return
}

// litMeasure is the time within [h0, h1] (hour angles, degrees) where lit
// holds: the band is scanned at 0.5° (2 min) for changes of lit, each
// found by bisection on H to 1e-9°.
func litMeasure(h0, h1 float64, lit func(h float64) bool) time.Duration {
	total := 0.0
	a, la := h0, lit(h0)
	for a < h1 {
		b := math.Min(a+0.5, h1)
		lb := lit(b)
		if la == lb {
			if la {
				total += b - a
			}
		} else {
			lo, hi := a, b
			for hi-lo > 1e-9 {
				m := (lo + hi) / 2
				if lit(m) == la {
					lo = m
				} else {
					hi = m
				}
			}
			if la {
				total += lo - a
			} else {
				total += b - lo
			}
		}
		a, la = b, lb
	}
	return time.Duration(total / 15 * float64(time.Hour))
}

type setup struct {
	track Track
	delta float64
	h0    float64 // hour angle of the band's start, degrees
	h1    float64
}

func hangzhouSetup(t testing.TB, r Rule) setup {
	t.Helper()
	tr, err := NewTrack(hangzhou, 2026, r, sun.Options{})
	if err != nil {
		t.Fatal(err)
	}
	mid := tr.Steps[len(tr.Steps)/2]
	pos := sun.Compute(mid.Beijing, hangzhou, sun.Options{})
	return setup{track: tr, delta: pos.Delta,
		h0: (r.Band.Start - 12*time.Hour).Hours() * 15,
		h1: (r.Band.End - 12*time.Hour).Hours() * 15}
}

func box(x0, y0, x1, y1, z1 float64, b int) Prism {
	return Prism{Rings: [][][2]float64{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}}}, Z1: z1, Building: b}
}

func run1(t *testing.T, prisms []Prism, r Rule, tr Track, rc Receiver) Result {
	t.Helper()
	s, err := NewScene(prisms, 0)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Evaluate(context.Background(), s, tr, r, []Receiver{rc})
	if err != nil {
		t.Fatal(err)
	}
	return res[0]
}

func near(t *testing.T, name string, got, want, tol time.Duration) {
	t.Helper()
	if d := got - want; d > tol || d < -tol {
		t.Errorf("%s: engine %v, hand-worked %v (difference %v > %v)", name, got, want, d, tol)
	} else {
		t.Logf("%s: engine %v, hand-worked %v", name, got, want.Round(time.Second))
	}
}

// An east–west wall, 4 km long and 0.2 m thick, top h above a
// south-facing sill, its near (north) face d south of the sill's wall and
// so d − 0.05 m south of the receiver. A rising ray that is above the top
// where it crosses the near face's top edge is above the whole top, so
// that edge is the critical one; below, k is h / (d − 0.05). A ray towards the Sun, whose horizontal
// direction makes an angle A = az − 180° with due south, reaches the
// wall's far face after a horizontal run d/cos A and has risen
// (d/cos A)·tan(alt) there, so it clears the wall iff tan(alt)/cos A > h/d:
// the profile angle, tan(profile) = tan(alt)/cos(az − 180°) = up/(−north),
// must exceed atan(h/d). With k = h/d, up + k·north > 0 reads
//
//	cos H · cos δ (cos φ − k sin φ) > −sin δ (sin φ + k cos φ)
//
// so (for cos φ > k sin φ) the receiver is lit for |H| < H₀ with
//
//	cos H₀ = −tan δ (sin φ + k cos φ) / (cos φ − k sin φ),
//
// intersected with the band and the sweep-angle limit (−north/√(east² +
// north²) ≥ sin 15°). At Hangzhou on 大寒 (φ = 30.27°, δ ≈ −20.1°) the
// noon altitude is about 39.6°: a wall with h/d ≥ tan 39.6° = 0.83 shades
// the sill all day.
func TestInfiniteWall(t *testing.T) {
	r := Hangzhou
	su := hangzhouSetup(t, r)
	phi, delta := hangzhou.Lat, su.delta
	const d, sill = 30.0, 0.9
	for _, ratio := range []float64{0.1, 0.3, 0.5773502691896257, 0.75, 0.9} {
		h := ratio * d
		// The receiver's own block north of it (it must not shade its own
		// south facade) and the wall, 0.2 m thick.
		prisms := []Prism{
			box(-10, 0, 10, 15, 30, 1),
			box(-2000, -d-0.2, 2000, -d, sill+h, 2),
		}
		k := h / (d - DefaultOffsetM)
		rc := Receiver{X: 0, Y: -DefaultOffsetM, Z: sill, NX: 0, NY: -1, Building: 1}
		got := run1(t, prisms, r, su.track, rc)
		sinSweep := math.Sin(rad(r.SweepDeg))
		want := litMeasure(su.h0, su.h1, func(H float64) bool {
			e, n, u := closedSun(phi, delta, H)
			return u > 0 && u+k*n > 0 && -n/math.Hypot(e, n) >= sinSweep
		})
		// The closed form for H₀ agrees with the bisection when it binds.
		p, dl := rad(phi), rad(delta)
		if c := -math.Tan(dl) * (math.Sin(p) + k*math.Cos(p)) / (math.Cos(p) - k*math.Sin(p)); c > -1 && c < 1 {
			h0 := math.Acos(c) * 180 / math.Pi
			if h0 < su.h1 {
				closed := time.Duration(2 * h0 / 15 * float64(time.Hour))
				if dd := closed - want; dd > time.Second || dd < -time.Second {
					t.Errorf("k=%.3f: closed form 2H₀ = %v, bisection %v", k, closed, want)
				}
			}
		}
		near(t, fmt.Sprintf("wall h/d=%.3f", k), got.Total, want, su.track.Step)
	}
}

// Two 200 m towers 40–60 m south of a south-facing sill leave a gap
// 10 m wide centred on the sill's meridian. The ray towards the Sun at
// azimuth az, horizontal direction (sin az, cos az), is at x = −y·tan(az −
// 180°) when it crosses y; it passes the gap iff |x| ≤ 5 m for all y in
// [−60, −40], i.e. |tan(az − 180°)| ≤ 5/60: the Sun within atan(1/12) =
// 4.76° of due south. The towers, 200 m high and extending 400 m east and
// west, stop every other ray in the band (the lowest Sun, 13° at 8:00,
// rises only 0.23 m per metre). So the expected lit time is the time the
// Sun's azimuth spends within 4.76° of south.
func TestTowerGap(t *testing.T) {
	r := Hangzhou
	su := hangzhouSetup(t, r)
	prisms := []Prism{box(-400, -60, -5, -40, 200, 1), box(5, -60, 400, -40, 200, 2)}
	rc := Receiver{Y: -DefaultOffsetM, Z: 0.9, NY: -1}
	got := run1(t, prisms, r, su.track, rc)
	want := litMeasure(su.h0, su.h1, func(H float64) bool {
		e, n, _ := closedSun(hangzhou.Lat, su.delta, H)
		return n < 0 && math.Abs(e/n) <= 5.0/60
	})
	near(t, "tower gap", got.Total, want, su.track.Step)
	if len(got.Periods) != 1 {
		t.Errorf("tower gap: %d periods %v, want one", len(got.Periods), got.Periods)
	}
	// The window is centred on true solar noon.
	if len(got.Periods) == 1 {
		a, b, _, _ := su.track.Span(got.Periods[0])
		mid := a.Add(b.Sub(a) / 2)
		noon := time.Date(a.Year(), a.Month(), a.Day(), 12, 0, 0, 0, a.Location())
		if d := mid.Sub(noon); d > su.track.Step || d < -su.track.Step {
			t.Errorf("tower gap: window %v–%v centred at %v, not at true solar noon", a, b, mid)
		}
	}
}

// An L-shaped block, one prism 60 m high: a north wing x ∈ [0, 40],
// y ∈ [28, 40] and an east wing x ∈ [28, 40], y ∈ [0, 40]. The inner
// corner opens to the south-west. A sill on the north wing's south face
// at x = 20, 8 m west of the east wing's west face (x = 28, which runs
// 28 m south of the sill), looks south. A ray from it with azimuth az in
// (90°, 180°) reaches x = 28 after running 8/sin az, at
// y = 28 + 8·cot az; it enters the east wing iff that is ≥ 0, i.e.
// tan(az − 90°) ≤ 28/8, az ≤ 164.05° (the 5 cm offset included:
// tan(az − 90°) ≤ 27.95/8). It is then at most 8/sin 164° = 29 m out, and
// at 40° of altitude 24 m up, under the 60 m top: shaded. So the
// sill is shaded by its own building in the morning and lit from
// az = 164.05° to the band's end (the sweep limit, az ≤ 255°, and the
// 16:00 Sun, az ≈ 236°, are beyond).
func TestLInnerCorner(t *testing.T) {
	r := Hangzhou
	su := hangzhouSetup(t, r)
	l := Prism{Rings: [][][2]float64{{{0, 28}, {28, 28}, {28, 0}, {40, 0}, {40, 40}, {0, 40}}}, Z1: 60, Building: 7}
	rc := Receiver{X: 20, Y: 28 - DefaultOffsetM, Z: 0.9, NY: -1, Building: 7}
	got := run1(t, []Prism{l}, r, su.track, rc)
	limit := 90 + math.Atan((28-DefaultOffsetM)/8)*180/math.Pi
	want := litMeasure(su.h0, su.h1, func(H float64) bool {
		e, n, u := closedSun(hangzhou.Lat, su.delta, H)
		az := math.Mod(math.Atan2(e, n)*180/math.Pi+360, 360)
		return u > 0 && az > limit
	})
	near(t, "L inner corner", got.Total, want, su.track.Step)
	if want < time.Hour || want > 7*time.Hour {
		t.Errorf("L inner corner: the hand-worked window %v is not a partial one; the test is mis-set", want)
	}
	// Without its own building the sill would be lit all band.
	free := run1(t, nil, r, su.track, rc)
	if free.Total != r.Band.End-r.Band.Start {
		t.Errorf("L inner corner, no building: %v, want the whole band", free.Total)
	}
}

// A ground receiver 2 km south of a 100 m tower, beyond the longest
// shadow, is lit at every sample: exactly the band's length, 8 h.
func TestBeyondShadows(t *testing.T) {
	for _, r := range []Rule{Hangzhou, {Name: "冬至 1 h", Day: sun.WinterSolstice, Band: sun.WinterSolsticeBand, Min: time.Hour}} {
		su := hangzhouSetup(t, r)
		got := run1(t, []Prism{box(-20, 2000, 20, 2040, 100, 1)}, r, su.track, Receiver{Z: 0.9})
		if band := r.Band.End - r.Band.Start; got.Total != band || got.Counted != band || !got.Pass || len(got.Periods) != 1 {
			t.Errorf("%s: %+v, want one period of %v", r.Name, got, band)
		}
	}
}
