package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/index"
	"github.com/future-community/cim/internal/storetest"
	"github.com/future-community/cim/problem"
	gjenc "github.com/twpayne/go-geom/encoding/geojson"
)

func whatIfServer(t *testing.T, s *index.Store) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("GET /sites/{id}/indicators", IndicatorsHandler(s, 10e9))
	mux.Handle("POST /check", WhatIfHandler(s))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, url string, hdr ...string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func post(t *testing.T, url string, body []byte) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func TestIndicatorsIsTheCLIReport(t *testing.T) {
	s := storetest.Sample(t)
	srv := whatIfServer(t, s)
	for _, tt := range []struct {
		query string
		stage cim.Stage
		pack  string
	}{
		{"", cim.StageAny, "zj-future-community"},
		{"?rules=gb50180-2018&stage=planning", cim.StagePlanning, "gb50180-2018"},
		{"?stage=design", cim.StageDesign, "zj-future-community"},
	} {
		resp, body := get(t, srv.URL+"/sites/site/indicators"+tt.query)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
			t.Fatalf("%s: %d %s", tt.query, resp.StatusCode, body)
		}
		// What cim check --site site --format json prints: the site
		// feature's dataset, WriteJSON of Check.
		var want bytes.Buffer
		if err := WriteJSON(&want, check(t, s, tt.stage, tt.pack)); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(body, want.Bytes()) {
			t.Errorf("%s: the answer differs from cim check's JSON", tt.query)
		}
		etag := resp.Header.Get("ETag")
		if etag == "" || !strings.Contains(resp.Header.Get("Cache-Control"), "max-age=10") {
			t.Errorf("%s: ETag %q, Cache-Control %q", tt.query, etag, resp.Header.Get("Cache-Control"))
		}
		if resp, _ := get(t, srv.URL+"/sites/site/indicators"+tt.query, "If-None-Match", etag); resp.StatusCode != http.StatusNotModified {
			t.Errorf("%s: If-None-Match its ETag: %d, want 304", tt.query, resp.StatusCode)
		}
	}
	for _, tt := range []struct {
		path   string
		status int
		param  string
	}{
		{"/sites/nosuch/indicators", 404, ""},
		{"/sites/site/indicators?rules=nosuch", 400, "rules"},
		{"/sites/site/indicators?rules=../packs/x", 400, "rules"},
		{"/sites/site/indicators?stage=built-ish", 400, "stage"},
	} {
		resp, body := get(t, srv.URL+tt.path)
		var p problem.Details
		if resp.StatusCode != tt.status || resp.Header.Get("Content-Type") != problem.ContentType ||
			json.Unmarshal(body, &p) != nil || p.Parameter != tt.param {
			t.Errorf("%s: %d %s, want %d naming %q", tt.path, resp.StatusCode, body, tt.status, tt.param)
		}
	}
}

// areaM2 is a small lon/lat rectangle's area from WGS84's radii of
// curvature at its middle: independent of cim.AreaM2.
func areaM2(lon0, lat0, lon1, lat1 float64) float64 {
	const a, f = 6378137.0, 1 / 298.257223563
	e2 := f * (2 - f)
	phi := (lat0 + lat1) / 2 * math.Pi / 180
	w := 1 - e2*math.Sin(phi)*math.Sin(phi)
	m := a * (1 - e2) / math.Pow(w, 1.5) // meridian
	n := a / math.Sqrt(w)                // prime vertical
	rad := math.Pi / 180
	return m * (lat1 - lat0) * rad * n * math.Cos(phi) * (lon1 - lon0) * rad
}

// tower is a proposed 30-storey, 105 m building, 80 m × 80 m, in parcel
// p-07 of the sample.
const towerLon0, towerLat0, towerLon1, towerLat1 = 120.2140, 30.2552, 120.214832, 30.255923

func towerFC(extra string) string {
	return fmt.Sprintf(`{"type":"FeatureCollection","features":[{"type":"Feature","id":"tower",
"properties":{"building":"commercial","building:levels":30,"height":105,"name":"sketch tower"},
"geometry":{"type":"Polygon","coordinates":[[[%[1]v,%[2]v],[%[3]v,%[2]v],[%[3]v,%[4]v],[%[1]v,%[4]v],[%[1]v,%[2]v]]]}}%[5]s]}`,
		towerLon0, towerLat0, towerLon1, towerLat1, extra)
}

func decodeReport(t *testing.T, b []byte) *Report {
	t.Helper()
	var r Report
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return &r
}

func siteResult(r *Report, rule string) Result {
	for _, res := range r.Results {
		if res.Scope == "site" && res.Rule == rule {
			return res
		}
	}
	return Result{}
}

func TestWhatIf(t *testing.T) {
	s := storetest.Sample(t)
	srv := whatIfServer(t, s)
	_, baseBody := get(t, srv.URL+"/sites/site/indicators?stage=design")
	base := decodeReport(t, baseBody)
	rev := s.Revision()

	t.Run("no proposal is the GET report", func(t *testing.T) {
		resp, body := post(t, srv.URL+"/check", []byte(`{"site":"site","stage":"design"}`))
		if resp.StatusCode != 200 || !bytes.Equal(body, baseBody) {
			t.Errorf("%d: the what-if of a stored site without a proposal differs from GET indicators", resp.StatusCode)
		}
		// The same site drawn: its geometry and controls in the body.
		sn, err := s.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		site := siteOf(t, sn, "site")
		sn.Close()
		g, err := gjenc.Encode(site.Geometry)
		if err != nil {
			t.Fatal(err)
		}
		drawn, _ := json.Marshal(map[string]any{"site": map[string]any{"type": "Feature", "id": site.ID, "properties": site.Props, "geometry": g},
			"dataset": site.Dataset, "stage": "design"})
		resp, body = post(t, srv.URL+"/check", drawn)
		if resp.StatusCode != 200 {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
		r := decodeReport(t, body)
		got, _ := json.Marshal([]any{r.Indicators, r.Results})
		want, _ := json.Marshal([]any{base.Indicators, base.Results})
		if !bytes.Equal(got, want) {
			t.Errorf("the drawn site's indicators and results differ from the stored site's")
		}
	})

	t.Run("a tower raises GFA and fails FAR and height", func(t *testing.T) {
		resp, body := post(t, srv.URL+"/check", []byte(`{"site":"site","stage":"design","proposed":`+towerFC("")+`}`))
		if resp.StatusCode != 200 {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
		r := decodeReport(t, body)
		gfa := areaM2(towerLon0, towerLat0, towerLon1, towerLat1) * 30
		if d := r.Indicators.GFAM2 - base.Indicators.GFAM2; math.Abs(d-gfa) > 1 {
			t.Errorf("GFA rose by %.2f m², want %.2f (footprint × 30)", d, gfa)
		}
		if d := r.Indicators.FAR - base.Indicators.FAR; math.Abs(d-gfa/base.Indicators.SiteAreaM2) > 1e-5 {
			t.Errorf("FAR rose by %.5f, want %.5f", d, gfa/base.Indicators.SiteAreaM2)
		}
		if r.Indicators.Buildings != base.Indicators.Buildings+1 || r.Indicators.MaxHeightM != 105 {
			t.Errorf("%d buildings, max height %v; want %d, 105", r.Indicators.Buildings, r.Indicators.MaxHeightM, base.Indicators.Buildings+1)
		}
		for _, rule := range []string{"zj-site-far", "zj-site-height"} {
			if b, a := siteResult(base, rule).Status, siteResult(r, rule).Status; b != Pass || a != Fail {
				t.Errorf("%s: %s without the tower, %s with it; want pass, fail", rule, b, a)
			}
		}
		if !strings.Contains(strings.Join(r.Notes, "\n"), "what-if: 1 feature proposed") {
			t.Errorf("notes %q say nothing of the what-if", r.Notes)
		}
	})

	t.Run("replace lowers GFA by the building's", func(t *testing.T) {
		resp, body := post(t, srv.URL+"/check", []byte(`{"site":"site","stage":"design","replace":["b-o01"]}`))
		if resp.StatusCode != 200 {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
		r := decodeReport(t, body)
		// b-o01: 60 m × 40 m, 24 storeys above ground.
		if d := base.Indicators.GFAM2 - r.Indicators.GFAM2; math.Abs(d-60*40*24) > 5 {
			t.Errorf("GFA fell by %.2f m², want about %d", d, 60*40*24)
		}
		if r.Indicators.Buildings != base.Indicators.Buildings-1 {
			t.Errorf("%d buildings, want %d", r.Indicators.Buildings, base.Indicators.Buildings-1)
		}
	})

	t.Run("bad bodies", func(t *testing.T) {
		open := `{"site":"site","proposed":{"type":"FeatureCollection","features":[` +
			`{"type":"Feature","properties":{"building":"yes"},"geometry":{"type":"Polygon","coordinates":[[[120.21,30.255],[120.211,30.255],[120.211,30.256],[120.21,30.256],[120.21,30.255]]]}},` +
			`{"type":"Feature","properties":{"building":"yes"},"geometry":{"type":"Polygon","coordinates":[[[120.21,30.255],[120.211,30.255],[120.211,30.256],[120.21,30.256]]]}}]}}`
		for _, tt := range []struct {
			name, body string
			status     int
			param      string
			detail     string
		}{
			{"not JSON", `{"site":`, 400, "", "not a what-if"},
			{"unknown member", `{"site":"site","propsed":{}}`, 400, "", "propsed"},
			{"no site", `{"rules":"zj-future-community"}`, 400, "site", "missing"},
			{"site a point", `{"site":{"type":"Point","coordinates":[120.21,30.255]}}`, 400, "site", "want a Polygon"},
			{"unknown site", `{"site":"nosuch"}`, 404, "", "nosuch"},
			{"unknown pack", `{"site":"site","rules":"nosuch"}`, 400, "rules", "built-in pack"},
			{"bad stage", `{"site":"site","stage":"someday"}`, 400, "stage", ""},
			{"open ring", open, 400, "proposed feature 1", "proposed feature 1: "},
			{"unknown replace", `{"site":"site","replace":["b-nosuch"]}`, 400, "replace", "b-nosuch"},
			{"2 MiB", `{"site":"site","dataset":"` + strings.Repeat("x", 2<<20) + `"}`, 413, "", ""},
		} {
			resp, body := post(t, srv.URL+"/check", []byte(tt.body))
			var p problem.Details
			if resp.StatusCode != tt.status || resp.Header.Get("Content-Type") != problem.ContentType ||
				json.Unmarshal(body, &p) != nil || p.Parameter != tt.param || !strings.Contains(p.Detail, tt.detail) {
				t.Errorf("%s: %d %.300s; want %d naming %q, saying %q", tt.name, resp.StatusCode, body, tt.status, tt.param, tt.detail)
			}
		}
	})

	if s.Revision() != rev {
		t.Errorf("the store's revision went from %d to %d", rev, s.Revision())
	}
	sn, err := s.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer sn.Close()
	if fs, _ := sn.Lookup("geojson:" + ProposalDataset + ":tower"); len(fs) != 0 {
		t.Errorf("the proposed tower was stored")
	}
	if fs, _ := sn.Lookup("geojson:hz-future-community:b-o01"); len(fs) != 1 {
		t.Errorf("%d b-o01 after its replacement was checked, want 1", len(fs))
	}
}

// FuzzDecodeWhatIf: any body decodes to a what-if or a *BodyError, never
// a panic; a decoded one has a stored site's id or a valid polygon, and
// valid proposed features in the proposal's dataset.
func FuzzDecodeWhatIf(f *testing.F) {
	for _, seed := range []string{
		`{"site":"site","stage":"design"}`,
		`{"site":"site","rules":"gb50180-2018","replace":["b-o01"],"proposed":` + towerFC("") + `}`,
		`{"site":{"type":"Polygon","coordinates":[[[120.2,30.2],[120.3,30.2],[120.3,30.3],[120.2,30.2]]]}}`,
		`{"site":{"type":"Feature","id":7,"properties":{"far_max":2},"geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]]]}}}`,
		`{"site":{"type":"Point","coordinates":[0,0]}}`,
		`{"site":"site","proposed":{"type":"Feature","properties":{"building:levels":"x"},"geometry":null}}`,
		`{"site":`, `[]`, `null`, `{"site":"site"} {}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		wi, err := DecodeWhatIf(body)
		if err != nil {
			if _, ok := err.(*BodyError); !ok {
				t.Fatalf("error %T %v, want *BodyError", err, err)
			}
			return
		}
		if wi.Pack == nil {
			t.Fatal("no pack")
		}
		if wi.SiteID == "" {
			if !isPolygon(wi.Site.Geometry) || cim.ValidateGeometry(wi.Site.Geometry) != nil {
				t.Fatalf("site %T is not a valid polygon", wi.Site.Geometry)
			}
		}
		for i, p := range wi.Proposed {
			if p.Dataset != ProposalDataset || p.Validate() != nil {
				t.Fatalf("proposed feature %d: dataset %q, %v", i, p.Dataset, p.Validate())
			}
		}
	})
}
