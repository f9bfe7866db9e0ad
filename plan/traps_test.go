package plan

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/index"
	"github.com/future-community/cim/ingest/geojson"
)

// A little world in metres east and north of (120.0, 30.0), so expected
// values are plain arithmetic on rectangle sizes.
const lon0, lat0 = 120.0, 30.0

func ll(x, y float64) (float64, float64) {
	kx := 111320 * math.Cos(lat0*math.Pi/180) // ≈ metres per degree; areas are checked to 0.5 %
	return lon0 + x/kx, lat0 + y/110574
}

// ring writes a closed counter-clockwise rectangle ring as GeoJSON.
func ring(x0, y0, x1, y1 float64) string {
	var pts []string
	for _, p := range [][2]float64{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}} {
		lon, lat := ll(p[0], p[1])
		pts = append(pts, fmt.Sprintf("[%.9f,%.9f]", lon, lat))
	}
	return "[" + strings.Join(pts, ",") + "]"
}

// cwRing is ring run clockwise, for holes.
func cwRing(x0, y0, x1, y1 float64) string {
	var pts []string
	for _, p := range [][2]float64{{x0, y0}, {x0, y1}, {x1, y1}, {x1, y0}, {x0, y0}} {
		lon, lat := ll(p[0], p[1])
		pts = append(pts, fmt.Sprintf("[%.9f,%.9f]", lon, lat))
	}
	return "[" + strings.Join(pts, ",") + "]"
}

func rect(x0, y0, x1, y1 float64) string {
	return `{"type":"Polygon","coordinates":[` + ring(x0, y0, x1, y1) + `]}`
}

func pt(x, y float64) string {
	lon, lat := ll(x, y)
	return fmt.Sprintf(`{"type":"Point","coordinates":[%.9f,%.9f]}`, lon, lat)
}

func feat(id, geometry, props string) string {
	return `{"type":"Feature","id":"` + id + `","geometry":` + geometry + `,"properties":{` + props + `}}`
}

// world stores the features in a fresh store and returns a snapshot.
func world(t *testing.T, features ...string) *index.Snapshot {
	t.Helper()
	s, err := index.Open(filepath.Join(t.TempDir(), "db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	doc := `{"type":"FeatureCollection","features":[` + strings.Join(features, ",") + `]}`
	r, err := geojson.NewReader(strings.NewReader(doc), geojson.Options{Dataset: "w", Stage: cim.StagePlanning, Name: "world"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Ingest(context.Background(), r, nil); err != nil {
		t.Fatal(err)
	}
	sn, err := s.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sn.Close)
	return sn
}

const trapPack = `
name: traps
params: {walk: straight}
rules:
  - {id: far, scope: site, indicator: far, op: max, limit: {property: far_max}, severity: error, reference: test}
  - {id: tod, scope: station, indicator: tod_gradient_ok, op: is, limit: true, severity: error, reference: test}
  - {id: core, scope: station, indicator: tod_far_300, op: min, limit: 0.1, severity: warning, reference: test}
  - {id: walk, scope: site, indicator: transit_walk_share, op: min, limit: 0.5, severity: warning, reference: test}
`

func runTrap(t *testing.T, site string, features ...string) *Report {
	t.Helper()
	sn := world(t, features...)
	fs, err := sn.Lookup("geojson:w:" + site)
	if err != nil || len(fs) != 1 {
		t.Fatalf("site %s: %v (%d found)", site, err, len(fs))
	}
	f := fs[0]
	pack, err := ParsePack([]byte(trapPack), "traps")
	if err != nil {
		t.Fatal(err)
	}
	r, err := Check(context.Background(), sn, Site{ID: f.ID, Geometry: f.Geometry, Props: f.Props, Dataset: "w"}, Selection{Dataset: "w"}, pack)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func near(t *testing.T, what string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 0.005*math.Abs(want)+1e-9 {
		t.Errorf("%s = %.6g, want %.6g", what, got, want)
	}
}

func result(r *Report, rule string) []Result {
	var out []Result
	for _, x := range r.Results {
		if x.Rule == rule {
			out = append(out, x)
		}
	}
	return out
}

const siteProps = `"cim:class":"site","far_max":2.0`

func TestTraps(t *testing.T) {
	site := feat("s", rect(0, 0, 200, 200), siteProps)
	tests := []struct {
		name     string
		site     string
		features []string
		check    func(t *testing.T, r *Report)
	}{
		{"overlapping green counts once", "s", []string{site,
			feat("g1", rect(10, 10, 110, 110), `"leisure":"park"`),
			feat("g2", rect(60, 10, 160, 110), `"landuse":"grass"`),
			feat("g3", rect(20, 20, 40, 40), `"leisure":"playground"`), // inside g1
		}, func(t *testing.T, r *Report) {
			near(t, "green_ground_m2", r.Indicators.GreenGroundM2, 150*100)
			near(t, "green_ratio", r.Indicators.GreenRatio, 15000.0/40000)
		}},
		{"building straddling the boundary counts its inside part", "s", []string{site,
			feat("b", rect(180, 50, 220, 90), `"building":"residential","building:levels":10`),
		}, func(t *testing.T, r *Report) {
			near(t, "gfa_m2", r.Indicators.GFAM2, 20*40*10)
			near(t, "footprint_m2", r.Indicators.FootprintM2, 20*40)
			near(t, "far", r.Indicators.FAR, 8000.0/40000)
		}},
		{"basement is reported, not counted", "s", []string{site,
			feat("b", rect(50, 50, 100, 100), `"building":"office","building:levels":4,"building:levels:underground":2`),
			feat("g", rect(0, 0, 200, 20), `"landuse":"grass"`),
		}, func(t *testing.T, r *Report) {
			near(t, "gfa_m2", r.Indicators.GFAM2, 2500*4)
			near(t, "gfa_underground_m2", r.Indicators.GFAUndergroundM2, 2500*2)
		}},
		{"storey under 2.20 m counts half", "s", []string{site,
			feat("b", rect(50, 50, 100, 100), `"building":"residential","building:levels":3`),
			feat("st0", rect(50, 50, 100, 100), `"cim:class":"storey","cim:parent":"b","level":"0","cim:storey_height":3.0`),
			feat("st1", rect(50, 50, 100, 100), `"cim:class":"storey","cim:parent":"b","level":"1","cim:storey_height":3.0`),
			feat("st2", rect(60, 60, 90, 90), `"cim:class":"storey","cim:parent":"b","level":"2","cim:storey_height":2.1`),
			feat("stb", rect(40, 40, 110, 110), `"cim:class":"storey","cim:parent":"b","level":"-1","cim:storey_height":4.0`),
		}, func(t *testing.T, r *Report) {
			near(t, "gfa_m2", r.Indicators.GFAM2, 2500+2500+900/2)
			near(t, "gfa_underground_m2", r.Indicators.GFAUndergroundM2, 4900)
		}},
		{"site with a hole", "sh", []string{
			feat("sh", `{"type":"Polygon","coordinates":[`+ring(0, 0, 200, 200)+`,`+cwRing(50, 50, 100, 100)+`]}`, siteProps),
			feat("in-hole", rect(60, 60, 90, 90), `"building":"yes","building:levels":5`),
			feat("across", rect(90, 60, 120, 90), `"building":"yes","building:levels":2`),
			feat("g", rect(40, 40, 110, 110), `"leisure":"park"`),
		}, func(t *testing.T, r *Report) {
			near(t, "site_area_m2", r.Indicators.SiteAreaM2, 40000-2500)
			near(t, "gfa_m2", r.Indicators.GFAM2, 20*30*2) // only the part of "across" east of x = 100
			near(t, "green_ground_m2", r.Indicators.GreenGroundM2, 4900-2500)
		}},
		{"MultiPolygon site", "sm", []string{
			feat("sm", `{"type":"MultiPolygon","coordinates":[[`+ring(0, 0, 100, 100)+`],[`+ring(300, 0, 400, 100)+`]]}`, siteProps),
			feat("b1", rect(10, 10, 30, 30), `"building":"yes","building:levels":3`),
			feat("b2", rect(310, 10, 350, 30), `"building":"yes","building:levels":2`),
			feat("b3", rect(150, 10, 250, 90), `"building":"yes","building:levels":9`), // between the parts
		}, func(t *testing.T, r *Report) {
			near(t, "site_area_m2", r.Indicators.SiteAreaM2, 20000)
			near(t, "gfa_m2", r.Indicators.GFAM2, 400*3+800*2)
			near(t, "building_density", r.Indicators.BuildingDensity, 1200.0/20000)
		}},
		{"station outside the site whose rings reach it", "s", []string{site,
			feat("st", pt(-200, 100), `"railway":"station","name":"West"`),
			feat("b", rect(0, 80, 50, 120), `"building":"residential","building:levels":6`),
			feat("b2", rect(150, 150, 190, 190), `"building":"residential","building:levels":2`),
		}, func(t *testing.T, r *Report) {
			if len(r.Stations) != 1 {
				t.Fatalf("%d stations, want 1", len(r.Stations))
			}
			s := r.Stations[0]
			near(t, "distance_m", s.DistanceM, 200)
			// The 300 m circle about (−200, 100) covers the strip x ≤
			// ~100 m of the site: x from 0 to 100 where (x+200)² + (y−100)² ≤ 300².
			want := 0.0
			const n = 20000
			for i := 0; i < n; i++ { // midpoint rule over x
				x := 100 * (float64(i) + 0.5) / n
				h := math.Sqrt(300*300 - (x+200)*(x+200))
				want += 100.0 / n * 2 * math.Min(h, 100)
			}
			near(t, "300 m ring area", s.Rings[0].AreaM2, want)
			near(t, "300 m ring GFA", s.Rings[0].GFAM2, 50*40*6)
			if s.GradientOK == nil || !*s.GradientOK {
				t.Errorf("gradient: %v, want ok (the dense building is nearer)", s.GradientOK)
			}
			if res := result(r, "tod"); len(res) != 1 || res[0].Status != Pass {
				t.Errorf("tod rule: %+v", res)
			}
			// transit walk: b (centre 225 m away) is within 800 m, b2 too.
			near(t, "transit_walk_share", *r.Indicators.TransitWalkShare, 1)
		}},
		// Homes are the buildings residential_gfa_m2 counts, by their GFA
		// in the area. Site 200 m × 400 m, station 750 m east of it at
		// (950, 0); a kindergarten at (100, 380); parcel p is its east half
		// (x 100–200). Walks are straight lines.
		//   a: (150–190, 0–40), 10F, 16000 m²; centre (170, 20) is 780 m
		//      from the station (near), 367 m from the kindergarten.
		//   b: (70–110, 180–220), 5F, 8000 m²; centre (90, 200) is 883 m
		//      from the station (far), 180 m from the kindergarten. It
		//      straddles p's west edge: 10 m × 40 m × 5 = 2000 m² in p,
		//      centre outside p; p measures it from (105, 200), 868 m
		//      and 180 m away.
		//   c: (180–320, 330–350), 6F, straddles the site's east edge with
		//      its centre (250, 340) outside, 778 m from the station. Its
		//      part inside, 20 m × 20 m × 6 = 2400 m², is measured from its
		//      middle (190, 340): 833 m from the station (far), 98 m from
		//      the kindergarten.
		// Site: residential GFA 16000 + 8000 + 2400 = 26400; transit
		// 16000/26400 = 0.6061 (0.6667 if c were left out, 0.6970 if c
		// were measured from its centre); kindergarten (8000 + 2400)/26400
		// = 0.3939 (1/2 counting buildings).
		// Parcel p: 16000 + 2000 + 2400 = 20400; transit 16000/20400 =
		// 0.7843; kindergarten (2000 + 2400)/20400 = 0.2157.
		{"homes straddling the boundary count by their GFA inside", "s2", []string{
			feat("s2", rect(0, 0, 200, 400), siteProps),
			feat("p", rect(100, 0, 200, 400), `"cim:class":"parcel"`),
			feat("st", pt(950, 0), `"railway":"station","name":"East"`),
			feat("k", pt(100, 380), `"amenity":"kindergarten"`),
			feat("a", rect(150, 0, 190, 40), `"building":"residential","building:levels":10`),
			feat("b", rect(70, 180, 110, 220), `"building":"residential","building:levels":5`),
			feat("c", rect(180, 330, 320, 350), `"building":"residential","building:levels":6`),
		}, func(t *testing.T, r *Report) {
			in := r.Indicators
			near(t, "residential_gfa_m2", in.ResidentialGFAM2, 26400)
			near(t, "transit_walk_share", *in.TransitWalkShare, 16000.0/26400)
			near(t, "facility_coverage.kindergarten", *in.FacilityCoverage["kindergarten"], 10400.0/26400)
			var left float64 // the homes not near transit: b and c, by their GFA in the site
			for _, c := range in.Contributors("transit_walk_share") {
				left += c.Value
			}
			near(t, "GFA of homes far from transit", left, 8000+2400)
			if len(r.Parcels) != 1 {
				t.Fatalf("%d parcels, want 1", len(r.Parcels))
			}
			pin := r.Parcels[0].Indicators
			near(t, "parcel residential_gfa_m2", pin.ResidentialGFAM2, 20400)
			near(t, "parcel transit_walk_share", *pin.TransitWalkShare, 16000.0/20400)
			near(t, "parcel facility_coverage.kindergarten", *pin.FacilityCoverage["kindergarten"], 4400.0/20400)
		}},
		{"no station: TOD rules do not apply", "s", []string{site,
			feat("b", rect(50, 50, 100, 100), `"building":"residential","building:levels":4`),
		}, func(t *testing.T, r *Report) {
			if len(r.Stations) != 0 {
				t.Fatalf("stations: %+v", r.Stations)
			}
			for _, rule := range []string{"tod", "core", "walk"} {
				res := result(r, rule)
				if len(res) != 1 || res[0].Status != NotApplicable || res[0].Note == "" {
					t.Errorf("rule %s: %+v, want one n/a result with a note", rule, res)
				}
			}
			if !r.Passed {
				t.Error("a site without a station fails")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.check(t, runTrap(t, tt.site, tt.features...)) })
	}
}

func TestRoadLayer(t *testing.T) {
	for _, tt := range []struct {
		props map[string]any
		want  int
	}{
		{map[string]any{}, 0},
		{map[string]any{"bridge": "yes"}, 1},
		{map[string]any{"bridge": "viaduct", "layer": "2"}, 2},
		{map[string]any{"bridge": "no"}, 0},
		{map[string]any{"tunnel": "yes"}, -1},
		{map[string]any{"tunnel": "building_passage"}, 0},
		{map[string]any{"tunnel": "yes", "layer": "-2"}, -2},
		{map[string]any{"layer": " 1 "}, 1},
		{map[string]any{"layer": 3.0}, 3},
		{map[string]any{"layer": "high", "bridge": "yes"}, 1},
	} {
		if got := roadLayer(&cim.Feature{Props: tt.props}); got != tt.want {
			t.Errorf("%v: layer %d, want %d", tt.props, got, tt.want)
		}
	}
}
