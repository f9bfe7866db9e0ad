package query

import (
	"context"
	"fmt"
	"slices"

	"github.com/tidwall/rtree"
	"github.com/twpayne/go-geom"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/index"
)

// CoverShare is how much of a context feature's area a scheme's features
// of the same class and floors must cover for a view to leave the context
// feature out: the scheme replaces it (a planned building where a surveyed
// one stands) or records the same object again.
const CoverShare = 0.5

// A View is what one stage of the model sees. A store keeps every version
// of a feature that was ingested, one per dataset and stage; a view picks
// the ones that make up the model at a stage. It is the single definition
// of that: queries and checks use it, and whatever serves the model
// (tiles, an API, stage comparisons) is to use it too.
//
// A dataset that holds only as-built features (OpenStreetMap, a survey of
// the city) is context. Any other dataset is a scheme: its versions at
// the planning, design and construction stages are the scheme as it goes
// through them; its as-built versions are what was built of it.
//
//   - At the as-built stage the view sees the as-built versions of every
//     dataset, and nothing else: what exists. A building that only a plan
//     has was never built.
//   - At an earlier stage S the view sees, of each scheme, the latest
//     version of each feature at or before S, and never the scheme's
//     later stages (not its survey); a scheme with nothing at or before S
//     shows nothing. Context datasets add the city around the scheme:
//     their as-built features, except those that the scheme's features
//     (of the same class, on a common floor) cover for at least
//     CoverShare of their area, so that what the scheme replaces or
//     records again is not counted twice.
//   - The latest view (StageAny) sees each dataset at its own latest
//     stage, by the same rules.
//   - Sites and parcels, the planning controls, stay in force once
//     planned: every view sees a scheme's latest version of each at or
//     before the stage the scheme is seen at, so that what was built is
//     measured against the planned boundaries and limits.
type View struct {
	sn      *index.Snapshot
	context bool // some dataset is context
	stage   cim.Stage
	ds      map[string]*dsView
	// schemes are the datasets seen below as-built, which hide context.
	schemes []string
	// near holds the schemes' visible areas in the prepared box.
	near     *rtree.RTreeG[*cim.Feature]
	prepared *cim.Box // nil: nothing prepared; the whole world when all is true
	all      bool
}

type dsView struct {
	held    []cim.Stage
	at      cim.Stage // the stage the dataset is seen at
	context bool      // only as-built features
}

// NewView returns the view of the snapshot at stage, or the latest view
// for cim.StageAny.
func NewView(sn *index.Snapshot, stage cim.Stage) (*View, error) {
	if stage != cim.StageAny && !stage.Valid() {
		return nil, fmt.Errorf("view: %v is not a stage", stage)
	}
	v := &View{sn: sn, stage: stage, ds: map[string]*dsView{}}
	for _, name := range sn.Datasets() {
		held, err := sn.Stages(name)
		if err != nil {
			return nil, err
		}
		if len(held) == 0 {
			continue
		}
		d := &dsView{held: held, context: len(held) == 1 && held[0] == cim.StageAsBuilt}
		switch {
		case d.context:
			d.at = cim.StageAsBuilt
		case stage == cim.StageAny:
			d.at = held[len(held)-1]
		default:
			d.at = stage
		}
		if !d.context && d.at != cim.StageAsBuilt {
			v.schemes = append(v.schemes, name)
		}
		v.context = v.context || d.context
		v.ds[name] = d
	}
	return v, nil
}

// Stage returns the stage the view was made for (cim.StageAny for the
// latest view).
func (v *View) Stage() cim.Stage { return v.stage }

// StoredStage reports whether the view sees exactly the versions stored
// at the as-built stage, as it does when every dataset is context: a scan
// can then filter by stage in the index and skip Sees.
func (v *View) StoredStage() (cim.Stage, bool) {
	for _, d := range v.ds {
		if !d.context {
			return 0, false
		}
	}
	return cim.StageAsBuilt, true
}

// HasContext reports whether a read of the dataset (every dataset for "")
// may meet context features that the schemes can hide.
func (v *View) HasContext(dataset string) bool {
	if len(v.schemes) == 0 || !v.context {
		return false
	}
	if dataset == "" {
		return true
	}
	d := v.ds[dataset]
	return d != nil && d.context
}

// Prepare loads the schemes' features that may hide context features in
// box (nil: everywhere), so that Sees decides for context features inside
// it without a lookup each. A query calls it once with its box (each page
// of a paged query again); it holds the schemes' area features in the box
// in memory, which for a scheme (a district's plan) is small beside the
// context it filters.
func (v *View) Prepare(ctx context.Context, box *cim.Box) error {
	v.near, v.prepared, v.all = nil, nil, false
	if len(v.schemes) == 0 {
		return nil
	}
	tr := &rtree.RTreeG[*cim.Feature]{}
	if err := v.schemeAreas(ctx, box, nil, nil, func(f *cim.Feature) {
		b := cim.BoundsOf(f.Geometry)
		tr.Insert([2]float64{b.MinLon, b.MinLat}, [2]float64{b.MaxLon, b.MaxLat}, f)
	}); err != nil {
		return err
	}
	v.near = tr
	if box == nil {
		v.all = true
	} else {
		b := *box
		v.prepared = &b
	}
	return nil
}

// Sees reports whether the view sees f, a version read from the view's
// snapshot.
func (v *View) Sees(ctx context.Context, f *cim.Feature) (bool, error) {
	d := v.ds[f.Dataset]
	if d == nil || f.Stage > d.at {
		return false, nil
	}
	if d.at == cim.StageAsBuilt {
		if f.Stage != cim.StageAsBuilt {
			if !d.context && controls[f.Class] {
				return v.latest(f, d)
			}
			return false, nil
		}
		if d.context && len(v.schemes) > 0 {
			covered, err := v.covered(ctx, f)
			return !covered, err
		}
		return true, nil
	}
	return v.latest(f, d)
}

// controls are the classes that stay in force once planned.
var controls = map[cim.Class]bool{cim.ClassSite: true, cim.ClassParcel: true}

// latest reports whether f, stored at or before d.at, is its dataset's
// latest version at or before d.at.
func (v *View) latest(f *cim.Feature, d *dsView) (bool, error) {
	for _, s := range d.held {
		if s > f.Stage && s <= d.at {
			has, err := v.sn.Has(f.Dataset, s, f.ID, f.Class)
			if err != nil || has {
				return false, err
			}
		}
	}
	return true, nil
}

// covered reports whether the schemes' visible features of f's class, on
// a floor f is on, cover at least CoverShare of f's area.
func (v *View) covered(ctx context.Context, f *cim.Feature) (bool, error) {
	if !isArea(f.Geometry) {
		return false, nil
	}
	b := cim.BoundsOf(f.Geometry)
	var over []geom.T
	keep := func(s *cim.Feature) {
		if s.Class == f.Class && s.Levels.Overlaps(f.Levels) && cim.BoundsOf(s.Geometry).Intersects(b) {
			over = append(over, s.Geometry)
		}
	}
	if v.all || v.prepared != nil && v.prepared.Contains(b) {
		v.near.Search([2]float64{b.MinLon, b.MinLat}, [2]float64{b.MaxLon, b.MaxLat},
			func(_, _ [2]float64, s *cim.Feature) bool { keep(s); return true })
	} else if err := v.schemeAreas(ctx, &b, []cim.Class{f.Class}, &f.Levels, keep); err != nil {
		return false, err
	}
	if len(over) == 0 {
		return false, nil
	}
	area := cim.AreaM2(f.Geometry)
	return area > 0 && cim.UnionArea(over, f.Geometry) >= CoverShare*area, nil
}

// schemeAreas calls fn with each area feature the view sees in the
// schemes that hide context, within box (nil: everywhere).
func (v *View) schemeAreas(ctx context.Context, box *cim.Box, classes []cim.Class, levels *cim.LevelRange, fn func(*cim.Feature)) error {
	for _, name := range v.schemes {
		it, err := v.sn.Scan(ctx, index.Filter{Box: box, Classes: classes, Levels: levels, Dataset: name})
		if err != nil {
			return err
		}
		for it.Next() {
			f, err := it.Feature()
			if err != nil {
				it.Close()
				return err
			}
			if !isArea(f.Geometry) {
				continue
			}
			ok, err := v.Sees(ctx, f)
			if err != nil {
				it.Close()
				return err
			}
			if ok {
				fn(f)
			}
		}
		err = it.Err()
		it.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

func isArea(g geom.T) bool {
	switch g.(type) {
	case *geom.Polygon, *geom.MultiPolygon:
		return true
	}
	return false
}

// Pick returns the versions the view sees among vs, such as the versions
// of one id that Snapshot.Lookup returns.
func (v *View) Pick(ctx context.Context, vs []*cim.Feature) ([]*cim.Feature, error) {
	var out []*cim.Feature
	for _, f := range vs {
		ok, err := v.Sees(ctx, f)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, f)
		}
	}
	return slices.Clip(out), nil
}
