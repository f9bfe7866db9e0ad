package sunlight

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/future-community/cim/index"
	"github.com/future-community/cim/plan"
	"github.com/future-community/cim/sun"
)

// RuleOf turns a pack's sunlight rule into the engine's.
func RuleOf(p plan.SunlightRule) (Rule, error) {
	start, end, err := p.BandTimes()
	if err != nil {
		return Rule{}, fmt.Errorf("sunlight rule %s: %w", p.ID, err)
	}
	r := Rule{Name: p.ID, Band: sun.Band{Start: start, End: end}, MaxPeriods: p.MaxPeriods, SweepDeg: p.SweepDeg,
		Min:      time.Duration(math.Round(p.MinHours * float64(time.Hour))),
		Shortest: time.Duration(math.Round(p.ShortestMin * float64(time.Minute))),
		Step:     time.Duration(math.Round(p.StepMin * float64(time.Minute)))}
	if p.Title != "" {
		r.Name = p.ID + ": " + p.Title
	}
	switch p.Day {
	case "major_cold":
		r.Day = sun.MajorCold
	case "winter_solstice":
		r.Day = sun.WinterSolstice
	default:
		return Rule{}, fmt.Errorf("sunlight rule %s: day %q", p.ID, p.Day)
	}
	return r, r.Validate()
}

// CheckRules checks a pack's sunlight rules on the site of a report and
// adds a result per residential building in it (scope "building", its
// worst checked sill's hours against the rule's minimum), or one "n/a"
// when the site holds none: plan's Extra, which cim check and the
// server's check routes run after plan.Check, the what-if's proposal
// included.
func CheckRules(ctx context.Context, sn *index.Snapshot, rep *plan.Report, sel plan.Selection, pack *plan.Pack) error {
	_, err := CheckPack(ctx, sn, rep, sel, pack)
	return err
}

// CheckPack is CheckRules, and returns each rule's analysis too (nil for
// a rule with no building to check), for a caller that draws them.
func CheckPack(ctx context.Context, sn *index.Snapshot, rep *plan.Report, sel plan.Selection, pack *plan.Pack) ([]*Report, error) {
	site := rep.Geometry()
	if len(pack.Sunlight) == 0 || site == nil {
		return nil, nil
	}
	var out []*Report
	for _, pr := range pack.Sunlight {
		r, err := RuleOf(pr)
		if err != nil {
			return out, err
		}
		na := func(note string) {
			rep.Append(plan.Result{Rule: pr.ID, Title: pr.Title, LabelZh: pr.LabelZh, Scope: "site", ScopeID: rep.Site.ID, ScopeName: rep.Site.Name,
				Indicator: "sunlight_hours", IndicatorZh: "日照时数", Op: "min", Limit: pr.MinHours, LimitFrom: "pack",
				Status: plan.NotApplicable, Severity: pr.Severity, Reference: pr.Reference, Note: note})
		}
		a, err := Analyse(ctx, sn, site, Selection{Dataset: sel.Dataset, Stage: sel.Stage, Extra: sel.Extra, Hide: sel.Hide}, r, Options{})
		if errors.Is(err, ErrNoData) {
			na("no building near the site")
			out = append(out, nil)
			continue
		}
		if err != nil {
			return out, fmt.Errorf("sunlight rule %s: %w", pr.ID, err)
		}
		if len(a.Buildings) == 0 {
			na("no residential building in the site")
			out = append(out, nil)
			continue
		}
		out = append(out, a)
		for _, b := range a.Buildings {
			res := plan.Result{Rule: pr.ID, Title: pr.Title, LabelZh: pr.LabelZh, Scope: "building", ScopeID: b.ID, ScopeName: b.Name,
				Indicator: "sunlight_hours", IndicatorZh: "日照时数", Op: "min", Limit: pr.MinHours, LimitFrom: "pack",
				Severity: pr.Severity, Reference: pr.Reference}
			if b.Checked == 0 {
				res.Status, res.Note = plan.NotApplicable, "no facade of it faces the Sun in the band"
				rep.Append(res)
				continue
			}
			v := math.Round(b.WorstH*100) / 100
			res.Value = &v
			res.Features = []plan.Contribution{{ID: b.ID, Name: b.Name, Value: v}}
			res.Status = plan.Pass
			if !b.Pass {
				res.Status = plan.Fail
				var where []string
				if len(b.FailingFloors) > 0 {
					where = append(where, fmt.Sprintf("floors %v", b.FailingFloors))
				}
				if len(b.FailingFacades) > 0 {
					where = append(where, "facades "+strings.Join(b.FailingFacades, ", "))
				}
				res.Note = fmt.Sprintf("worst sill %.2f h on %s (%s)", b.WorstH, a.Day, strings.Join(where, "; "))
			}
			rep.Append(res)
		}
	}
	return out, nil
}
