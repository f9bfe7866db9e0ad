package plan

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/twpayne/go-geom"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/index"
)

// Status is the outcome of a rule in one scope.
type Status string

// The outcomes: the limit holds, it does not, or the rule does not apply
// (no station near the site, no homes, no control value on the parcel).
const (
	Pass          Status = "pass"
	Fail          Status = "fail"
	NotApplicable Status = "n/a"
)

// Result is one rule checked in one scope.
type Result struct {
	Rule  string `json:"rule"`
	Title string `json:"title,omitempty"`
	// LabelZh is the rule's Chinese label, IndicatorZh its indicator's.
	LabelZh     string `json:"label_zh,omitempty"`
	IndicatorZh string `json:"indicator_zh,omitempty"`
	Scope       string `json:"scope"`
	ScopeID     string `json:"scope_id"`
	ScopeName   string `json:"scope_name,omitempty"`
	Indicator   string `json:"indicator"`
	// Value is nil when the rule does not apply.
	Value *float64 `json:"value"`
	Op    string   `json:"op"`
	// Limit is a number, [low, high] or true/false; nil when it could not
	// be found (the control property is missing).
	Limit any `json:"limit"`
	// LimitFrom says where the limit came from: "pack", "property
	// far_max", "table gb50180_4_0_2 (climate_zone=III, avg_storeys=26)".
	LimitFrom string `json:"limit_from"`
	Status    Status `json:"status"`
	Severity  string `json:"severity"`
	Reference string `json:"reference"`
	// Note says why a rule does not apply.
	Note string `json:"note,omitempty"`
	// Features are the features that contribute most to the value (for a
	// coverage, the homes not covered), largest first, at most five.
	Features []Contribution `json:"features"`
}

// ParcelReport holds a parcel's indicators.
type ParcelReport struct {
	ID         string         `json:"id"`
	Name       string         `json:"name,omitempty"`
	Props      map[string]any `json:"properties"`
	Indicators Indicators     `json:"indicators"`

	geometry geom.T
}

// SiteInfo names the site checked.
type SiteInfo struct {
	ID    string         `json:"id"`
	Name  string         `json:"name,omitempty"`
	Props map[string]any `json:"properties"`
}

// Report is the outcome of a check. Its JSON form is stable: fields are
// added, never renamed or removed.
type Report struct {
	Site       SiteInfo   `json:"site"`
	Dataset    string     `json:"dataset"` // "" for every dataset
	Stage      string     `json:"stage"`   // the view read (query.View); "latest": each dataset at its latest stage
	Pack       string     `json:"pack"`
	PackSource string     `json:"pack_source"`
	Revision   uint64     `json:"revision"` // the store revision read
	Indicators Indicators `json:"indicators"`
	// IndicatorLabels name the indicators in English and Chinese, by
	// their rule names ("far": FAR, 容积率).
	IndicatorLabels map[string]Label `json:"indicator_labels"`
	Parcels         []ParcelReport   `json:"parcels"`
	Stations        []StationTOD     `json:"stations"`
	Results         []Result         `json:"results"`
	// Passed is false when an error-severity rule failed.
	Passed bool `json:"passed"`
	// Counts of results by status, and of failed errors and warnings.
	Counts Counts   `json:"counts"`
	Notes  []string `json:"notes"`

	site   geom.T
	params Params
	scene  *scene
}

// Counts tallies the results.
type Counts struct {
	Pass          int `json:"pass"`
	Fail          int `json:"fail"`
	NotApplicable int `json:"not_applicable"`
	FailedErrors  int `json:"failed_errors"`
	FailedWarning int `json:"failed_warnings"`
}

// Check measures the site's indicators from the snapshot and checks the
// pack's rules. It reads the features within a margin of the site (the
// station search radius, the walk, the service radii): a store of a whole
// city costs no more than one of the site.
func Check(ctx context.Context, sn *index.Snapshot, site Site, sel Selection, pack *Pack) (*Report, error) {
	if site.Geometry == nil || !isPolygon(site.Geometry) {
		return nil, fmt.Errorf("site %s: want a Polygon or MultiPolygon", site.ID)
	}
	if err := cim.ValidateGeometry(site.Geometry); err != nil {
		return nil, fmt.Errorf("site %s: %w", site.ID, err)
	}
	p := pack.Params
	sc, err := loadScene(ctx, sn, site, sel, p)
	if err != nil {
		return nil, err
	}
	if site.Props == nil {
		site.Props = map[string]any{}
	}
	r := &Report{
		Site:    SiteInfo{ID: site.ID, Name: site.Name, Props: site.Props},
		Dataset: sel.Dataset, Stage: "latest", Pack: pack.Name, PackSource: pack.Source,
		Revision: sn.Revision(), site: site.Geometry, params: p, scene: sc,
		Notes: append([]string{}, sc.notes...),
	}
	if sel.Stage != cim.StageAny {
		r.Stage = sel.Stage.String()
	}
	if len(sel.Extra) > 0 || len(sel.Hide) > 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("what-if: %s proposed, %s of the store replaced; nothing was stored",
			plural(len(sel.Extra), "feature"), plural(len(sel.Hide), "feature")))
	}
	r.Indicators = measure(sc, site.Geometry, site.Props, p)
	unit := attrOf(site.Props, p, "unit")
	ha := r.Indicators.SiteAreaHa
	ok := ha >= p.ImplementationMinHa
	if unit == "planning" {
		ok = ha >= p.PlanningMinHa && ha <= p.PlanningMaxHa
	}
	r.Indicators.SiteAreaOK = &ok
	r.Notes = append(r.Notes, fmt.Sprintf("walking distances: %s", map[string]string{
		"network":  "along the store's walkable roads",
		"straight": "straight lines (no walkable roads in the store near the site)",
	}[r.Indicators.Walk]))
	if p.Walk == "straight" {
		r.Notes[len(r.Notes)-1] = "walking distances: straight lines (the pack says so)"
	}
	for _, pf := range sc.parcels {
		lon, lat := cim.Centroid(pf.Geometry)
		if site.ID != "" && pf.ID == site.ID || !cim.Contains(site.Geometry, lon, lat) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		r.Parcels = append(r.Parcels, ParcelReport{
			ID: pf.ID, Name: nameOf(pf), Props: pf.Props, geometry: pf.Geometry,
			Indicators: measure(sc, pf.Geometry, pf.Props, p),
		})
	}
	r.Stations = tod(sc, site.Geometry, p)
	if len(r.Stations) == 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("no station within %s m of the site: TOD rules do not apply", formatNum(p.StationSearchM)))
	}
	for _, rule := range pack.Rules {
		switch rule.Scope {
		case "site":
			r.add(evaluate(rule, pack, "site", site.ID, site.Name, site.Props, nil, &r.Indicators))
		case "parcel":
			for i := range r.Parcels {
				pr := &r.Parcels[i]
				if !when(rule, pr.Props) {
					continue
				}
				r.add(evaluate(rule, pack, "parcel", pr.ID, pr.Name, pr.Props, site.Props, &pr.Indicators))
			}
		case "station":
			if len(r.Stations) == 0 {
				r.add(Result{Rule: rule.ID, Title: rule.Title, Scope: "station", Indicator: rule.Indicator, Op: rule.Op,
					Status: NotApplicable, Severity: rule.Severity, Reference: rule.Reference,
					Note: fmt.Sprintf("no station within %s m of the site", formatNum(p.StationSearchM)), Features: []Contribution{}})
			}
			for i := range r.Stations {
				st := &r.Stations[i]
				r.add(evaluate(rule, pack, "station", st.ID, st.Name, nil, site.Props, st))
			}
		}
	}
	r.label(pack)
	r.Passed = r.Counts.FailedErrors == 0
	return r, nil
}

// CheckSites checks several sites from one snapshot, workers at a time
// (GOMAXPROCS when workers < 1), and returns the reports in the order of
// the sites. sel gives each site's selection. The first error stops the
// others and is returned, naming its site.
func CheckSites(ctx context.Context, sn *index.Snapshot, sites []Site, sel func(Site) Selection, pack *Pack, workers int) ([]*Report, error) {
	if workers < 1 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, len(sites))
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	reps := make([]*Report, len(sites))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(sites) || ctx.Err() != nil {
					return
				}
				r, err := Check(ctx, sn, sites[i], sel(sites[i]), pack)
				if err != nil {
					cancel(fmt.Errorf("site %s: %w", sites[i].ID, err))
					return
				}
				reps[i] = r
			}
		}()
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	return reps, nil
}

func (r *Report) add(res Result) {
	r.Results = append(r.Results, res)
	switch res.Status {
	case Pass:
		r.Counts.Pass++
	case Fail:
		r.Counts.Fail++
		if res.Severity == "error" {
			r.Counts.FailedErrors++
		} else {
			r.Counts.FailedWarning++
		}
	default:
		r.Counts.NotApplicable++
	}
}

// when reports whether a rule's when-filter admits a scope's properties.
func when(rule Rule, props map[string]any) bool {
	for k, vals := range rule.When {
		v, _ := props[k].(string)
		found := false
		for _, w := range vals {
			if w == v {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// valuer is a scope's indicators: a site's or parcel's, or a station's.
type valuer interface {
	Value(name string) (float64, bool)
	Contributors(name string) []Contribution
}

// attrOf reads a site attribute: a property, else the pack's default.
func attrOf(props map[string]any, p Params, key string) string {
	if v, ok := props[key]; ok && v != nil {
		return fmt.Sprint(v)
	}
	return p.Defaults[key]
}

func evaluate(rule Rule, pack *Pack, scope, id, name string, props, siteProps map[string]any, ind valuer) Result {
	res := Result{Rule: rule.ID, Title: rule.Title, Scope: scope, ScopeID: id, ScopeName: name, Indicator: rule.Indicator,
		Op: rule.Op, Severity: rule.Severity, Reference: rule.Reference, LimitFrom: "pack", Features: []Contribution{}}
	v, ok := ind.Value(rule.Indicator)
	if !ok {
		res.Status = NotApplicable
		res.Note = fmt.Sprintf("%s does not apply here", rule.Indicator)
		switch {
		case strings.HasPrefix(rule.Indicator, "facility_coverage.") || rule.Indicator == "transit_walk_share" || rule.Indicator == "avg_storeys":
			res.Note = "no residential buildings"
			if rule.Indicator == "transit_walk_share" {
				res.Note = "no residential buildings, or no station near the site"
			}
		case rule.Indicator == "park_m2_per_person":
			res.Note = "no population given (property population)"
		case strings.HasPrefix(rule.Indicator, "tod_") || rule.Indicator == "inner_far" || rule.Indicator == "outer_far":
			res.Note = "the ring does not reach the site"
		}
		return res
	}
	res.Value = &v
	// Attributes for table lookups: the scope's properties, the site's,
	// the scope's indicators, the pack's defaults.
	attr := func(k string) (string, bool) {
		for _, m := range []map[string]any{props, siteProps} {
			if x, ok := m[k]; ok && x != nil {
				return fmt.Sprint(x), true
			}
		}
		if x, ok := ind.Value(k); ok {
			if k == "avg_storeys" {
				x = math.Round(x) // tables band whole storeys
			}
			return formatNum(x), true
		}
		d, ok := pack.Params.Defaults[k]
		return d, ok
	}
	resolve := func(t Threshold) (float64, string, error) {
		switch {
		case t.Number != nil:
			return *t.Number, "pack", nil
		case t.Property != "":
			for _, m := range []map[string]any{props, siteProps} {
				if x, ok := number(m[t.Property]); ok {
					return x, "property " + t.Property, nil
				}
			}
			return 0, "", fmt.Errorf("no property %s on the %s", t.Property, scope)
		case t.Table != "":
			x, keys, err := pack.Tables[t.Table].lookup(t.Column, attr)
			return x, fmt.Sprintf("table %s (%s)", t.Table, keys), err
		}
		return 0, "", errors.New("no limit")
	}
	var pass bool
	switch rule.Op {
	case "is":
		res.Limit = *rule.Limit.Bool
		pass = (v != 0) == *rule.Limit.Bool
	case "between":
		lo, from, err := resolve(rule.Limit.Range[0])
		var hi float64
		var from2 string
		if err == nil {
			hi, from2, err = resolve(rule.Limit.Range[1])
		}
		if err != nil {
			res.Status, res.Note = NotApplicable, err.Error()
			return res
		}
		res.Limit, res.LimitFrom = []float64{lo, hi}, from
		if from2 != from {
			res.LimitFrom = from + "; " + from2
		}
		pass = v >= lo && v <= hi
	default:
		lim, from, err := resolve(rule.Limit)
		if err != nil {
			res.Status, res.Note = NotApplicable, err.Error()
			return res
		}
		res.Limit, res.LimitFrom = lim, from
		if rule.Op == "max" {
			pass = v <= lim
		} else {
			pass = v >= lim
		}
	}
	res.Status = Fail
	if pass {
		res.Status = Pass
	}
	cs := ind.Contributors(rule.Indicator)
	if len(cs) > 5 {
		cs = cs[:5]
	}
	res.Features = append(res.Features, cs...)
	return res
}
