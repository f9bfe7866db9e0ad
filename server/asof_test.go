package server

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/index"
)

// TestAsOf changes the sample (one building taller, one deleted) and
// reads the revision before through as_of= on items, an item, TileJSON,
// a tile and the indicators: each answers the store as it was, with an
// ETag of its own; a revision the store no longer keeps is a 410, a bad
// one a 400.
func TestAsOf(t *testing.T) {
	base, s := serve(t, Config{})
	before := s.Revision()
	sn, _ := s.Snapshot()
	it, err := sn.Scan(t.Context(), index.Filter{Classes: []cim.Class{cim.ClassBuilding}, Dataset: "hz-future-community", Stage: cim.StagePlanning})
	if err != nil {
		t.Fatal(err)
	}
	var fs []*cim.Feature
	for it.Next() {
		f, _ := it.Feature()
		fs = append(fs, f)
	}
	it.Close()
	sn.Close()
	if len(fs) < 2 {
		t.Fatalf("%d planned buildings", len(fs))
	}
	b, err := s.Begin()
	if err != nil {
		t.Fatal(err)
	}
	taller := *fs[0]
	taller.Props = map[string]any{"height": 300.0}
	if err := b.Put(&taller); err != nil {
		t.Fatal(err)
	}
	gone := fs[1]
	if _, err := b.Delete(gone.Dataset, gone.Stage, gone.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Commit(); err != nil {
		t.Fatal(err)
	}

	count := func(q string) (int, string) {
		a := get(t, base+"/collections/building/items?limit=1000&dataset=hz-future-community&stage=planning"+q)
		if a.status != 200 {
			t.Fatalf("items%s: %d %s", q, a.status, a.body)
		}
		var fc struct{ NumberReturned int }
		json.Unmarshal(a.body, &fc)
		return fc.NumberReturned, a.header.Get("ETag")
	}
	nNow, tagNow := count("")
	nThen, tagThen := count(fmt.Sprintf("&as_of=%d", before))
	if nThen != nNow+1 || tagNow == tagThen {
		t.Errorf("items: %d now, %d as of %d; ETags %s %s", nNow, nThen, before, tagNow, tagThen)
	}
	item := base + "/collections/building/items/" + gone.ID + "?dataset=" + gone.Dataset + "&stage=planning"
	if a := get(t, item); a.status != 404 {
		t.Errorf("the deleted building now: %d", a.status)
	}
	if a := get(t, fmt.Sprintf("%s&as_of=%d", item, before)); a.status != 200 || !strings.Contains(string(a.body), gone.ID) {
		t.Errorf("the deleted building as of %d: %d %s", before, a.status, a.body)
	}
	a := get(t, fmt.Sprintf("%s/tiles.json?as_of=%d", base, before))
	if a.status != 200 || !strings.Contains(string(a.body), fmt.Sprintf("as_of=%d", before)) {
		t.Errorf("TileJSON as of %d: %d %s", before, a.status, a.body)
	}
	tile := base + sampleTile()
	now, then := get(t, tile), get(t, fmt.Sprintf("%s?as_of=%d", tile, before))
	if now.status != 200 || then.status != 200 || string(now.body) == string(then.body) || now.header.Get("ETag") == then.header.Get("ETag") {
		t.Errorf("the tile now and as of %d: %d %d, same bytes %v", before, now.status, then.status, string(now.body) == string(then.body))
	}
	if a := get(t, fmt.Sprintf("%s/sites/site/indicators?as_of=%d", base, before)); a.status != 200 {
		t.Errorf("indicators as of %d: %d %s", before, a.status, a.body)
	}
	if a := get(t, fmt.Sprintf("%s/sites/site/sunlight?as_of=%d", base, before)); a.status != 200 {
		t.Errorf("sunlight as of %d: %d %.200s", before, a.status, a.body)
	}

	for _, tc := range []struct {
		path   string
		status int
	}{
		{"/collections/building/items?as_of=nonsense", 400},
		{"/collections/building/items?as_of=999", 400},
		{"/tiles.json?as_of=999", 400},
		{"/sites/site/indicators?as_of=x", 400},
		{"/collections/building/items?as_of=2001-01-01T00:00:00Z", 410},
		{"/sites/site/sunlight?as_of=999", 400},
	} {
		if a := get(t, base+tc.path); a.status != tc.status || a.header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: %d %s, want %d", tc.path, a.status, a.body, tc.status)
		}
	}
	if err := s.SetKeep(index.Keep{Revisions: 1}); err != nil {
		t.Fatal(err)
	}
	if a := get(t, fmt.Sprintf("%s/collections/building/items?as_of=%d", base, before)); a.status != 410 || !strings.Contains(string(a.body), "oldest it can read") {
		t.Errorf("as of a revision no longer kept: %d %s", a.status, a.body)
	}
}
