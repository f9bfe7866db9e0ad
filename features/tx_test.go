package features_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/index"
	"github.com/future-community/cim/internal/storetest"
	"github.com/future-community/cim/server"
)

// txServer serves the sample store through the whole server, token
// guard included, with write token "t" (none when token is "").
func txServer(t testing.TB, token string) (*index.Store, *httptest.Server) {
	t.Helper()
	s := storetest.Sample(t)
	srv, err := server.New(server.Config{Store: s, Access: server.Access{Token: token}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { ts.Close(); srv.Features().Close() })
	return s, ts
}

// do sends a request with the write token "t" unless hdr sets
// Authorization ("" to send none).
func do(t testing.TB, method, u string, body []byte, hdr ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, u, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer t")
	req.Header.Set("Content-Type", "application/geo+json")
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i+1] == "" {
			req.Header.Del(hdr[i])
		} else {
			req.Header.Set(hdr[i], hdr[i+1])
		}
	}
	resp, err := http.DefaultClient.Do(req)
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

func wantStatus(t testing.TB, what string, resp *http.Response, body []byte, status int) {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("%s: status %d, want %d: %s", what, resp.StatusCode, status, body)
	}
}

type item struct {
	ID         string         `json:"id"`
	Geometry   map[string]any `json:"geometry"`
	Properties map[string]any `json:"properties"`
}

func decodeItem(t testing.TB, b []byte) item {
	t.Helper()
	var it item
	if err := json.Unmarshal(b, &it); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return it
}

const square = `{"type":"Polygon","coordinates":[[[120.1,30.2],[120.1001,30.2],[120.1001,30.2001],[120.1,30.2001],[120.1,30.2]]]}`

func TestTxRoundTrip(t *testing.T) {
	s, ts := txServer(t, "t")
	items := ts.URL + "/collections/building/items"

	// Create.
	resp, b := do(t, "POST", items, []byte(`{"type":"Feature","id":"tx1","geometry":`+square+`,"properties":{"building":"residential","building:levels":5,"name":"一号楼"}}`))
	wantStatus(t, "POST", resp, b, http.StatusCreated)
	loc, tag := resp.Header.Get("Location"), resp.Header.Get("ETag")
	if !strings.Contains(loc, "/collections/building/items/"+url.PathEscape("geojson:api:tx1")) || tag == "" {
		t.Fatalf("POST: Location %q, ETag %q", loc, tag)
	}
	f, err := snapshotGet(s, "api", cim.DefaultStage, "geojson:api:tx1")
	if err != nil || f.Vertical.LevelsAbove != 5 || f.Class != cim.ClassBuilding {
		t.Fatalf("stored: %+v, %v", f, err)
	}
	resp, b = do(t, "POST", items, []byte(`{"type":"Feature","id":"tx1","geometry":`+square+`,"properties":{}}`))
	wantStatus(t, "POST again", resp, b, http.StatusConflict)

	// Read: the same ETag.
	resp, b = do(t, "GET", loc, nil)
	wantStatus(t, "GET", resp, b, http.StatusOK)
	if got := resp.Header.Get("ETag"); got != tag {
		t.Fatalf("GET ETag %s, POST gave %s", got, tag)
	}
	it := decodeItem(t, b)
	if it.ID != "geojson:api:tx1" || it.Properties["name"] != "一号楼" || it.Properties["cim:dataset"] != "api" {
		t.Fatalf("GET: %s", b)
	}

	// Replace.
	it.Properties["name"] = "二号楼"
	body, _ := json.Marshal(map[string]any{"type": "Feature", "id": it.ID, "geometry": it.Geometry, "properties": it.Properties})
	resp, b = do(t, "PUT", loc, body, "If-Match", tag)
	wantStatus(t, "PUT", resp, b, http.StatusOK)
	tag2 := resp.Header.Get("ETag")
	if tag2 == tag || tag2 == "" {
		t.Fatalf("PUT ETag %q, before %q", tag2, tag)
	}
	if f, _ := snapshotGet(s, "api", cim.DefaultStage, "geojson:api:tx1"); f.Props["name"] != "二号楼" {
		t.Fatalf("after PUT: %v", f.Props)
	}

	// Update: a merge patch removes name, sets the levels, moves the geometry.
	patch := `{"properties":{"name":null,"building:levels":7},"geometry":{"type":"Point","coordinates":[120.2,30.3]}}`
	resp, b = do(t, "PATCH", loc, []byte(patch), "If-Match", tag2, "Content-Type", "application/merge-patch+json")
	wantStatus(t, "PATCH", resp, b, http.StatusOK)
	tag3 := resp.Header.Get("ETag")
	f, _ = snapshotGet(s, "api", cim.DefaultStage, "geojson:api:tx1")
	if _, ok := f.Props["name"]; ok || f.Vertical.LevelsAbove != 7 || f.Geometry.FlatCoords()[0] != 120.2 {
		t.Fatalf("after PATCH: %+v", f)
	}
	resp, b = do(t, "GET", loc, nil)
	if resp.Header.Get("ETag") != tag3 {
		t.Fatalf("GET after PATCH: ETag %s, PATCH gave %s", resp.Header.Get("ETag"), tag3)
	}

	// Delete.
	resp, b = do(t, "DELETE", loc, nil, "If-Match", tag3)
	wantStatus(t, "DELETE", resp, b, http.StatusNoContent)
	resp, b = do(t, "GET", loc, nil)
	wantStatus(t, "GET after DELETE", resp, b, http.StatusNotFound)
	resp, b = do(t, "DELETE", loc, nil)
	wantStatus(t, "DELETE again", resp, b, http.StatusNotFound)
}

func snapshotGet(s *index.Store, ds string, st cim.Stage, id string) (*cim.Feature, error) {
	sn, err := s.Snapshot()
	if err != nil {
		return nil, err
	}
	defer sn.Close()
	return sn.Get(ds, st, id)
}

func TestTxCreateDefaults(t *testing.T) {
	s, ts := txServer(t, "t")
	tests := []struct {
		name, query, props string
		dataset            string
		stage              cim.Stage
		status             int
	}{
		{"default dataset", "", `{}`, "api", cim.DefaultStage, 201},
		{"query", "?dataset=plan-a&stage=design", `{}`, "plan-a", cim.StageDesign, 201},
		{"body", "", `{"cim:dataset":"plan-b","cim:stage":"construction"}`, "plan-b", cim.StageConstruction, 201},
		{"body agrees", "?dataset=plan-b", `{"cim:dataset":"plan-b"}`, "plan-b", cim.DefaultStage, 201},
		{"body disagrees", "?dataset=plan-c", `{"cim:dataset":"plan-b"}`, "", 0, 400},
		{"bad stage=", "?stage=someday", `{}`, "", 0, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, b := do(t, "POST", ts.URL+"/collections/green/items"+tt.query, []byte(`{"type":"Feature","geometry":`+square+`,"properties":`+tt.props+`}`))
			wantStatus(t, "POST", resp, b, tt.status)
			if tt.status != 201 {
				return
			}
			it := decodeItem(t, b)
			if !strings.HasPrefix(it.ID, "geojson:"+tt.dataset+":") || len(it.ID) < len("geojson:"+tt.dataset+":")+16 {
				t.Fatalf("generated id %q", it.ID)
			}
			f, err := snapshotGet(s, tt.dataset, tt.stage, it.ID)
			if err != nil || f.Class != cim.ClassGreen {
				t.Fatalf("stored %+v, %v", f, err)
			}
			resp, b = do(t, "GET", resp.Header.Get("Location"), nil)
			wantStatus(t, "GET Location", resp, b, 200)
		})
	}
}

func TestTxStaleIfMatch(t *testing.T) {
	s, ts := txServer(t, "t")
	u := ts.URL + "/collections/building/items/" + url.PathEscape(sampleBuilding(t, ts))
	resp, b := do(t, "GET", u, nil)
	wantStatus(t, "GET", resp, b, 200)
	old := resp.Header.Get("ETag")
	resp, b = do(t, "PATCH", u, []byte(`{"properties":{"name":"A"}}`), "If-Match", old)
	wantStatus(t, "PATCH", resp, b, 200)
	cur := resp.Header.Get("ETag")
	rev := s.Revision()
	for _, m := range []string{"PATCH", "PUT", "DELETE"} {
		resp, b = do(t, m, u, []byte(`{"properties":{"name":"B"}}`), "If-Match", old)
		wantStatus(t, m+" with a stale If-Match", resp, b, http.StatusPreconditionFailed)
		if !strings.Contains(detail(t, b), cur) {
			t.Errorf("%s: the 412 does not name the current ETag %s: %s", m, cur, b)
		}
	}
	resp, b = do(t, "PATCH", u, []byte(`{"properties":{"name":"C"}}`), "If-Match", `W/`+cur)
	wantStatus(t, "PATCH with a weak If-Match", resp, b, http.StatusPreconditionFailed)
	if s.Revision() != rev {
		t.Fatalf("revision %d after refused writes, was %d", s.Revision(), rev)
	}
	resp, b = do(t, "PATCH", u, []byte(`{"properties":{"name":"D"}}`), "If-Match", `"x", `+cur)
	wantStatus(t, "PATCH with a list naming the ETag", resp, b, 200)
	resp, b = do(t, "PATCH", u, []byte(`{"properties":{"name":"E"}}`), "If-Match", "*")
	wantStatus(t, "PATCH with If-Match: *", resp, b, 200)
}

// sampleBuilding returns the id of a building of the sample.
func sampleBuilding(t testing.TB, ts *httptest.Server) string {
	t.Helper()
	resp, b := do(t, "GET", ts.URL+"/collections/building/items?limit=1", nil)
	wantStatus(t, "GET items", resp, b, 200)
	var c fc
	if err := json.Unmarshal(b, &c); err != nil || len(c.Features) == 0 {
		t.Fatalf("no building: %v %s", err, b)
	}
	return c.Features[0].ID
}

func TestTxAccess(t *testing.T) {
	for _, tt := range []struct {
		name, token, auth string
		status            int
	}{
		{"no token configured", "", "Bearer t", http.StatusForbidden},
		{"no Authorization", "t", "", http.StatusUnauthorized},
		{"wrong token", "t", "Bearer nope", http.StatusUnauthorized},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, ts := txServer(t, tt.token)
			id := sampleBuilding(t, ts)
			u := ts.URL + "/collections/building/items/" + url.PathEscape(id)
			_, before := do(t, "GET", u, nil)
			rev := s.Revision()
			for _, m := range []string{"POST", "PUT", "PATCH", "DELETE"} {
				target := u
				if m == "POST" {
					target = ts.URL + "/collections/building/items"
				}
				resp, b := do(t, m, target, []byte(`{"type":"Feature","geometry":`+square+`,"properties":{"name":"x"}}`), "Authorization", tt.auth)
				wantStatus(t, m, resp, b, tt.status)
			}
			_, after := do(t, "GET", u, nil)
			if s.Revision() != rev || !bytes.Equal(before, after) {
				t.Fatalf("refused writes changed the store: revision %d → %d", rev, s.Revision())
			}
		})
	}
}

func TestTxBadBodies(t *testing.T) {
	s, ts := txServer(t, "t")
	id := sampleBuilding(t, ts)
	itemURL := ts.URL + "/collections/building/items/" + url.PathEscape(id)
	feat := func(geometry, props string) string {
		return `{"type":"Feature","geometry":` + geometry + `,"properties":` + props + `}`
	}
	tests := []struct {
		name, method, body string
		status             int
		detail             string
	}{
		{"not JSON", "POST", `{"type":"Feature",`, 400, "invalid JSON"},
		{"empty", "POST", ``, 400, "empty"},
		{"array", "POST", `[1,2]`, 400, "not a GeoJSON Feature"},
		{"collection", "POST", `{"type":"FeatureCollection","features":[]}`, 400, `"FeatureCollection"`},
		{"no type", "POST", `{"geometry":` + square + `}`, 400, `"type"`},
		{"properties an array", "POST", feat(square, `[1]`), 400, `"properties"`},
		{"no geometry", "POST", feat(`null`, `{}`), 400, "geometry: no geometry"},
		{"geometry type", "POST", feat(`{"type":"Circle","coordinates":[1,2]}`, `{}`), 400, `geometry: unknown geometry type "Circle"`},
		{"ring not closed", "POST", feat(`{"type":"Polygon","coordinates":[[[120,30],[120.1,30],[120.1,30.1],[120,30.1]]]}`, `{}`), 400, "geometry: "},
		{"bowtie", "POST", feat(`{"type":"Polygon","coordinates":[[[120,30],[120.1,30.1],[120.1,30],[120,30.1],[120,30]]]}`, `{}`), 400, "geometry: "},
		{"hole outside", "POST", feat(`{"type":"Polygon","coordinates":[[[120,30],[120.1,30],[120.1,30.1],[120,30.1],[120,30]],[[121,31],[121.1,31],[121.1,31.1],[121,31]]]}`, `{}`), 400, "ring 1"},
		{"class mismatch", "POST", feat(square, `{"cim:class":"road"}`), 400, `"cim:class"`},
		{"class not a string", "POST", feat(square, `{"cim:class":3}`), 400, `"cim:class"`},
		{"bad stage", "POST", feat(square, `{"cim:stage":"someday"}`), 400, `"cim:stage"`},
		{"bad level", "POST", feat(square, `{"cim:level":"up"}`), 400, `feature property "cim:level"`},
		{"deep", "POST", strings.Repeat("[", 100) + strings.Repeat("]", 100), 400, "nested deeper"},
		{"2 MiB", "POST", feat(square, `{"note":"`+strings.Repeat("x", 2<<20)+`"}`), 413, ""},
		{"PUT not JSON", "PUT", `nope`, 400, "invalid JSON"},
		{"PUT other id", "PUT", `{"type":"Feature","id":"osm:w1","geometry":` + square + `,"properties":{}}`, 400, `"id"`},
		{"PUT class mismatch", "PUT", feat(square, `{"cim:class":"green"}`), 400, `"cim:class"`},
		{"PUT ring not closed", "PUT", feat(`{"type":"Polygon","coordinates":[[[120,30],[120.1,30],[120.1,30.1]]]}`, `{}`), 400, "geometry: "},
		{"PUT other dataset", "PUT", feat(square, `{"cim:dataset":"elsewhere"}`), 400, `"cim:dataset"`},
		{"PATCH not JSON", "PATCH", `{"properties":`, 400, "merge patch"},
		{"PATCH geometry", "PATCH", `{"geometry":{"type":"LineString","coordinates":[[120,30]]}}`, 400, "geometry: "},
		{"PATCH type", "PATCH", `{"type":"Point"}`, 400, `"type"`},
		{"PATCH array", "PATCH", `[]`, 400, ""},
		{"PATCH class", "PATCH", `{"properties":{"cim:class":"road"}}`, 400, `"cim:class"`},
		{"PATCH stage", "PATCH", `{"properties":{"cim:stage":"design"}}`, 400, `"cim:stage"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := itemURL
			if tt.method == "POST" {
				u = ts.URL + "/collections/building/items"
			}
			_, before := do(t, "GET", itemURL, nil)
			rev := s.Revision()
			resp, b := do(t, tt.method, u, []byte(tt.body))
			wantStatus(t, tt.method, resp, b, tt.status)
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
				t.Errorf("Content-Type %q", ct)
			}
			if d := detail(t, b); !strings.Contains(d, tt.detail) {
				t.Errorf("problem %q does not say %q", d, tt.detail)
			}
			_, after := do(t, "GET", itemURL, nil)
			if s.Revision() != rev || !bytes.Equal(before, after) {
				t.Fatalf("a refused write changed the store: revision %d → %d", rev, s.Revision())
			}
		})
	}
}

// TestTxPutWhatYouGet puts back what GET answers for features of every
// collection: the stored feature and its ETag stay the same.
func TestTxPutWhatYouGet(t *testing.T) {
	s, ts := txServer(t, "t")
	n := 0
	for _, c := range cim.Classes() {
		resp, b := do(t, "GET", ts.URL+"/collections/"+c.String()+"/items?limit=4", nil)
		wantStatus(t, "GET items", resp, b, 200)
		var page fc
		if err := json.Unmarshal(b, &page); err != nil {
			t.Fatal(err)
		}
		for _, pf := range page.Features {
			ds, _ := pf.Properties["cim:dataset"].(string)
			u := ts.URL + "/collections/" + c.String() + "/items/" + url.PathEscape(pf.ID) + "?dataset=" + url.QueryEscape(ds)
			resp, b := do(t, "GET", u, nil)
			wantStatus(t, "GET "+pf.ID, resp, b, 200)
			tag := resp.Header.Get("ETag")
			st, _ := cim.ParseStage(pf.Properties["cim:stage"].(string))
			before, err := snapshotGet(s, ds, st, pf.ID)
			if err != nil {
				t.Fatal(err)
			}
			resp, b = do(t, "PUT", u, b, "If-Match", tag)
			wantStatus(t, "PUT "+pf.ID, resp, b, 200)
			if got := resp.Header.Get("ETag"); got != tag {
				t.Errorf("%s: ETag %s after putting back what GET gave, was %s", pf.ID, got, tag)
			}
			after, err := snapshotGet(s, ds, st, pf.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(before, after) {
				t.Errorf("%s: stored\n%+v\nafter PUT of its GET, was\n%+v", pf.ID, after, before)
			}
			n++
		}
	}
	if n < 10 {
		t.Fatalf("only %d features tried", n)
	}
}

func TestTxConcurrentPatch(t *testing.T) {
	s, ts := txServer(t, "t")
	u := ts.URL + "/collections/building/items/" + url.PathEscape(sampleBuilding(t, ts))
	resp, b := do(t, "GET", u, nil)
	wantStatus(t, "GET", resp, b, 200)
	tag := resp.Header.Get("ETag")
	rev := s.Revision()
	const n = 8
	var wg sync.WaitGroup
	codes := make([]int, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, _ := do(t, "PATCH", u, []byte(`{"properties":{"name":"writer `+string(rune('A'+i))+`"}}`), "If-Match", tag)
			codes[i] = resp.StatusCode
		}()
	}
	wg.Wait()
	won := 0
	for _, c := range codes {
		switch c {
		case 200:
			won++
		case http.StatusPreconditionFailed:
		default:
			t.Fatalf("status %d among %v", c, codes)
		}
	}
	if won != 1 || s.Revision() != rev+1 {
		t.Fatalf("%d of %d concurrent PATCHes won (%v), revision %d → %d; want exactly 1", won, n, codes, rev, s.Revision())
	}
}

// detail returns a problem's detail.
func detail(t testing.TB, b []byte) string {
	t.Helper()
	var p struct{ Detail string }
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatalf("not a problem: %s", b)
	}
	return p.Detail
}

// TestTxWaitsForAnIngestBounded: a write while another batch (an ingest)
// holds the store answers 503 with Retry-After when its request's time
// runs out, instead of hanging; the store takes it once the batch ends.
func TestTxWaitsForAnIngestBounded(t *testing.T) {
	s := storetest.Sample(t)
	srv, err := server.New(server.Config{Store: s, Access: server.Access{Token: "t"}, RequestTimeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer func() { ts.Close(); srv.Features().Close() }()
	b, err := s.Begin() // the ingest
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"type":"Feature","id":"w1","geometry":` + square + `,"properties":{"building":"yes"}}`)
	resp, out := do(t, "POST", ts.URL+"/collections/building/items", body)
	wantStatus(t, "a write during an ingest", resp, out, http.StatusServiceUnavailable)
	if resp.Header.Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
	if err := b.Abort(); err != nil {
		t.Fatal(err)
	}
	resp, out = do(t, "POST", ts.URL+"/collections/building/items", body)
	wantStatus(t, "the same write after it", resp, out, http.StatusCreated)
}
