package diff

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"

	"github.com/future-community/cim/plan"
)

// Delta is how one of a site's indicators moved from one side to the
// other: from the approved scheme to what is built.
type Delta struct {
	Indicator string  `json:"indicator"`
	Label     string  `json:"label"`
	From      float64 `json:"from"`
	To        float64 `json:"to"`
	Change    float64 `json:"change"`
	// Relative is Change over From, when From is not 0.
	Relative *float64 `json:"relative,omitempty"`
	// Tolerance is the pack's for this indicator ("" for none), and
	// Exceeded whether the change is beyond it.
	Tolerance string `json:"tolerance,omitempty"`
	Reference string `json:"reference,omitempty"`
	Exceeded  bool   `json:"exceeded"`
}

// DeltaIndicators are the site indicators Indicators compares, besides
// any the pack has a tolerance for.
var DeltaIndicators = []string{"buildings", "gfa_m2", "far", "footprint_m2", "building_density", "green_ratio",
	"green_ratio_3d", "max_height_m"}

// Indicators checks the site on each side with the pack (plan.Check) and
// compares their indicators: what a planning verification (规划条件核实)
// measures. A change beyond the pack's tolerance is Exceeded.
func Indicators(ctx context.Context, from, to Side, site plan.Site, pack *plan.Pack) ([]Delta, error) {
	ra, err := plan.Check(ctx, from.Snapshot, site, plan.Selection{Dataset: from.Dataset, Stage: from.Stage}, pack)
	if err != nil {
		return nil, fmt.Errorf("diff: check %s: %w", from, err)
	}
	rb, err := plan.Check(ctx, to.Snapshot, site, plan.Selection{Dataset: to.Dataset, Stage: to.Stage}, pack)
	if err != nil {
		return nil, fmt.Errorf("diff: check %s: %w", to, err)
	}
	names := append([]string(nil), DeltaIndicators...)
	for _, name := range slices.Sorted(maps.Keys(pack.Tolerances)) {
		if !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	var out []Delta
	for _, name := range names {
		va, oka := ra.Indicators.Value(name)
		vb, okb := rb.Indicators.Value(name)
		if !oka || !okb {
			continue
		}
		d := Delta{Indicator: name, Label: ra.IndicatorLabels[name].String(), From: round(va), To: round(vb), Change: round(vb - va)}
		if d.Label == "" {
			d.Label = name
		}
		if va != 0 {
			r := round((vb - va) / math.Abs(va))
			d.Relative = &r
		}
		if t, ok := pack.Tolerances[name]; ok {
			d.Tolerance, d.Reference, d.Exceeded = t.String(), t.Reference, !t.Allows(va, vb)
		}
		out = append(out, d)
	}
	return out, nil
}

func round(v float64) float64 { return math.Round(v*1e4) / 1e4 }
