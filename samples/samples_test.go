package samples

import (
	"encoding/csv"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/ingest/geojson"
)

// load reads every sample file.
func load(t *testing.T) []*cim.Feature {
	t.Helper()
	var fs []*cim.Feature
	for _, name := range Names() {
		f, err := FS().Open(name)
		if err != nil {
			t.Fatal(err)
		}
		r, err := geojson.NewReader(f, geojson.Options{Dataset: Dataset, Stage: cim.StagePlanning, Name: name})
		if err != nil {
			t.Fatal(err)
		}
		for {
			feat, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			fs = append(fs, feat)
		}
		if w := r.Warnings(); len(w) > 0 {
			t.Errorf("%s: unreadable values %v", name, w)
		}
		f.Close()
	}
	return fs
}

// postgis reads the indicator values that gen/check_indicators.sh computed
// with PostGIS (ST_Area of geography: the WGS84 spheroid).
func postgis(t *testing.T) map[string]float64 {
	t.Helper()
	f, err := os.Open("gen/indicators.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]float64{}
	for _, r := range rows[1:] {
		v, err := strconv.ParseFloat(r[1], 64)
		if err != nil {
			t.Fatalf("indicators.csv: %v", err)
		}
		m[r[0]] = v
	}
	return m
}

func TestSampleLoads(t *testing.T) {
	fs := load(t)
	if len(fs) != 139 {
		t.Errorf("%d features, want the 139 of README.md", len(fs))
	}
	count := map[cim.Class]int{}
	buildings := map[string]bool{}
	for _, f := range fs {
		count[f.Class]++
		if f.Class == cim.ClassBuilding && f.Stage == cim.StagePlanning {
			buildings[f.ID] = true
		}
	}
	if count[cim.ClassBuilding] < 30 || count[cim.ClassSite] != 1 || count[cim.ClassParcel] != 8 || count[cim.ClassStorey] == 0 || count[cim.ClassTransitStop] == 0 {
		t.Errorf("classes %v", count)
	}
	// Storeys name buildings that exist; design twins share planning ids.
	for _, f := range fs {
		if f.Class == cim.ClassStorey && !buildings[f.Parent] {
			t.Errorf("storey %s: parent %q is not a planning-stage building", f.ID, f.Parent)
		}
	}
}

// TestAreasAgreeWithPostGIS checks cim.AreaM2 against PostGIS
// ST_Area(geography) on the sample's site, parcels and green: the issue asks
// for 0.1 %; both measure on the WGS84 ellipsoid, so they agree far closer.
func TestAreasAgreeWithPostGIS(t *testing.T) {
	ref := postgis(t)
	var greenSum, roofSum, worst float64
	checked := 0
	check := func(name string, got float64) {
		t.Helper()
		want, ok := ref[name]
		if !ok {
			t.Fatalf("indicators.csv has no %s", name)
		}
		rel := math.Abs(got-want) / want
		worst = max(worst, rel)
		if rel > 1e-6 {
			t.Errorf("%s: cim %.3f m², PostGIS %.3f m² (relative difference %.2g)", name, got, want, rel)
		}
		checked++
	}
	for _, f := range load(t) {
		switch {
		case f.Class == cim.ClassSite:
			check("site_area_m2", cim.AreaM2(f.Geometry))
		case f.Class == cim.ClassParcel:
			check(strings.ReplaceAll(f.ID[len("geojson:"+Dataset+":"):], "-", "_")+"_area_m2", cim.AreaM2(f.Geometry))
		case f.Class == cim.ClassGreen && f.Props["location"] == "roof":
			roofSum += cim.AreaM2(f.Geometry)
		case f.Class == cim.ClassGreen && (f.Kind == "park" || f.Kind == "garden" || f.Kind == "playground" || f.Kind == "grass"):
			greenSum += cim.AreaM2(f.Geometry)
		}
	}
	check("green_ground_sum_m2", greenSum)
	check("roof_garden_m2", roofSum)
	t.Logf("worst relative difference from PostGIS: %.2g", worst)
	if checked != 11 {
		t.Errorf("checked %d areas, want 11", checked)
	}
}
