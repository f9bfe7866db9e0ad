package sunlight

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/twpayne/go-geom"

	"github.com/future-community/cim/index"
)

// DefaultNeighbourM is how far from a site Neighbours looks for homes a
// scheme may shade: the reach of a 100 m tower at the band's lowest Sun
// in Zhejiang, about 400 m at 8:00 on 大寒日, rounded up.
const DefaultNeighbourM = 500

// NeighbourResult is one residential building outside the site, before
// and after the scheme.
type NeighbourResult struct {
	ID      string `json:"id"`
	Dataset string `json:"dataset"`
	Name    string `json:"name,omitempty"`
	// BeforeH and AfterH are the least hours of its checked sills on the
	// lowest storey checked.
	BeforeH float64 `json:"before_hours"`
	AfterH  float64 `json:"after_hours"`
	// Harmed counts the sills that met the standard before and no longer
	// do, or fell short and lose time; Harmed > 0 fails the rule.
	Harmed int  `json:"harmed_sills"`
	Pass   bool `json:"pass"`
}

// NeighbourReport is the neighbour check of a scheme: GB 50180-2018
// §4.0.9 asks that a new building not lower the sunlight of an existing
// neighbouring dwelling below its standard.
type NeighbourReport struct {
	Rule      string            `json:"rule"`
	Day       string            `json:"day"`
	MinH      float64           `json:"min_hours"`
	Buildings []NeighbourResult `json:"buildings"`
	Warnings  []string          `json:"warnings,omitempty"`
	Passed    bool              `json:"passed"`
}

// Neighbours checks the residential buildings within o.NeighbourM of the
// site (DefaultNeighbourM when zero) but outside it, of any dataset, in
// the view before the scheme (before, as selBefore sees it: the city as
// built) and after (after, selAfter: with the scheme): a sill that met the
// rule before must still meet it, and one that fell short must lose no
// time. Sills are the same points in both, so they compare one by one.
func Neighbours(ctx context.Context, before, after *index.Snapshot, site geom.T, selBefore, selAfter Selection, r Rule, o Options) (*NeighbourReport, error) {
	o.Neighbours = true
	if o.NeighbourM == 0 {
		o.NeighbourM = DefaultNeighbourM
	}
	if !(o.NeighbourM > 0) || math.IsInf(o.NeighbourM, 0) {
		return nil, fmt.Errorf("sunlight: neighbour distance %v m: must be positive", o.NeighbourM)
	}
	a, err := Analyse(ctx, before, site, selBefore, r, o)
	if errors.Is(err, ErrNoData) {
		// No building around before the scheme: no neighbour to harm.
		return &NeighbourReport{Rule: r.Name, MinH: r.Min.Hours(), Passed: true, Buildings: []NeighbourResult{},
			Warnings: []string{"no building around the site before the scheme: no neighbour to check"}}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("before the scheme: %w", err)
	}
	b, err := Analyse(ctx, after, site, selAfter, r, o)
	if err != nil {
		return nil, fmt.Errorf("with the scheme: %w", err)
	}
	rep := &NeighbourReport{Rule: a.Rule, Day: a.Day, MinH: a.MinH, Passed: true, Warnings: append(a.Warnings, b.Warnings...)}
	type key struct {
		dataset, building string
		level             int
		x, y, z           float64
	}
	k := func(m ReceiverResult) key {
		return key{m.Dataset, m.Building, m.Level, math.Round(m.X * 100), math.Round(m.Y * 100), math.Round(m.Z * 100)}
	}
	then := map[key]ReceiverResult{}
	for _, m := range a.Receivers {
		then[k(m)] = m
	}
	byID := map[string]*NeighbourResult{}
	for _, br := range a.Buildings {
		rep.Buildings = append(rep.Buildings, NeighbourResult{ID: br.ID, Dataset: br.Dataset, Name: br.Name, BeforeH: br.WorstH, AfterH: br.WorstH, Pass: true})
	}
	for i := range rep.Buildings {
		byID[rep.Buildings[i].Dataset+"\x00"+rep.Buildings[i].ID] = &rep.Buildings[i]
	}
	for _, br := range b.Buildings {
		if n := byID[br.Dataset+"\x00"+br.ID]; n != nil {
			n.AfterH = br.WorstH
		}
	}
	min := time.Duration(math.Round(a.MinH * float64(time.Hour)))
	step := r.step()
	for _, m := range b.Receivers {
		p, ok := then[k(m)]
		if !ok || !p.Checked {
			continue
		}
		harmed := (p.Counted >= min && m.Counted < min) || (p.Counted < min && m.Counted+step <= p.Counted)
		if !harmed {
			continue
		}
		if n := byID[m.Dataset+"\x00"+m.Building]; n != nil {
			n.Harmed++
			n.Pass = false
			rep.Passed = false
		}
	}
	slices.SortFunc(rep.Buildings, func(x, y NeighbourResult) int {
		if x.Pass != y.Pass {
			if !x.Pass {
				return -1
			}
			return 1
		}
		return strings.Compare(x.ID, y.ID)
	})
	return rep, nil
}
