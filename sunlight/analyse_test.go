package sunlight

import (
	"context"
	"math"
	"testing"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/internal/storetest"
)

func TestFrame(t *testing.T) {
	fr := NewFrame(120.1551, 30.2741)
	sl := math.Sin(30.2741 * math.Pi / 180)
	w := math.Sqrt(1 - wgs84E2*sl*sl)
	m, n := wgs84A*(1-wgs84E2)/(w*w*w), wgs84A/w
	deg := math.Pi / 180
	tests := []struct {
		name     string
		lon, lat float64
		e, north float64 // expected metres, to tol
		tol      float64
	}{
		{"origin", 120.1551, 30.2741, 0, 0, 1e-9},
		{"1 km north", 120.1551, 30.2741 + 1000/m/deg, 0, 1000, 0.01},
		{"1 km east", 120.1551 + 1000/(n*math.Cos(30.2741*deg))/deg, 30.2741, 1000, 0.045, 0.01},
		{"1 km south-west", 120.1551 - 1000/(n*math.Cos(30.2741*deg))/deg, 30.2741 - 1000/m/deg, -1000, -1000, 0.2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, no := fr.EN(tt.lon, tt.lat)
			if math.Abs(e-tt.e) > tt.tol || math.Abs(no-tt.north) > tt.tol {
				t.Errorf("EN = %.4f, %.4f; want %.4f, %.4f ± %g", e, no, tt.e, tt.north, tt.tol)
			}
			lon, lat := fr.LonLat(e, no)
			if math.Abs(lon-tt.lon) > 1e-9 || math.Abs(lat-tt.lat) > 1e-9 {
				t.Errorf("LonLat(EN) = %.10f, %.10f; want %.10f, %.10f", lon, lat, tt.lon, tt.lat)
			}
		})
	}
}

func TestAnalyseSample(t *testing.T) {
	s := storetest.Sample(t)
	sn, err := s.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer sn.Close()
	fs, err := sn.Lookup("geojson:hz-future-community:site")
	if err != nil || len(fs) == 0 {
		t.Fatalf("no sample site: %v", err)
	}
	ground, err := Analyse(context.Background(), sn, fs[0].Geometry, Selection{Dataset: fs[0].Dataset}, Hangzhou, Options{Year: 2026, SpacingM: 4})
	if err != nil {
		t.Fatal(err)
	}
	all, err := Analyse(context.Background(), sn, fs[0].Geometry, Selection{Dataset: fs[0].Dataset}, Hangzhou, Options{Year: 2026, SpacingM: 4, Levels: &cim.LevelRange{Min: 0, Max: 100}})
	if err != nil {
		t.Fatal(err)
	}
	if len(ground.Buildings) == 0 || len(ground.Buildings) != len(all.Buildings) {
		t.Fatalf("%d buildings on the ground floor, %d at every level", len(ground.Buildings), len(all.Buildings))
	}
	for i, b := range ground.Buildings {
		a := all.Buildings[i]
		// Higher storeys only add sills: the ground floor's are the same.
		if a.Receivers <= b.Receivers || a.WorstH != b.WorstH {
			t.Errorf("%s: %d sills, worst %v h on the ground floor; %d, %v h at every level", b.ID, b.Receivers, b.WorstH, a.Receivers, a.WorstH)
		}
		if !b.Pass && !a.Pass {
			continue
		}
		if b.Pass != (len(b.FailingFloors) == 0) {
			t.Errorf("%s: pass %v, failing floors %v", b.ID, b.Pass, b.FailingFloors)
		}
	}
}

// BenchmarkAnalyseSample checks the sample site's ground floor at 1 m
// spacing: the store read, the prisms and some 4 300 sills.
func BenchmarkAnalyseSample(b *testing.B) {
	s := storetest.Sample(b)
	sn, err := s.Snapshot()
	if err != nil {
		b.Fatal(err)
	}
	defer sn.Close()
	fs, err := sn.Lookup("geojson:hz-future-community:site")
	if err != nil || len(fs) == 0 {
		b.Fatalf("no sample site: %v", err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Analyse(context.Background(), sn, fs[0].Geometry, Selection{Dataset: fs[0].Dataset}, Hangzhou, Options{Year: 2026}); err != nil {
			b.Fatal(err)
		}
	}
}
