package plan

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/twpayne/go-geom"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/internal/storetest"
)

// TestCheckSitesMatchesOneByOne checks the site and every parcel at once,
// four at a time from one snapshot, and compares each report with a check
// of that site alone. Run with -race, it shows the snapshot and a check's
// own state are safe to share.
func TestCheckSitesMatchesOneByOne(t *testing.T) {
	s := storetest.Sample(t)
	sn, err := s.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer sn.Close()
	pack, err := LoadPack("zj-future-community")
	if err != nil {
		t.Fatal(err)
	}
	var sites []Site
	for _, id := range []string{"site", "p-01", "p-02", "p-03", "p-04", "p-05", "p-06", "p-07", "p-08"} {
		sites = append(sites, siteOf(t, sn, id))
	}
	sel := func(s Site) Selection { return Selection{Dataset: s.Dataset, Stage: cim.StageDesign} }
	reps, err := CheckSites(context.Background(), sn, sites, sel, pack, 4)
	if err != nil {
		t.Fatal(err)
	}
	if len(reps) != len(sites) {
		t.Fatalf("%d reports for %d sites", len(reps), len(sites))
	}
	for i, site := range sites {
		one, err := Check(context.Background(), sn, site, sel(site), pack)
		if err != nil {
			t.Fatal(err)
		}
		var a, b bytes.Buffer
		if err := WriteJSON(&a, reps[i]); err != nil {
			t.Fatal(err)
		}
		if err := WriteJSON(&b, one); err != nil {
			t.Fatal(err)
		}
		if a.String() != b.String() {
			t.Errorf("site %s: the report checked beside others differs from the one checked alone", site.ID)
		}
	}
}

func TestCheckSitesStopsAtABadSite(t *testing.T) {
	s := storetest.Sample(t)
	sn, err := s.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer sn.Close()
	pack, _ := LoadPack("zj-future-community")
	bad := Site{ID: "bow-tie", Geometry: geom.NewPolygonFlat(geom.XY,
		[]float64{120.20, 30.25, 120.21, 30.26, 120.21, 30.25, 120.20, 30.26, 120.20, 30.25}, []int{10})}
	sites := []Site{siteOf(t, sn, "site"), bad, siteOf(t, sn, "p-01")}
	_, err = CheckSites(context.Background(), sn, sites, func(Site) Selection { return Selection{} }, pack, 2)
	if err == nil || !strings.Contains(err.Error(), "site bow-tie") {
		t.Errorf("err = %v, want one naming site bow-tie", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := CheckSites(ctx, sn, sites[:1], func(Site) Selection { return Selection{} }, pack, 2); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v", err)
	}
}
