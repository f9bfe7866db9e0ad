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
