package plan

import (
	"context"
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/index"
	"github.com/future-community/cim/ingest"
	"github.com/future-community/cim/ingest/geojson"
)

const monacoPBF = "../../shared/data/osm/monaco-latest.osm.pbf"

// TestMonacoAgainstPostGIS checks a site drawn around Monte-Carlo station
// against testdata/monaco-postgis.csv, which bench/check.sh (K=1 GOLDEN=1)
// writes from PostGIS: bench/check/indicators.sql on an osm2pgsql import.
func TestMonacoAgainstPostGIS(t *testing.T) {
	if _, err := os.Stat(monacoPBF); err != nil {
		t.Skipf("no %s (the shared data is not beside this checkout): %v", monacoPBF, err)
	}
	s, err := index.Open(filepath.Join(t.TempDir(), "db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	in, err := ingest.Open(monacoPBF, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Ingest(context.Background(), in, nil); err != nil {
		t.Fatal(err)
	}
	in.Close()
	sn, err := s.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer sn.Close()

	f, err := os.Open("testdata/monaco-site.geojson")
	if err != nil {
		t.Fatal(err)
	}
	r, err := geojson.NewReader(f, geojson.Options{Dataset: "site", Stage: cim.StagePlanning})
	if err != nil {
		t.Fatal(err)
	}
	sf, err := r.Next()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	pack, err := LoadPack("../bench/check/far-green.yaml")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Check(context.Background(), sn, Site{ID: "site-000", Geometry: sf.Geometry, Props: sf.Props}, Selection{}, pack)
	if err != nil {
		t.Fatal(err)
	}

	gf, err := os.Open("testdata/monaco-postgis.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer gf.Close()
	rows, err := csv.NewReader(gf).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("monaco-postgis.csv: %v (%d rows)", err, len(rows))
	}
	pg := map[string]float64{}
	for i, k := range rows[0] {
		if v, err := strconv.ParseFloat(rows[1][i], 64); err == nil {
			pg[k] = v
		}
	}
	in2 := rep.Indicators
	for _, c := range []struct {
		name string
		got  float64
		pg   string
	}{
		{"site_area_m2", in2.SiteAreaM2, "site_area_m2"},
		{"gfa_m2", in2.GFAM2, "gfa_m2"},
		{"far", in2.FAR, "far"},
		{"footprint_m2", in2.FootprintM2, "footprint_m2"},
		{"building_density", in2.BuildingDensity, "building_density"},
		{"green_ground_m2", in2.GreenGroundM2, "green_m2"},
		{"green_ratio", in2.GreenRatio, "green_ratio"},
	} {
		want := pg[c.pg]
		rel := math.Abs(c.got-want) / want
		if rel > 0.01 {
			t.Errorf("%s = %.6g, PostGIS %.6g (rel %.2g > 1 %%)", c.name, c.got, want, rel)
		} else {
			t.Logf("%-18s cim %14.6f PostGIS %14.6f rel %.1e", c.name, c.got, want, rel)
		}
	}
	if len(rep.Stations) != 1 || rep.Stations[0].Name != "Monaco - Monte Carlo" {
		t.Errorf("stations near the site: %+v, want Monaco - Monte Carlo", rep.Stations)
	}
}
