package sunlight

import (
	"fmt"
	"math"
	"time"

	"github.com/future-community/cim/sun"
)

// Rule is a sunlight standard: on which day, in which band of true solar
// time, how many hours, counted how.
type Rule struct {
	// Name labels the rule in reports.
	Name string
	// Day is the standard day: sun.MajorCold (大寒) or sun.WinterSolstice
	// (冬至).
	Day sun.Term
	// Band is the effective band in local true solar time.
	Band sun.Band
	// Min is the least sunlight a receiver must get to pass.
	Min time.Duration
	// MaxPeriods is how many lit periods count, the longest first: 0 counts
	// them all (cumulative hours, 累计), 1 only the longest (continuous
	// hours, 连续), N the N longest (rules such as "at most two periods").
	MaxPeriods int
	// Shortest is the shortest lit period that counts; shorter ones are
	// dropped before adding (Beijing: 5 min on 大寒日). Zero counts all.
	Shortest time.Duration
	// SweepDeg is the least horizontal angle between the ray to the Sun
	// and the facade wall line for the Sun to count on a facade (15° is
	// common practice, 12° in Beijing). Zero means none.
	SweepDeg float64
	// Step is the time step; zero means one minute.
	Step time.Duration
	// MaxReachM bounds the cut-off distance (see Reach); zero means
	// DefaultMaxReachM.
	MaxReachM float64
}

// DefaultMaxReachM bounds the cut-off: at the lowest Sun of a band an
// obstruction H metres high shades H/tan(alt) away, which is unbounded as
// the altitude goes to zero (at Harbin, 45.8°N, the 大寒 Sun at 8:00 is at
// 7°: a 100 m tower reaches 810 m). Obstructions beyond 1.5 km are ignored;
// a 100 m tower shades that far only below 3.8° of altitude.
const DefaultMaxReachM = 1500

// Hangzhou is the rule for Zhejiang's cities of 500 000 residents or more
// (climate zone III): 大寒日 ≥ 2 h cumulative between 8:00 and 16:00 true
// solar time (GB 50180-2018 Table 4.0.9), with the common 15° sweep angle
// and a one-minute step, every lit period counting.
var Hangzhou = Rule{
	Name:     "GB 50180-2018 zone III, ≥ 500 000 residents: 大寒日 ≥ 2 h",
	Day:      sun.MajorCold,
	Band:     sun.MajorColdBand,
	Min:      2 * time.Hour,
	SweepDeg: 15,
	Step:     time.Minute,
}

func (r Rule) step() time.Duration {
	if r.Step == 0 {
		return time.Minute
	}
	return r.Step
}

func (r Rule) maxReach() float64 {
	if r.MaxReachM == 0 {
		return DefaultMaxReachM
	}
	return r.MaxReachM
}

// Validate reports a rule that cannot be applied.
func (r Rule) Validate() error {
	switch {
	case r.Band.End <= r.Band.Start:
		return fmt.Errorf("sunlight: rule %q: band %v–%v is empty", r.Name, r.Band.Start, r.Band.End)
	case r.Step < 0 || (r.Band.End-r.Band.Start)%r.step() != 0:
		return fmt.Errorf("sunlight: rule %q: step %v does not divide the band %v–%v", r.Name, r.step(), r.Band.Start, r.Band.End)
	case r.Min < 0 || r.Shortest < 0 || r.MaxPeriods < 0:
		return fmt.Errorf("sunlight: rule %q: negative minimum, shortest period or period count", r.Name)
	case math.IsNaN(r.SweepDeg) || r.SweepDeg < 0 || r.SweepDeg >= 90:
		return fmt.Errorf("sunlight: rule %q: sweep angle %v° outside [0, 90)", r.Name, r.SweepDeg)
	case math.IsNaN(r.MaxReachM) || r.MaxReachM < 0:
		return fmt.Errorf("sunlight: rule %q: maximum reach %v m", r.Name, r.MaxReachM)
	}
	return nil
}

// Track is the Sun over a rule's band on its day at a site, from sun.Sweep.
// Sample i decides the interval [t_i, t_i + Step): the interval is lit iff
// the ray at t_i is (left endpoints). The band's N = (End − Start)/Step
// intervals use samples 0 … N−1; the last sample, at the band's end, only
// gives the end time of the last interval. A receiver lit at every sample
// thus gets exactly End − Start.
type Track struct {
	Steps []sun.Step
	Step  time.Duration
}

// NewTrack sweeps the Sun for rule r at site s in year (the rule's
// standard day of that year, in Beijing's calendar).
func NewTrack(s sun.Site, year int, r Rule, o sun.Options) (Track, error) {
	if err := r.Validate(); err != nil {
		return Track{}, err
	}
	day, err := r.Day.Day(year, nil, o)
	if err != nil {
		return Track{}, fmt.Errorf("sunlight: %v of %d: %w", r.Day, year, err)
	}
	steps, err := sun.Sweep(s, day, r.Band, r.step(), o)
	if err != nil {
		return Track{}, fmt.Errorf("sunlight: %w", err)
	}
	return Track{Steps: steps, Step: r.step()}, nil
}

// Intervals is the number of intervals of the band (len(Steps) − 1).
func (t Track) Intervals() int { return max(len(t.Steps)-1, 0) }

// Reach is the cut-off distance for obstructions of height heightM above
// the lowest receiver: at the lowest positive Sun altitude α of the track
// they shade as far as heightM / tan α, bounded by maxReachM. Obstructions
// farther from every receiver cannot stop a ray in the band.
func (t Track) Reach(heightM, maxReachM float64) float64 {
	lo := 90.0
	for _, s := range t.Steps[:t.Intervals()] {
		if s.Alt > 0 && s.Alt < lo {
			lo = s.Alt
		}
	}
	return math.Min(heightM/math.Tan(lo*math.Pi/180), maxReachM)
}
