package sunlight

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/index"
	"github.com/future-community/cim/plan"
	"github.com/future-community/cim/problem"
	"github.com/future-community/cim/route"
)

// ParseLevels reads the storeys to check: N, A..B, or all (every storey
// above ground). Basements get no sun: a range wholly below ground is an
// error.
func ParseLevels(s string) (*cim.LevelRange, error) {
	if s == "all" {
		return &cim.LevelRange{Min: 0, Max: math.MaxInt16}, nil
	}
	lr, err := cim.ParseLevelRange(s)
	if err != nil || lr.Max < 0 {
		return nil, fmt.Errorf("want N, A..B or all (0 is the ground floor; basements have no sunlight)")
	}
	return &lr, nil
}

// Routes returns the sunlight route, GET /sites/{id}/sunlight.
func Routes(s *index.Store) []route.Route {
	return []route.Route{{Pattern: "GET /sites/{id}/sunlight", ID: "getSunlight", Type: "application/json", Handler: Handler(s),
		Summary: "The sunlight analysis of a site's residential buildings (GB 50180-2018 §4.0.9, Hangzhou: ≥ 2 h on 大寒日, 8:00–16:00 true solar time), as cim sunlight --format json writes it; f=geojson answers the window sills, each with its hours.",
		Params: []route.Param{
			{Name: "id", In: "path", Description: "The site: its feature id, or its name."},
			{Name: "stage", Description: "Reads the model as that stage sees it.", Enum: route.Stages},
			{Name: "dataset", Description: "The scheme whose buildings are checked; default the site's."},
			{Name: "level", Description: "The floors whose sills are checked: N, A..B or all; default 0."},
			{Name: "f", Description: "json (the analysis) or geojson (the sills).", Enum: []string{"json", "geojson"}},
			{Name: "as_of", Description: "Analyses the store as it was at a revision (12) or a time (2026-12-01T08:00:00+08:00)."},
		}}}
}

// Handler answers GET /sites/{id}/sunlight: the sunlight analysis of a
// site (plan.FindSite) on the store's current revision, as cim sunlight
// --format json writes it, or its receivers as GeoJSON with f=geojson (or
// Accept: application/geo+json). Parameters: stage= (the view), dataset=
// (the scheme whose buildings are checked; the site's by default),
// level=N, A..B or all (default 0, the ground floor). The rule is
// Hangzhou's (GB 50180-2018 §4.0.9, zone III, 大寒日 ≥ 2 h).
func Handler(s *index.Store) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		stage := cim.StageAny
		if v := q.Get("stage"); v != "" {
			var err error
			if stage, err = cim.ParseStage(v); err != nil {
				problem.BadParam(w, r, &problem.ParamError{Name: "stage", Value: v, Reason: err.Error()})
				return
			}
		}
		opts := Options{}
		if l := q.Get("level"); l != "" {
			var err error
			if opts.Levels, err = ParseLevels(l); err != nil {
				problem.BadParam(w, r, &problem.ParamError{Name: "level", Value: l, Reason: err.Error()})
				return
			}
		}
		geo := q.Get("f") == "geojson" || strings.Contains(r.Header.Get("Accept"), "application/geo+json")
		if f := q.Get("f"); f != "" && f != "json" && f != "geojson" {
			problem.BadParam(w, r, &problem.ParamError{Name: "f", Value: f, Reason: "want json or geojson"})
			return
		}
		sn, err := s.SnapshotAsOf(r.Context(), q.Get("as_of"))
		if err != nil {
			problem.Snapshot(w, r, err)
			return
		}
		defer sn.Close()
		site, err := plan.FindSite(r.Context(), sn, r.PathValue("id"), q.Get("dataset"), stage)
		switch {
		case errors.Is(err, plan.ErrNoSite):
			problem.Status(w, r, http.StatusNotFound, err.Error())
			return
		case err != nil:
			problem.Status(w, r, http.StatusBadRequest, err.Error())
			return
		}
		ds := q.Get("dataset")
		if ds == "" {
			ds = site.Dataset
		}
		rep, err := Analyse(r.Context(), sn, site.Geometry, Selection{Dataset: ds, Stage: stage}, Hangzhou, opts)
		switch {
		case errors.Is(err, ErrNoData):
			problem.Status(w, r, http.StatusUnprocessableEntity, err.Error())
			return
		case err != nil && r.Context().Err() != nil:
			problem.Status(w, r, http.StatusServiceUnavailable, err.Error())
			return
		case err != nil:
			problem.Status(w, r, http.StatusInternalServerError, err.Error())
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		if geo {
			w.Header().Set("Content-Type", "application/geo+json")
			WriteGeoJSON(w, []*Report{rep})
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(rep)
	})
}

// WriteGeoJSON writes the receivers of reports as a GeoJSON
// FeatureCollection of points, for QGIS: each with its building, floor,
// facing, height, hours, verdict and lit periods in true solar time.
func WriteGeoJSON(w io.Writer, reps []*Report) error {
	type feature struct {
		Type     string         `json:"type"`
		Geometry map[string]any `json:"geometry"`
		Props    map[string]any `json:"properties"`
	}
	fc := struct {
		Type     string    `json:"type"`
		Features []feature `json:"features"`
	}{Type: "FeatureCollection", Features: []feature{}}
	for _, rep := range reps {
		for _, r := range rep.Receivers {
			var periods []string
			for _, p := range r.Periods {
				periods = append(periods, p.TrueSolarFrom+"–"+p.TrueSolarTo)
			}
			fc.Features = append(fc.Features, feature{
				Type:     "Feature",
				Geometry: map[string]any{"type": "Point", "coordinates": []float64{round7(r.Lon), round7(r.Lat)}},
				Props: map[string]any{"building": r.Building, "level": r.Level, "facing": r.Facing, "z_m": math.Round(r.Z*100) / 100,
					"hours": r.Hours, "pass": r.Pass, "checked": r.Checked, "periods_true_solar": strings.Join(periods, ", ")},
			})
		}
	}
	return json.NewEncoder(w).Encode(fc)
}

func round7(v float64) float64 { return math.Round(v*1e7) / 1e7 }
