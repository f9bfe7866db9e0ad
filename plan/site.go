package plan

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/index"
	"github.com/future-community/cim/query"
)

// ErrNoSite is FindSite's error when no site of that id is in the view.
var ErrNoSite = errors.New("no such site")

// FindSite returns the site or parcel with the id as the stage's view
// (query.View) sees it: a site's boundary and controls stay in force once
// planned, so a check of what was built reads them from the plan. id is a
// feature id, or an id within a GeoJSON dataset ("site" for
// "geojson:<dataset>:site"); dataset, when not "", narrows the search to
// one dataset.
func FindSite(ctx context.Context, sn *index.Snapshot, id, dataset string, stage cim.Stage) (Site, error) {
	ids := []string{id}
	for _, ds := range sn.Datasets() {
		if dataset == "" || ds == dataset {
			ids = append(ids, "geojson:"+ds+":"+id)
		}
	}
	var found []*cim.Feature
	for _, id := range ids {
		fs, err := sn.Lookup(id)
		if err != nil {
			return Site{}, err
		}
		for _, f := range fs {
			if dataset == "" || f.Dataset == dataset {
				found = append(found, f)
			}
		}
	}
	if len(found) == 0 {
		return Site{}, fmt.Errorf("%w: no feature %q in the store (give a site or parcel id, as cim query --class site lists, or a GeoJSON file)", ErrNoSite, id)
	}
	v, err := query.NewView(sn, stage)
	if err != nil {
		return Site{}, err
	}
	seen, err := v.Pick(ctx, found)
	if err != nil {
		return Site{}, err
	}
	if len(seen) == 0 {
		var stages []string
		for _, f := range found {
			stages = append(stages, f.Dataset+"@"+f.Stage.String())
		}
		return Site{}, fmt.Errorf("%w: %q is not in the %s view (stored as %s)", ErrNoSite, id, stageName(stage), strings.Join(stages, ", "))
	}
	var datasets []string
	for _, f := range seen {
		if !slices.Contains(datasets, f.Dataset) {
			datasets = append(datasets, f.Dataset)
		}
	}
	if len(datasets) > 1 {
		slices.Sort(datasets)
		return Site{}, fmt.Errorf("%q is in several datasets (%s): say which with --dataset", id, strings.Join(datasets, ", "))
	}
	f := seen[0]
	if cim.AreaM2(f.Geometry) <= 0 {
		return Site{}, fmt.Errorf("%s is a %T, not a polygon", f.ID, f.Geometry)
	}
	return Site{ID: f.ID, Name: FeatureName(f), Geometry: f.Geometry, Props: f.Props, Dataset: f.Dataset}, nil
}

// SitesIn picks the sites of a drawn file among its features: its one
// polygon, or every feature of class site. name is the file's name
// without extension, the id of a site whose feature has none.
func SitesIn(fs []*cim.Feature, name string) ([]Site, error) {
	var polys, sites []*cim.Feature
	for _, f := range fs {
		if cim.AreaM2(f.Geometry) > 0 {
			polys = append(polys, f)
			if f.Class == cim.ClassSite {
				sites = append(sites, f)
			}
		}
	}
	pick := polys
	if len(sites) > 0 {
		pick = sites
	}
	if len(pick) == 0 || len(sites) == 0 && len(polys) > 1 {
		return nil, fmt.Errorf("%d polygons; want one, or sites marked \"cim:class\": \"site\"", len(polys))
	}
	var out []Site
	for _, s := range pick {
		// The feature's own id, else the file name (and its index).
		id := strings.TrimPrefix(s.ID, "geojson:"+s.Dataset+":")
		if strings.HasPrefix(id, "#") {
			id = name
			if len(pick) > 1 {
				id = name + strings.TrimPrefix(s.ID, "geojson:"+s.Dataset+":")
			}
		}
		n := FeatureName(s)
		if n == "" {
			n = id
		}
		out = append(out, Site{ID: id, Name: n, Geometry: s.Geometry, Props: s.Props})
	}
	return out, nil
}

// FeatureName returns a feature's name property, or "".
func FeatureName(f *cim.Feature) string {
	if s, ok := f.Props["name"].(string); ok {
		return s
	}
	return ""
}

func stageName(s cim.Stage) string {
	if s == cim.StageAny {
		return "latest"
	}
	return s.String()
}
