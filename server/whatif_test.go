package server

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/future-community/cim/internal/storetest"
	"github.com/future-community/cim/problem"
	"github.com/future-community/cim/samples"
)

// TestWhatIfIsARead: through the whole server, with a write token set,
// POST /check answers without a token and stores nothing, a body over
// the server's bound is a 413 problem, and GET /sites/{id}/indicators
// answers with an ETag.
func TestWhatIfIsARead(t *testing.T) {
	st := storetest.Sample(t)
	s, err := New(Config{Store: st, Access: Access{Token: "t"}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	rev := st.Revision()

	tower := `{"site":"site","stage":"design","replace":["b-o01"],"proposed":{"type":"FeatureCollection","features":[{"type":"Feature","id":"tower",
"properties":{"building":"commercial","building:levels":30},
"geometry":{"type":"Polygon","coordinates":[[[120.2140,30.2552],[120.2148,30.2552],[120.2148,30.2559],[120.2140,30.2559],[120.2140,30.2552]]]}}]}}`
	resp, err := http.Post(srv.URL+"/check", "application/json", strings.NewReader(tower))
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Revision   uint64
		Indicators struct{ Buildings int }
		Notes      []string
	}
	err = json.NewDecoder(resp.Body).Decode(&rep)
	resp.Body.Close()
	if resp.StatusCode != 200 || err != nil || rep.Revision != rev || !strings.Contains(strings.Join(rep.Notes, " "), "nothing was stored") {
		t.Fatalf("POST /check without a token: %d, %v, %+v", resp.StatusCode, err, rep)
	}

	resp, err = http.Post(srv.URL+"/check", "application/json", strings.NewReader(`{"site":"site","dataset":"`+strings.Repeat("x", 2<<20)+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge || resp.Header.Get("Content-Type") != problem.ContentType {
		t.Errorf("a 2 MiB what-if: %d %s, want a 413 problem", resp.StatusCode, resp.Header.Get("Content-Type"))
	}

	resp, err = http.Get(srv.URL + "/sites/site/indicators?stage=design")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("ETag") == "" {
		t.Errorf("GET indicators: %d, ETag %q", resp.StatusCode, resp.Header.Get("ETag"))
	}

	if st.Revision() != rev {
		t.Errorf("the store's revision went from %d to %d", rev, st.Revision())
	}
	sn, err := st.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer sn.Close()
	for _, ds := range sn.Datasets() {
		if ds != samples.Dataset && ds != samples.City {
			t.Errorf("dataset %q appeared in the store", ds)
		}
	}
	if fs, _ := sn.Lookup("geojson:proposal:tower"); len(fs) != 0 {
		t.Error("the proposed tower was stored")
	}
	if fs, _ := sn.Lookup("geojson:" + samples.Dataset + ":b-o01"); len(fs) != 1 {
		t.Errorf("%d b-o01 after a what-if replaced it, want 1", len(fs))
	}
}

// TestWhatIfHasSunlight: POST /check runs the pack's sunlight rule on the
// proposal: b-r01 gets its 2 h on 大寒日 as stored, and loses them to a
// 100 m tower proposed 15 m south of it.
func TestWhatIfHasSunlight(t *testing.T) {
	s, err := New(Config{Store: storetest.Sample(t)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	status := func(body string, id ...string) string {
		t.Helper()
		want := "b-r01"
		if len(id) > 0 {
			want = id[0]
		}
		resp, err := http.Post(srv.URL+"/check", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var rep struct {
			Results []struct {
				Rule    string `json:"rule"`
				ScopeID string `json:"scope_id"`
				Status  string `json:"status"`
			}
		}
		if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil || resp.StatusCode != 200 {
			t.Fatalf("POST /check: %d %v", resp.StatusCode, err)
		}
		for _, r := range rep.Results {
			if r.Rule == "gb50180-4.0.9-sunlight" && strings.HasSuffix(r.ScopeID, want) {
				return r.Status
			}
		}
		return ""
	}
	if got := status(`{"site":"site","rules":"gb50180-2018"}`); got != "pass" {
		t.Fatalf("b-r01 as stored: %q, want pass", got)
	}
	tower := `{"site":"site","rules":"gb50180-2018","proposed":{"type":"FeatureCollection","features":[{"type":"Feature","id":"south-tower",
"properties":{"building":"office","height":100},
"geometry":{"type":"Polygon","coordinates":[[[120.2074,30.2548],[120.2081,30.2548],[120.2081,30.25505],[120.2074,30.25505],[120.2074,30.2548]]]}}]}}`
	if got := status(tower); got != "fail" {
		t.Errorf("b-r01 behind a proposed tower: %q, want fail", got)
	}
	// A proposed home in b-r01's place is checked; b-r01 is not.
	rebuilt := `{"site":"site","rules":"gb50180-2018","replace":["b-r01"],"proposed":{"type":"FeatureCollection","features":[{"type":"Feature","id":"new-home",
"properties":{"building":"residential","building:levels":20,"height":60},
"geometry":{"type":"Polygon","coordinates":[[[120.2075582,30.2551804],[120.2079322,30.2551804],[120.2079322,30.2553428],[120.2075582,30.2553428],[120.2075582,30.2551804]]]}}]}}`
	if got := status(rebuilt, "new-home"); got != "pass" && got != "fail" {
		t.Errorf("the proposed home has no sunlight result (%q)", got)
	}
	if got := status(rebuilt); got != "" {
		t.Errorf("b-r01, replaced, still has a sunlight result: %q", got)
	}
}
