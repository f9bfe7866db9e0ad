package plan

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/index"
	"github.com/future-community/cim/ingest"
	"github.com/future-community/cim/ingest/geojson"
)

// BenchmarkCheckMonaco checks the site drawn around Monte-Carlo station on
// the Monaco extract, with the far-green pack (the indicators
// bench/check/indicators.sql computes) and with the full zj pack.
func BenchmarkCheckMonaco(b *testing.B) {
	if _, err := os.Stat(monacoPBF); err != nil {
		b.Skipf("no %s: %v", monacoPBF, err)
	}
	s, err := index.Open(filepath.Join(b.TempDir(), "db"), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	in, err := ingest.Open(monacoPBF, ingest.Options{})
	if err != nil {
		b.Fatal(err)
	}
	if _, _, err := s.Ingest(context.Background(), in, nil); err != nil {
		b.Fatal(err)
	}
	in.Close()
	f, _ := os.Open("testdata/monaco-site.geojson")
	r, _ := geojson.NewReader(f, geojson.Options{Dataset: "site", Stage: cim.StagePlanning})
	sf, err := r.Next()
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	site := Site{ID: "site", Geometry: sf.Geometry, Props: sf.Props}
	for _, pack := range []string{"../bench/check/far-green.yaml", "zj-future-community"} {
		p, err := LoadPack(pack)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(p.Name, func(b *testing.B) {
			for b.Loop() {
				sn, err := s.Snapshot()
				if err != nil {
					b.Fatal(err)
				}
				if _, err := Check(context.Background(), sn, site, Selection{}, p); err != nil {
					b.Fatal(err)
				}
				sn.Close()
			}
		})
	}
}
