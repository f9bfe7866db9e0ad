package features_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/features"
	"github.com/future-community/cim/index"
	"github.com/future-community/cim/internal/storetest"
	"github.com/future-community/cim/query"
)

// serve starts the handler of s on loopback.
func serve(t testing.TB, s *index.Store) *httptest.Server {
	t.Helper()
	h := features.New(s, features.Options{})
	mux := http.NewServeMux()
	h.Register(mux)
	mux.HandleFunc("GET /{$}", h.ServeLanding)
	srv := httptest.NewServer(mux)
	t.Cleanup(func() { srv.Close(); h.Close() })
	return srv
}

func get(t testing.TB, u string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

type fc struct {
	Features []struct {
		ID       string `json:"id"`
		Geometry struct {
			Type        string          `json:"type"`
			Coordinates json.RawMessage `json:"coordinates"`
		} `json:"geometry"`
		Properties map[string]any `json:"properties"`
	} `json:"features"`
	NumberReturned int  `json:"numberReturned"`
	NumberMatched  *int `json:"numberMatched"`
	Links          []struct {
		Href, Rel, Type string
	} `json:"links"`
}

// nextOf returns the next link of an items page.
func nextOf(t testing.TB, body []byte) string {
	t.Helper()
	var c fc
	if err := json.Unmarshal(body, &c); err != nil {
		t.Fatal(err)
	}
	return c.next()
}

func (c fc) next() string { return c.link("next") }

func (c fc) link(rel string) string {
	for _, l := range c.Links {
		if l.Rel == rel {
			return l.Href
		}
	}
	return ""
}

// want lists what query.Run finds, the way cim query does.
func want(t testing.TB, s *index.Store, q query.Query) []string {
	t.Helper()
	sn, err := s.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer sn.Close()
	rows := query.Run(context.Background(), sn, q)
	defer rows.Close()
	var ids []string
	for rows.Next() {
		ids = append(ids, rows.Feature().Dataset+"|"+rows.Feature().ID)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return ids
}

// pageAll follows next links from u and returns dataset|id of each feature.
func pageAll(t testing.TB, u string) (ids []string, pages int) {
	t.Helper()
	for u != "" {
		resp, b := get(t, u)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", u, resp.StatusCode, b)
		}
		var c fc
		if err := json.Unmarshal(b, &c); err != nil {
			t.Fatal(err)
		}
		if c.NumberReturned != len(c.Features) {
			t.Fatalf("numberReturned %d, %d features", c.NumberReturned, len(c.Features))
		}
		for _, f := range c.Features {
			ids = append(ids, f.Properties["cim:dataset"].(string)+"|"+f.ID)
		}
		pages++
		u = c.next()
	}
	return ids, pages
}

func TestItemsPaging(t *testing.T) {
	s := storetest.Sample(t)
	srv := serve(t, s)
	for _, tc := range []struct {
		name, params string
		q            query.Query
	}{
		{"all buildings", "", query.Query{Classes: []cim.Class{cim.ClassBuilding}}},
		{"storeys on floors 1 to 3", "level=1..3", query.Query{Classes: []cim.Class{cim.ClassStorey}, Levels: &cim.LevelRange{Min: 1, Max: 3}}},
		{"buildings at planning", "stage=planning", query.Query{Classes: []cim.Class{cim.ClassBuilding}, Stage: cim.StagePlanning}},
		{"facilities by kind", "kind=canteen", query.Query{Classes: []cim.Class{cim.ClassFacility}, Where: []query.Cond{{Key: "cim:kind", Value: "canteen"}}}},
		{"storeys by parent", "parent=geojson:hz-future-community:b-r07&dataset=hz-future-community", query.Query{Classes: []cim.Class{cim.ClassStorey}, Dataset: "hz-future-community", Where: []query.Cond{{Key: "cim:parent", Value: "geojson:hz-future-community:b-r07"}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cl := tc.q.Classes[0].String()
			exp := want(t, s, tc.q)
			if len(exp) == 0 {
				t.Fatal("the sample has none: the case shows nothing")
			}
			for _, limit := range []string{"1", "3", "100"} {
				got, pages := pageAll(t, srv.URL+"/collections/"+cl+"/items?limit="+limit+"&"+tc.params)
				if strings.Join(got, ",") != strings.Join(exp, ",") {
					t.Errorf("limit %s: %d features in %d pages\n got %v\nwant %v", limit, len(got), pages, got, exp)
				}
			}
		})
	}
}

func TestProblems(t *testing.T) {
	s := storetest.Sample(t)
	srv := serve(t, s)
	for _, tc := range []struct {
		path   string
		status int
		param  string
	}{
		{"/collections/building/items?bbox=1,2,3", 400, "bbox"},
		{"/collections/building/items?bbox=1,2,x,4", 400, "bbox"},
		{"/collections/building/items?limit=-1", 400, "limit"},
		{"/collections/building/items?limit=10001", 400, "limit"},
		{"/collections/building/items?crs=EPSG:9999", 400, "crs"},
		{"/collections/building/items?crs=EPSG:32650", 400, "crs"},
		{"/collections/building/items?bbox-crs=EPSG:1", 400, "bbox-crs"},
		{"/collections/building/items?level=x", 400, "level"},
		{"/collections/building/items?stage=later", 400, "stage"},
		{"/collections/building/items?filter=height>", 400, "filter"},
		{"/collections/building/items?filter=nosuch=1", 400, "filter"},
		{"/collections/building/items?filter=T_AFTER(built,DATE(%272000-01-01%27))", 400, "filter"},
		{"/collections/building/items?filter=" + strings.Repeat("(", 10000) + "height>1" + strings.Repeat(")", 10000), 400, "filter"},
		{"/collections/building/items?filter=height>1&filter-lang=sql", 400, "filter-lang"},
		{"/collections/building/items?filter=height>1&filter-crs=EPSG:3857", 400, "filter-crs"},
		{"/collections/building/items?cursor=abc", 400, "cursor"},
		{"/collections/building/items?rev=999999&cursor=abc", 410, ""},
		{"/collections/building/items?before=abc", 400, "before"},
		{"/collections/building/items?rev=1&cursor=abc&before=abc", 400, "before"},
		{fmt.Sprintf("/collections/building/items?rev=%d&before=abc", s.Revision()), 400, "before"},
		{"/changes?since=x", 400, "since"},
		{"/changes?since=999999", 400, "since"},
		{"/changes?limit=-1", 400, "limit"},
		{"/changes?wait=1h", 400, "wait"},
		{"/changes?after=1.2", 400, "after"},
		{"/changes?since=0&after=999.0.0", 400, "after"},
		{"/changes?since=0&after=18446744073709551615.0.0", 400, "after"},
		{"/changes?class=nosuch", 400, "class"},
		{"/changes?sinse=1", 400, "sinse"},
		{"/collections/nosuch", 404, ""},
		{"/collections/nosuch/items", 404, ""},
		{"/collections/building/items/nosuch", 404, ""},
	} {
		t.Run(tc.path, func(t *testing.T) {
			resp, b := get(t, srv.URL+tc.path)
			if resp.StatusCode != tc.status || resp.Header.Get("Content-Type") != "application/problem+json" {
				t.Fatalf("%d %s %s, want %d problem", resp.StatusCode, resp.Header.Get("Content-Type"), b, tc.status)
			}
			var p struct{ Parameter string }
			json.Unmarshal(b, &p)
			if p.Parameter != tc.param {
				t.Errorf("parameter %q, want %q: %s", p.Parameter, tc.param, b)
			}
		})
	}
}

func TestDocuments(t *testing.T) {
	s := storetest.Sample(t)
	srv := serve(t, s)
	for _, tc := range []struct {
		path, ctype, has string
	}{
		{"/", "application/json", `"rel":"service-desc"`},
		{"/conformance", "application/json", "ogcapi-features-2/1.0/conf/crs"},
		{"/api", "application/vnd.oai.openapi+json;version=3.0", `"/collections/{collectionId}/items/{featureId}/levels"`},
		{"/collections", "application/json", `"id":"transit_stop"`},
		{"/collections/building", "application/json", `"spatial":{"bbox":[[`},
		{"/collections/building/queryables", "application/schema+json", `"level_min"`},
	} {
		t.Run(tc.path, func(t *testing.T) {
			resp, b := get(t, srv.URL+tc.path)
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != tc.ctype || !strings.Contains(string(b), tc.has) {
				t.Fatalf("%d %s, want 200 %s holding %s:\n%.600s", resp.StatusCode, resp.Header.Get("Content-Type"), tc.ctype, tc.has, b)
			}
		})
	}
}

func TestItem(t *testing.T) {
	s := storetest.Sample(t)
	srv := serve(t, s)
	ids := want(t, s, query.Query{Classes: []cim.Class{cim.ClassBuilding}})
	if len(ids) == 0 {
		t.Fatal("the sample has no buildings")
	}
	_, id, _ := strings.Cut(ids[0], "|")
	resp, b := get(t, srv.URL+"/collections/building/items/"+url.PathEscape(id))
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/geo+json" {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
	var f struct{ ID string }
	json.Unmarshal(b, &f)
	if f.ID != id {
		t.Errorf("id %q, want %q", f.ID, id)
	}
}

// TestLevels reads the floor stack of the sample's building b-r07 (a
// basement and 26 floors, as samples/storeys.geojson draws it).
func TestLevels(t *testing.T) {
	s := storetest.Sample(t)
	srv := serve(t, s)
	resp, b := get(t, srv.URL+"/collections/building/items/"+url.PathEscape("geojson:hz-future-community:b-r07")+"/levels")
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
	var doc struct {
		Levels []struct {
			Level      float64
			Name       string
			HeightM    *float64 `json:"height_m"`
			ElevationM *float64 `json:"elevation_m"`
			AreaM2     float64  `json:"floor_area_m2"`
			GFAM2      float64  `json:"gfa_counted_m2"`
		}
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Levels) < 2 {
		t.Fatalf("%d levels: %s", len(doc.Levels), b)
	}
	first, second := doc.Levels[0], doc.Levels[1]
	if first.Level != -1 || first.GFAM2 != 0 || first.AreaM2 <= 0 || first.HeightM == nil || *first.HeightM != 4.2 {
		t.Errorf("the basement: %+v", first)
	}
	if second.Level != 0 || second.GFAM2 != second.AreaM2 || second.ElevationM == nil || *second.ElevationM != 0 || !strings.Contains(second.Name, "1层") {
		t.Errorf("the ground floor: %+v", second)
	}
	resp, b = get(t, srv.URL+"/collections/space/items/x/levels")
	if resp.StatusCode != 404 {
		t.Errorf("levels of a space: %d %s", resp.StatusCode, b)
	}
}

// TestFilter: a CQL2 filter keeps exactly the features the same test,
// written in Go over query.Run, keeps; across pages, in text and JSON.
func TestFilter(t *testing.T) {
	s := storetest.Sample(t)
	srv := serve(t, s)
	all := func(c cim.Class, keep func(*cim.Feature) bool) []string {
		sn, err := s.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		defer sn.Close()
		rows := query.Run(context.Background(), sn, query.Query{Classes: []cim.Class{c}})
		defer rows.Close()
		var ids []string
		for rows.Next() {
			if f := rows.Feature(); keep(f) {
				ids = append(ids, f.Dataset+"|"+f.ID)
			}
		}
		return ids
	}
	box := cim.Box{MinLon: 120.2110, MinLat: 30.2560, MaxLon: 120.2125, MaxLat: 30.2575}
	for _, tc := range []struct {
		name, class, filter, lang string
		keep                      func(*cim.Feature) bool
	}{
		{"height", "building", "height > 20", "", func(f *cim.Feature) bool { _, hi, ok := cim.Heights(f); return ok && hi > 20 }},
		{"not height", "building", "NOT (height > 20)", "", func(f *cim.Feature) bool { _, hi, ok := cim.Heights(f); return ok && !(hi > 20) }},
		{"kind and floors", "building", "kind = 'residential' AND level_max >= 5", "cql2-text", func(f *cim.Feature) bool { return f.Kind == "residential" && f.Levels.Max >= 5 }},
		{"kind, GDAL's spelling", "building", "(kind = 'residential') OR (kind = 'school')", "cql-text", func(f *cim.Feature) bool { return f.Kind == "residential" || f.Kind == "school" }},
		{"no height", "site", "height IS NULL", "", func(f *cim.Feature) bool { _, _, ok := cim.Heights(f); return !ok }},
		{"name like", "building", "name LIKE '%1%'", "", func(f *cim.Feature) bool { s, _ := f.Props["name"].(string); return strings.Contains(s, "1") }},
		{"in a box", "building", fmt.Sprintf("S_INTERSECTS(geometry, BBOX(%v,%v,%v,%v))", box.MinLon, box.MinLat, box.MaxLon, box.MaxLat), "", func(f *cim.Feature) bool { return cim.IntersectsBox(f.Geometry, box) }},
		// Two boxes that do not meet, at the two ends of the roads along
		// 30.2547745 and 30.2587436: the roads meet both (the scan must
		// not be narrowed to the boxes' overlap, which is empty).
		{"two boxes", "road", "S_INTERSECTS(geometry, BBOX(120.2050,30.2540,120.2060,30.2590)) AND S_INTERSECTS(geometry, BBOX(120.2180,30.2540,120.2195,30.2590))", "", func(f *cim.Feature) bool {
			return cim.IntersectsBox(f.Geometry, cim.Box{MinLon: 120.2050, MinLat: 30.2540, MaxLon: 120.2060, MaxLat: 30.2590}) &&
				cim.IntersectsBox(f.Geometry, cim.Box{MinLon: 120.2180, MinLat: 30.2540, MaxLon: 120.2195, MaxLat: 30.2590})
		}},
		{"json", "storey", `{"op":"=","args":[{"property":"level_min"},2]}`, "cql2-json", func(f *cim.Feature) bool { return f.Levels.Min == 2 }},
		{"property-property", "storey", "level_min = level_max", "", func(f *cim.Feature) bool { return f.Levels.Min == f.Levels.Max }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := url.Values{"filter": {tc.filter}, "limit": {"3"}}
			if tc.lang != "" {
				v.Set("filter-lang", tc.lang)
			}
			got, _ := pageAll(t, srv.URL+"/collections/"+tc.class+"/items?"+v.Encode())
			c, _ := cim.ParseClass(tc.class)
			w := all(c, tc.keep)
			if len(w) == 0 {
				t.Fatalf("no %s passes %q: the case tests nothing", tc.class, tc.filter)
			}
			slices.Sort(got)
			slices.Sort(w)
			if !slices.Equal(got, w) {
				t.Errorf("%q: %d features %v, want %d %v", tc.filter, len(got), got, len(w), w)
			}
		})
	}
}
