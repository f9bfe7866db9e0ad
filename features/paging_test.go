package features_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/ingest"
	"github.com/future-community/cim/internal/storetest"
	"github.com/future-community/cim/query"
)

// TestPagingDuringCommits pages through the buildings with limit=7 while
// another goroutine commits ingests of more buildings into the same
// store: the pages together hold exactly the buildings of the revision
// the first page read, none twice and none missing.
func TestPagingDuringCommits(t *testing.T) {
	s := storetest.Sample(t)
	srv := serve(t, s)
	q := query.Query{Classes: []cim.Class{cim.ClassBuilding}}
	before := want(t, s, q)
	rev0 := s.Revision()

	var wg sync.WaitGroup
	committed := make(chan struct{}, 16)
	stop := make(chan struct{})
	var ingestErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			in, err := ingest.Open("../samples/buildings.geojson", ingest.Options{Dataset: fmt.Sprintf("extra-%d", i), Stage: cim.StageAsBuilt})
			if err != nil {
				ingestErr = err
				return
			}
			_, _, err = s.Ingest(context.Background(), in, nil)
			in.Close()
			if err != nil {
				ingestErr = err
				return
			}
			select {
			case committed <- struct{}{}:
			default:
			}
		}
	}()

	var got []string
	u := srv.URL + "/collections/building/items?limit=7"
	pages, last := 0, ""
	for u != "" {
		last = u
		resp, b := get(t, u)
		if resp.StatusCode != 200 {
			t.Fatalf("page %d: %d %s", pages, resp.StatusCode, b)
		}
		var c fc
		if err := json.Unmarshal(b, &c); err != nil {
			t.Fatal(err)
		}
		for _, f := range c.Features {
			got = append(got, f.Properties["cim:dataset"].(string)+"|"+f.ID)
		}
		if pages == 0 {
			<-committed // the next pages read after a commit
		}
		pages++
		u = c.next()
		if pages > len(before)/7+2 {
			t.Errorf("still paging after %d pages: the pages run past the %d buildings of revision %d", pages, len(before), rev0)
			break
		}
	}
	// And back, by the prev links from the last page: the same pages in
	// reverse, each named in its self link by the cursor it starts at.
	var back [][]string
	for u := last; u != ""; {
		resp, b := get(t, u)
		if resp.StatusCode != 200 {
			t.Fatalf("back, page %d: %d %s", len(back), resp.StatusCode, b)
		}
		var c fc
		if err := json.Unmarshal(b, &c); err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, f := range c.Features {
			ids = append(ids, f.Properties["cim:dataset"].(string)+"|"+f.ID)
		}
		back = append(back, ids)
		if len(back) > 1 && !strings.Contains(c.link("self"), "cursor=") && c.link("prev") != "" {
			t.Errorf("a page reached by a prev link names itself %s, not by its cursor", c.link("self"))
		}
		u = c.link("prev")
		if len(back) > pages {
			t.Fatalf("still paging back after %d pages", len(back))
		}
	}
	slices.Reverse(back)
	if b := slices.Concat(back...); strings.Join(b, ",") != strings.Join(before, ",") {
		t.Errorf("back by prev links: %d pages of %d features, want the %d of revision %d", len(back), len(b), len(before), rev0)
	}
	close(stop)
	wg.Wait()
	if ingestErr != nil {
		t.Fatal(ingestErr)
	}
	if s.Revision() == rev0 {
		t.Fatal("no commit happened while paging: the test shows nothing")
	}
	if strings.Join(got, ",") != strings.Join(before, ",") {
		t.Errorf("%d pages of %d features, want the %d of revision %d\n got %v\nwant %v", pages, len(got), len(before), rev0, got, before)
	}
	if after := want(t, s, q); len(after) <= len(before) {
		t.Errorf("the commits added no buildings (%d before, %d after): the test shows nothing", len(before), len(after))
	}
	seen := map[string]bool{}
	for _, id := range got {
		if seen[id] {
			t.Errorf("%s twice", id)
		}
		seen[id] = true
	}
	if pages < 2 || slices.Contains(got, "") {
		t.Errorf("%d pages", pages)
	}
}
