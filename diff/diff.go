// Package diff compares two states of a community model: a stage with
// another (the approved planning scheme with the as-built survey, 规划条件
// 核实), or a revision with another. Each side is what a view of the store
// shows (query.View: the same definition cim query and cim check read),
// optionally one dataset of it, within a site.
//
// Features are matched by id first. Those left over on both sides are
// matched by footprint, class by class: the pair with the largest
// intersection over union (IoU), at least Options.MinIoU, greedily, so a
// survey that numbers its buildings differently from the design still
// meets them. A matched pair is changed when its geometry moved beyond
// Options.ToleranceM (the discrete Hausdorff distance between the two
// outlines), its height beyond Options.HeightToleranceM, or its floors,
// kind or name differ. What is left unmatched was removed (only in the
// from side) or added (only in the to side).
package diff

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/twpayne/go-geom"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/index"
	"github.com/future-community/cim/query"
)

// Side is one state to compare.
type Side struct {
	Snapshot *index.Snapshot
	// Stage is the view read (query.View); cim.StageAny reads each
	// dataset at its latest stage.
	Stage cim.Stage
	// Dataset keeps one dataset's features; "" keeps every dataset's.
	Dataset string
}

func (s Side) String() string {
	st := "latest"
	if s.Stage != cim.StageAny {
		st = s.Stage.String()
	}
	ds := "all datasets"
	if s.Dataset != "" {
		ds = s.Dataset
	}
	return fmt.Sprintf("%s, %s, revision %d", ds, st, s.Snapshot.Revision())
}

// Options tune the comparison. Zero values take the defaults given.
type Options struct {
	// Site, if set, keeps the features whose geometry meets it.
	Site geom.T
	// Classes compared; default DefaultClasses.
	Classes []cim.Class
	// ToleranceM is how far an outline may move and stay the same; 0
	// means not at all (DefaultOptions has 0.5 m; a negative value takes
	// it too).
	ToleranceM float64
	// HeightToleranceM is how much a height may differ and stay the
	// same, as ToleranceM (0.5 m).
	HeightToleranceM float64
	// MinIoU is the least footprint overlap (intersection over union)
	// that matches two features with different ids (default 0.5).
	MinIoU float64
}

// DefaultOptions are the tolerances cim diff starts from.
var DefaultOptions = Options{ToleranceM: 0.5, HeightToleranceM: 0.5, MinIoU: 0.5}

// DefaultClasses are the classes compared unless told otherwise: what a
// planning verification measures outdoors. Storeys and spaces are the
// design's inside, which a survey rarely records; sites and parcels are
// the controls themselves.
var DefaultClasses = []cim.Class{cim.ClassBuilding, cim.ClassBuildingPart, cim.ClassGreen, cim.ClassWater,
	cim.ClassRoad, cim.ClassFacility, cim.ClassTransitStop}

// Kind says what happened to a feature from one side to the other.
type Kind string

// The kinds of change. Matched is a pair found by footprint whose ids
// differ but which is otherwise the same: listed, not a difference.
const (
	Added   Kind = "added"
	Removed Kind = "removed"
	Changed Kind = "changed"
	Matched Kind = "matched"
)

// Change is one feature that differs between the sides (or a pair that
// matched by footprint alone).
type Change struct {
	Kind  Kind      `json:"kind"`
	Class cim.Class `json:"class"`
	// FromID and ToID are the feature's ids on each side ("" where it is
	// absent).
	FromID string `json:"from_id,omitempty"`
	ToID   string `json:"to_id,omitempty"`
	Name   string `json:"name,omitempty"`
	// Match says how a pair was found: "id", or "footprint" with IoU.
	Match string  `json:"match,omitempty"`
	IoU   float64 `json:"iou,omitempty"`
	// What lists the differences of a changed pair, as a person reads
	// them: "height 79.5 → 99.5 m", "moved 5.0 m".
	What []string `json:"what,omitempty"`
	// MovedM is the Hausdorff distance between the outlines; HeightFrom
	// and HeightTo the heights, where known.
	MovedM     float64  `json:"moved_m,omitempty"`
	HeightFrom *float64 `json:"height_from_m,omitempty"`
	HeightTo   *float64 `json:"height_to_m,omitempty"`

	From *cim.Feature `json:"-"`
	To   *cim.Feature `json:"-"`
}

// Result is a comparison.
type Result struct {
	From    string         `json:"from"`
	To      string         `json:"to"`
	Changes []Change       `json:"changes"`
	Counts  map[Kind]int   `json:"counts"`
	Options map[string]any `json:"options"`
}

// Differs reports whether any feature was added, removed or changed.
func (r *Result) Differs() bool {
	return r.Counts[Added]+r.Counts[Removed]+r.Counts[Changed] > 0
}

// Compare compares side from with side to.
func Compare(ctx context.Context, from, to Side, o Options) (*Result, error) {
	if o.ToleranceM < 0 {
		o.ToleranceM = 0.5
	}
	if o.HeightToleranceM < 0 {
		o.HeightToleranceM = 0.5
	}
	if o.MinIoU <= 0 {
		o.MinIoU = 0.5
	}
	if len(o.Classes) == 0 {
		o.Classes = DefaultClasses
	}
	a, err := read(ctx, from, o)
	if err != nil {
		return nil, fmt.Errorf("diff: %s: %w", from, err)
	}
	b, err := read(ctx, to, o)
	if err != nil {
		return nil, fmt.Errorf("diff: %s: %w", to, err)
	}
	res := &Result{From: from.String(), To: to.String(), Changes: []Change{}, Counts: map[Kind]int{},
		Options: map[string]any{"tolerance_m": o.ToleranceM, "height_tolerance_m": o.HeightToleranceM, "min_iou": o.MinIoU}}
	// Ids are matched within a dataset when both sides read the same
	// datasets; across them when the sides are two datasets.
	sameDS := from.Dataset == to.Dataset
	key := func(f *cim.Feature) string {
		if sameDS {
			return fmt.Sprintf("%d/%s/%s", f.Class, f.Dataset, f.ID)
		}
		return fmt.Sprintf("%d/%s", f.Class, f.ID)
	}
	byID := map[string]*cim.Feature{}
	for _, f := range b {
		byID[key(f)] = f
	}
	var leftA []*cim.Feature
	paired := map[*cim.Feature]bool{}
	for _, f := range a {
		g, ok := byID[key(f)]
		if !ok {
			leftA = append(leftA, f)
			continue
		}
		paired[g] = true
		res.add(compare(f, g, "id", 0, o))
	}
	var leftB []*cim.Feature
	for _, f := range b {
		if !paired[f] {
			leftB = append(leftB, f)
		}
	}
	for _, c := range matchFootprints(leftA, leftB, o.MinIoU) {
		res.add(compare(c.a, c.b, "footprint", c.iou, o))
		paired[c.a], paired[c.b] = true, true
	}
	for _, f := range leftA {
		if !paired[f] {
			res.add(Change{Kind: Removed, Class: f.Class, FromID: f.ID, Name: name(f), From: f})
		}
	}
	for _, f := range leftB {
		if !paired[f] {
			res.add(Change{Kind: Added, Class: f.Class, ToID: f.ID, Name: name(f), To: f})
		}
	}
	sort.SliceStable(res.Changes, func(i, j int) bool {
		ci, cj := res.Changes[i], res.Changes[j]
		if ci.Class != cj.Class {
			return ci.Class < cj.Class
		}
		return firstID(ci) < firstID(cj)
	})
	return res, nil
}

func firstID(c Change) string {
	if c.FromID != "" {
		return c.FromID
	}
	return c.ToID
}

// add records c unless it is a pair with nothing to say.
func (r *Result) add(c Change) {
	if c.Kind == "" {
		return
	}
	r.Changes = append(r.Changes, c)
	r.Counts[c.Kind]++
}

// read lists the features of a side.
func read(ctx context.Context, s Side, o Options) ([]*cim.Feature, error) {
	q := query.Query{Classes: o.Classes, Dataset: s.Dataset, Stage: s.Stage}
	if o.Site != nil {
		b := cim.BoundsOf(o.Site)
		q.BBox = &b
	}
	rows := query.Run(ctx, s.Snapshot, q)
	defer rows.Close()
	var out []*cim.Feature
	for rows.Next() {
		f := rows.Feature()
		if o.Site != nil && !meets(f.Geometry, o.Site) {
			continue
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// meets reports whether g meets the site: a vertex inside it, an edge
// across its outline, or an area in common.
func meets(g, site geom.T) bool {
	fc := g.FlatCoords()
	for i := 0; i+1 < len(fc); i += g.Stride() {
		if cim.Contains(site, fc[i], fc[i+1]) {
			return true
		}
	}
	for _, e := range edges(g) {
		for _, s := range edges(site) {
			if crosses(e, s) {
				return true
			}
		}
	}
	return isArea(g) && cim.IntersectionArea(g, site) > 0
}

// crosses reports whether two segments share a point.
func crosses(a, b [4]float64) bool {
	orient := func(ax, ay, bx, by, cx, cy float64) float64 { return (bx-ax)*(cy-ay) - (by-ay)*(cx-ax) }
	d1 := orient(b[0], b[1], b[2], b[3], a[0], a[1])
	d2 := orient(b[0], b[1], b[2], b[3], a[2], a[3])
	d3 := orient(a[0], a[1], a[2], a[3], b[0], b[1])
	d4 := orient(a[0], a[1], a[2], a[3], b[2], b[3])
	return (d1 > 0) != (d2 > 0) && (d3 > 0) != (d4 > 0) && d1 != 0 && d2 != 0 && d3 != 0 && d4 != 0
}

func isArea(g geom.T) bool {
	switch g.(type) {
	case *geom.Polygon, *geom.MultiPolygon:
		return true
	}
	return false
}

type pair struct {
	a, b *cim.Feature
	iou  float64
}

// matchFootprints pairs features of the same class by footprint overlap,
// the best pairs first.
func matchFootprints(as, bs []*cim.Feature, minIoU float64) []pair {
	var cands []pair
	for _, a := range as {
		if !isArea(a.Geometry) {
			continue
		}
		ab := cim.BoundsOf(a.Geometry)
		for _, b := range bs {
			if b.Class != a.Class || !isArea(b.Geometry) || !ab.Intersects(cim.BoundsOf(b.Geometry)) {
				continue
			}
			inter := cim.IntersectionArea(a.Geometry, b.Geometry)
			if inter <= 0 {
				continue
			}
			union := cim.AreaM2(a.Geometry) + cim.AreaM2(b.Geometry) - inter
			if iou := inter / union; iou >= minIoU {
				cands = append(cands, pair{a, b, iou})
			}
		}
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].iou > cands[j].iou })
	used := map[*cim.Feature]bool{}
	var out []pair
	for _, c := range cands {
		if used[c.a] || used[c.b] {
			continue
		}
		used[c.a], used[c.b] = true, true
		out = append(out, c)
	}
	return out
}

// compare describes how g differs from f; a pair matched by id with no
// difference gives the zero Change.
func compare(f, g *cim.Feature, match string, iou float64, o Options) Change {
	c := Change{Class: g.Class, FromID: f.ID, ToID: g.ID, Name: name(g), Match: match, From: f, To: g}
	if match == "footprint" {
		c.IoU = math.Round(iou*1000) / 1000
	}
	if d := hausdorffM(f.Geometry, g.Geometry); d > o.ToleranceM {
		c.MovedM = math.Round(d*100) / 100
		c.What = append(c.What, fmt.Sprintf("moved %.1f m", d))
	}
	if lo, hi, ok := cim.Heights(f); ok {
		h := hi - lo
		c.HeightFrom = &h
	}
	if lo, hi, ok := cim.Heights(g); ok {
		h := hi - lo
		c.HeightTo = &h
	}
	if c.HeightFrom != nil && c.HeightTo != nil && math.Abs(*c.HeightTo-*c.HeightFrom) > o.HeightToleranceM {
		c.What = append(c.What, fmt.Sprintf("height %s → %s m", num(*c.HeightFrom), num(*c.HeightTo)))
	}
	if f.Levels != g.Levels {
		c.What = append(c.What, fmt.Sprintf("floors %s → %s", f.Levels, g.Levels))
	}
	if f.Kind != g.Kind {
		c.What = append(c.What, fmt.Sprintf("kind %s → %s", orNone(f.Kind), orNone(g.Kind)))
	}
	if nf, ng := name(f), name(g); nf != ng {
		c.What = append(c.What, fmt.Sprintf("name %s → %s", orNone(nf), orNone(ng)))
	}
	switch {
	case len(c.What) > 0:
		c.Kind = Changed
	case f.ID != g.ID:
		c.Kind = Matched
	}
	return c
}

func num(v float64) string {
	s := fmt.Sprintf("%.1f", v)
	return strings.TrimSuffix(s, ".0")
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func name(f *cim.Feature) string {
	if s, ok := cim.PropText(f.Props["name"]); ok {
		return s
	}
	return ""
}

// hausdorffM is the discrete Hausdorff distance in metres between the
// vertices of a and the outline of b and back: how far the farthest
// point of either lies from the other. Points compare as points.
func hausdorffM(a, b geom.T) float64 {
	pa, pb := vertices(a), vertices(b)
	if len(pa) == 0 || len(pb) == 0 {
		return 0
	}
	lat0 := pa[0][1] * math.Pi / 180
	kx, ky := 111320*math.Cos(lat0), 110540.0 // metres per degree, near lat0
	ea, eb := edges(a), edges(b)
	far := func(ps [][2]float64, es [][4]float64, qs [][2]float64) float64 {
		m := 0.0
		for _, p := range ps {
			best := math.Inf(1)
			if len(es) == 0 {
				for _, q := range qs {
					best = min(best, math.Hypot((p[0]-q[0])*kx, (p[1]-q[1])*ky))
				}
			}
			for _, e := range es {
				best = min(best, segDist(p[0]*kx, p[1]*ky, e[0]*kx, e[1]*ky, e[2]*kx, e[3]*ky))
			}
			m = max(m, best)
		}
		return m
	}
	return max(far(pa, eb, pb), far(pb, ea, pa))
}

func vertices(g geom.T) [][2]float64 {
	fc, st := g.FlatCoords(), g.Stride()
	out := make([][2]float64, 0, len(fc)/max(st, 1))
	for i := 0; i+1 < len(fc); i += st {
		out = append(out, [2]float64{fc[i], fc[i+1]})
	}
	return out
}

// edges lists g's segments: a line's, or a polygon's rings'.
func edges(g geom.T) [][4]float64 {
	fc, st := g.FlatCoords(), g.Stride()
	var ends []int
	switch t := g.(type) {
	case *geom.LineString:
		ends = []int{len(fc)}
	case *geom.Polygon:
		ends = t.Ends()
	case *geom.MultiLineString:
		ends = t.Ends()
	case *geom.MultiPolygon:
		for _, e := range t.Endss() {
			ends = append(ends, e...)
		}
	default:
		return nil
	}
	var out [][4]float64
	start := 0
	for _, end := range slices.Compact(ends) {
		for i := start; i+st < end; i += st {
			out = append(out, [4]float64{fc[i], fc[i+1], fc[i+st], fc[i+st+1]})
		}
		start = end
	}
	return out
}

func segDist(px, py, ax, ay, bx, by float64) float64 {
	dx, dy := bx-ax, by-ay
	l2 := dx*dx + dy*dy
	t := 0.0
	if l2 > 0 {
		t = max(0, min(1, ((px-ax)*dx+(py-ay)*dy)/l2))
	}
	return math.Hypot(px-(ax+t*dx), py-(ay+t*dy))
}
