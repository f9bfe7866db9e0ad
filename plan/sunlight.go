package plan

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/twpayne/go-geom"

	"github.com/future-community/cim/index"
)

// SunlightRule is a sunlight standard in a pack (日照标准, GB 50180-2018
// §4.0.9): every residential building in the site gets at least MinHours
// of direct sun at its sills on the standard day, within the band of true
// solar time. Package sunlight evaluates it (plan computes no shadows);
// every choice local practice makes differently is a parameter here.
type SunlightRule struct {
	ID      string `yaml:"id" json:"id"`
	Title   string `yaml:"title" json:"title,omitempty"`
	LabelZh string `yaml:"label_zh" json:"label_zh,omitempty"`
	// Day is major_cold (大寒) or winter_solstice (冬至).
	Day string `yaml:"day" json:"day"`
	// Band is the effective band in local true solar time, "08:00" and
	// "16:00".
	Band [2]string `yaml:"band" json:"band"`
	// MinHours is the least sunlight a sill must get.
	MinHours float64 `yaml:"min_hours" json:"min_hours"`
	// MaxPeriods counts the N longest lit periods (0: all, cumulative;
	// 1: continuous); ShortestMin drops shorter periods (Beijing: 5 on
	// 大寒日).
	MaxPeriods  int     `yaml:"max_periods" json:"max_periods"`
	ShortestMin float64 `yaml:"shortest_min" json:"shortest_min"`
	// SweepDeg is the least angle between the ray and the facade (15°
	// common, 12° in Beijing); StepMin the time step in minutes (0.5 for
	// 30 s; whole seconds that divide the band).
	SweepDeg float64 `yaml:"sweep_deg" json:"sweep_deg"`
	StepMin  float64 `yaml:"step_min" json:"step_min"`
	// Severity and Reference as a Rule's.
	Severity  string `yaml:"severity" json:"severity"`
	Reference string `yaml:"reference" json:"reference"`
}

// BandTimes returns the band as durations since midnight.
func (r SunlightRule) BandTimes() (start, end time.Duration, err error) {
	for i, s := range r.Band {
		h, m, ok := strings.Cut(s, ":")
		hh, err1 := strconv.Atoi(h)
		mm, err2 := strconv.Atoi(m)
		if !ok || err1 != nil || err2 != nil || hh < 0 || hh > 24 || mm < 0 || mm > 59 || hh == 24 && mm > 0 {
			return 0, 0, fmt.Errorf("band %q: want HH:MM", s)
		}
		d := time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute
		if i == 0 {
			start = d
		} else {
			end = d
		}
	}
	return start, end, nil
}

func (r SunlightRule) validate() error {
	switch r.Day {
	case "major_cold", "winter_solstice":
	default:
		return fmt.Errorf("day %q: want major_cold (大寒) or winter_solstice (冬至)", r.Day)
	}
	start, end, err := r.BandTimes()
	if err != nil {
		return err
	}
	step := r.StepMin
	if step == 0 {
		step = 1
	}
	band := (end - start).Minutes()
	switch {
	case end <= start:
		return fmt.Errorf("band %s–%s: empty", r.Band[0], r.Band[1])
	case !(r.MinHours >= 0) || r.MinHours*60 > band:
		return fmt.Errorf("min_hours %v: want 0 to the band's %v h", r.MinHours, band/60)
	case !(r.SweepDeg >= 0 && r.SweepDeg < 90):
		return fmt.Errorf("sweep_deg %v: want 0 to under 90", r.SweepDeg)
	case !(step > 0) || step*60 != math.Trunc(step*60) || math.Mod(band*60, step*60) != 0:
		return fmt.Errorf("step_min %v: want whole seconds (1 min or finer) that divide the band", r.StepMin)
	case r.MaxPeriods < 0 || !(r.ShortestMin >= 0):
		return fmt.Errorf("max_periods %d, shortest_min %v: want 0 or more", r.MaxPeriods, r.ShortestMin)
	case r.Severity != "error" && r.Severity != "warning":
		return fmt.Errorf("severity %q: want error or warning", r.Severity)
	case r.Reference == "":
		return errors.New("no reference: cite the standard")
	}
	return nil
}

// Geometry returns the site's boundary as the check read it.
func (r *Report) Geometry() geom.T { return r.site }

// Append adds a result to the report, counting it, and says again
// whether the report passes: for checks made beside plan's own, such as
// sunlight (an Extra).
func (r *Report) Append(res Result) {
	if res.Features == nil {
		res.Features = []Contribution{}
	}
	r.add(res)
	r.Passed = r.Counts.FailedErrors == 0
}

// Extra is a check that adds its results to a report, given the snapshot
// and selection the report was made from: the sunlight rules of a pack,
// which package sunlight evaluates. The server's check routes take them.
type Extra func(ctx context.Context, sn *index.Snapshot, r *Report, sel Selection, pack *Pack) error

// runExtras runs extras on a report.
func runExtras(ctx context.Context, sn *index.Snapshot, r *Report, sel Selection, pack *Pack, extras []Extra) error {
	for _, x := range extras {
		if err := x(ctx, sn, r, sel, pack); err != nil {
			return err
		}
	}
	return nil
}
