package viewer

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/twpayne/go-geom"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/internal/storetest"
)

// TestCatalog: the catalog lists the sample's datasets, floors, site and
// packs, and follows a commit to the store.
func TestCatalog(t *testing.T) {
	s := storetest.Sample(t)
	mux := http.NewServeMux()
	New(s, Options{AssetsDir: t.TempDir()}).Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	get := func() Catalog {
		resp, err := http.Get(srv.URL + "/catalog.json")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var c Catalog
		if err := json.NewDecoder(resp.Body).Decode(&c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	c := get()
	if len(c.Datasets) != 2 || !slices.Contains(c.Levels, -1) || !slices.Contains(c.Levels, 0) || len(c.Sites) != 1 || len(c.Packs) < 2 || len(c.Bounds) != 4 {
		t.Fatalf("catalog %+v", c)
	}
	b, err := s.Begin() // a commit: a new revision
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Put(&cim.Feature{ID: "new", Class: cim.ClassFacility, Dataset: "more", Stage: cim.StageAsBuilt,
		Geometry: geom.NewPointFlat(geom.XY, []float64{120.21, 30.256})}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	if c2 := get(); c2.Revision == c.Revision {
		t.Errorf("the catalog stayed at revision %d after a commit", c.Revision)
	}
}
