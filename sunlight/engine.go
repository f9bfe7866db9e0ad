package sunlight

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Period is a run of lit intervals of a Track: intervals From … To−1, lit
// from Steps[From] to Steps[To] (see Track for the endpoint convention).
type Period struct {
	From, To int
}

// Len is the period's length at step.
func (p Period) Len(step time.Duration) time.Duration { return time.Duration(p.To-p.From) * step }

// Span returns the start and end of p in true solar time and in Beijing
// time.
func (t Track) Span(p Period) (tstFrom, tstTo, bjFrom, bjTo time.Time) {
	a, b := t.Steps[p.From], t.Steps[p.To]
	return a.TrueSolar, b.TrueSolar, a.Beijing, b.Beijing
}

// Result is one receiver's sunlight under a rule.
type Result struct {
	// Periods are the lit periods in time order, every one (also those
	// shorter than the rule's shortest counted period).
	Periods []Period
	// Total is the sum of all lit periods; Longest the longest one.
	Total, Longest time.Duration
	// Counted is what the rule counts: the periods no shorter than
	// Rule.Shortest, the Rule.MaxPeriods longest of them (all when 0).
	Counted time.Duration
	// Pass is Counted ≥ Rule.Min.
	Pass bool
}

// Count returns the sunlight the rule counts from lit periods: periods
// shorter than r.Shortest are dropped, then the r.MaxPeriods longest are
// summed (all of them when MaxPeriods is 0).
func Count(periods []Period, step time.Duration, r Rule) time.Duration {
	if r.MaxPeriods == 0 || len(periods) <= r.MaxPeriods {
		var sum time.Duration
		for _, p := range periods {
			if l := p.Len(step); l >= r.Shortest {
				sum += l
			}
		}
		return sum
	}
	var lens []time.Duration
	for _, p := range periods {
		if l := p.Len(step); l >= r.Shortest && l > 0 {
			lens = append(lens, l)
		}
	}
	if r.MaxPeriods > 0 && len(lens) > r.MaxPeriods {
		slices.Sort(lens)
		lens = lens[len(lens)-r.MaxPeriods:]
	}
	var sum time.Duration
	for _, l := range lens {
		sum += l
	}
	return sum
}

// sunStep is one sample of the track prepared for ray queries.
type sunStep struct {
	up             bool    // altitude > 0
	ux, uy, tanAlt float64 // horizontal unit direction, rise per metre
}

// Evaluate computes every receiver's sunlight in scene s under rule r with
// the Sun's track t (from NewTrack with the same rule). At each sample a
// receiver is lit iff
//
//   - the Sun is above the horizon (altitude > 0);
//   - for a facade receiver, with n its outward unit normal and u the unit
//     horizontal direction towards the Sun, u·n ≥ sin(SweepDeg): u·n is
//     the sine of the horizontal angle between the ray and the wall line,
//     so this says the Sun is in front of the facade by at least the sweep
//     angle (u·n ≤ 0 is the Sun behind the wall, never lit);
//   - no prism of s meets the ray from the receiver towards the Sun, up
//     to the horizontal distance where the ray clears the tallest top or
//     t.Reach's bound r.MaxReachM.
//
// Receivers are shared among GOMAXPROCS workers. Evaluate stops with
// ctx's error when ctx is done.
func Evaluate(ctx context.Context, s *Scene, t Track, r Rule, recs []Receiver) ([]Result, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	if t.Step != r.step() || len(t.Steps) < 2 {
		return nil, fmt.Errorf("sunlight: track of %d samples at %v does not fit rule %q (step %v)", len(t.Steps), t.Step, r.Name, r.step())
	}
	n := t.Intervals()
	steps := make([]sunStep, n)
	for i, st := range t.Steps[:n] {
		h := math.Hypot(st.Dir[0], st.Dir[1])
		if st.Alt <= 0 || h == 0 {
			continue
		}
		steps[i] = sunStep{up: true, ux: st.Dir[0] / h, uy: st.Dir[1] / h, tanAlt: st.Dir[2] / h}
	}
	sinSweep := math.Sin(r.SweepDeg * math.Pi / 180)
	maxReach := r.maxReach()

	out := make([]Result, len(recs))
	const block = 256
	var next atomic.Int64
	var wg sync.WaitGroup
	workers := min(runtime.GOMAXPROCS(0), (len(recs)+block-1)/block)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tr := newTracer(s)
			var arena []Period
			for {
				if ctx.Err() != nil {
					return
				}
				lo := int(next.Add(block)) - block
				if lo >= len(recs) {
					return
				}
				for k := lo; k < min(lo+block, len(recs)); k++ {
					arena = evaluate(tr, steps, &recs[k], sinSweep, maxReach, r, t.Step, arena, &out[k])
				}
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// evaluate fills res for one receiver, appending its periods to arena.
func evaluate(tr *tracer, steps []sunStep, rc *Receiver, sinSweep, maxReach float64, r Rule, step time.Duration, arena []Period, res *Result) []Period {
	facade := rc.NX != 0 || rc.NY != 0
	ry := ray{x: rc.X, y: rc.Y, z: rc.Z}
	above := tr.s.maxZ - rc.Z
	hint := int32(-1)
	start := len(arena)
	from := -1
	for i := range steps {
		st := &steps[i]
		lit := st.up
		if lit && facade {
			d := st.ux*rc.NX + st.uy*rc.NY
			lit = d > 0 && d >= sinSweep
		}
		if lit {
			ry.ux, ry.uy, ry.tanAlt = st.ux, st.uy, st.tanAlt
			ry.sMax = math.Min(maxReach, above/st.tanAlt)
			if b := tr.blocked(&ry, hint); b >= 0 {
				hint, lit = b, false
			}
		}
		switch {
		case lit && from < 0:
			from = i
		case !lit && from >= 0:
			arena = append(arena, Period{from, i})
			from = -1
		}
	}
	if from >= 0 {
		arena = append(arena, Period{from, len(steps)})
	}
	ps := arena[start:len(arena):len(arena)]
	res.Periods = ps
	res.Total, res.Longest = 0, 0
	for _, p := range ps {
		l := p.Len(step)
		res.Total += l
		res.Longest = max(res.Longest, l)
	}
	res.Counted = Count(ps, step, r)
	res.Pass = res.Counted >= r.Min
	return arena
}
