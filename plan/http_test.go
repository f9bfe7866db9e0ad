package plan

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/future-community/cim/internal/storetest"
	"github.com/future-community/cim/problem"
)

func TestCheckHandler(t *testing.T) {
	s := storetest.Sample(t)
	mux := http.NewServeMux()
	mux.Handle("GET /sites/{id}/check", CheckHandler(s))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	tests := []struct {
		path   string
		status int
		param  string
	}{
		{"/sites/site/check", 200, ""},
		{"/sites/site/check?rules=gb50180-2018&stage=planning", 200, ""},
		{"/sites/nosuch/check", 404, ""},
		{"/sites/site/check?rules=nosuch", 400, "rules"},
		{"/sites/site/check?rules=../../etc/passwd", 400, "rules"},
		{"/sites/site/check?stage=built-ish", 400, "stage"},
	}
	for _, tt := range tests {
		resp, err := http.Get(srv.URL + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != tt.status {
			t.Errorf("%s: status %d, want %d", tt.path, resp.StatusCode, tt.status)
		}
		if tt.status != 200 {
			var p problem.Details
			if resp.Header.Get("Content-Type") != problem.ContentType || json.NewDecoder(resp.Body).Decode(&p) != nil || p.Parameter != tt.param {
				t.Errorf("%s: problem %+v, want one naming %q", tt.path, p, tt.param)
			}
			resp.Body.Close()
			continue
		}
		var a struct {
			Report struct {
				Pack    string
				Results []struct{ Status string }
			}
			SiteGeometry struct{ Type string } `json:"site_geometry"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if len(a.Report.Results) == 0 || a.SiteGeometry.Type != "Polygon" {
			t.Errorf("%s: %d results, site geometry %q", tt.path, len(a.Report.Results), a.SiteGeometry.Type)
		}
	}
}
