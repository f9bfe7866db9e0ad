package sunlight_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/future-community/cim/internal/storetest"
	"github.com/future-community/cim/sunlight"
)

// TestHandler: GET /sites/{id}/sunlight answers the analysis of the
// sample's site as JSON and its sills as GeoJSON; bad parameters and an
// unknown site are problems.
func TestHandler(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("GET /sites/{id}/sunlight", sunlight.Handler(storetest.Sample(t)))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	get := func(path string) (int, string, []byte) {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Content-Type"), b
	}
	status, ct, b := get("/sites/site/sunlight")
	var rep sunlight.Report
	if status != 200 || ct != "application/json" || json.Unmarshal(b, &rep) != nil {
		t.Fatalf("%d %s %.300s", status, ct, b)
	}
	if len(rep.Buildings) == 0 || len(rep.Receivers) == 0 || rep.MinH != 2 {
		t.Fatalf("the sample's site: %d buildings, %d sills, minimum %v h", len(rep.Buildings), len(rep.Receivers), rep.MinH)
	}
	status, ct, b = get("/sites/site/sunlight?f=geojson")
	var fc struct {
		Type     string
		Features []struct {
			Properties map[string]any
		}
	}
	if status != 200 || ct != "application/geo+json" || json.Unmarshal(b, &fc) != nil || fc.Type != "FeatureCollection" || len(fc.Features) != len(rep.Receivers) {
		t.Fatalf("geojson: %d %s, %d features for %d sills", status, ct, len(fc.Features), len(rep.Receivers))
	}
	if _, ok := fc.Features[0].Properties["hours"]; !ok {
		t.Errorf("a sill without hours: %v", fc.Features[0].Properties)
	}
	for _, tc := range []struct {
		path   string
		status int
	}{
		{"/sites/nosuch/sunlight", 404},
		{"/sites/site/sunlight?level=x", 400},
		{"/sites/site/sunlight?stage=later", 400},
		{"/sites/site/sunlight?f=xml", 400},
	} {
		if status, ct, b := get(tc.path); status != tc.status || ct != "application/problem+json" {
			t.Errorf("%s: %d %s %s, want a %d problem", tc.path, status, ct, b, tc.status)
		}
	}
}
