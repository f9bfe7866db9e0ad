package features_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/index"
	"github.com/future-community/cim/ingest"
	"github.com/future-community/cim/internal/storetest"
	"github.com/future-community/cim/server"
)

// BenchmarkItemsMonaco pages through Monaco's buildings, 100 a page, over
// loopback HTTP: one op is the whole paging.
func BenchmarkItemsMonaco(b *testing.B) {
	s := storetest.File(b, monaco, ingest.Options{Stage: cim.StageAsBuilt})
	srv := serve(b, s)
	b.ReportAllocs()
	for b.Loop() {
		u := srv.URL + "/collections/building/items"
		for u != "" {
			resp, err := http.Get(u)
			if err != nil {
				b.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			u = nextOf(b, body)
		}
	}
}

// BenchmarkItemsBoxes asks the whole server (middleware included, no
// network) for the buildings in each of the PostGIS harness's 1,000
// fixed 200 m Monaco boxes, as bench/api.sh does over wrk: one op is one
// request.
func BenchmarkItemsBoxes(b *testing.B) {
	data, err := os.ReadFile("../../shared/bench-postgis/reference/monaco-boxes.csv")
	if err != nil {
		b.Skip("../shared/bench-postgis is absent")
	}
	var urls []string
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n")[1:] {
		f := strings.Split(line, ",")
		urls = append(urls, "/collections/building/items?limit=100&bbox="+strings.Join(f[6:10], ","))
	}
	s := reopen(b, storetest.File(b, monaco, ingest.Options{Stage: cim.StageAsBuilt}))
	srv, err := server.New(server.Config{Store: s})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Features().Close()
	h := srv.Handler()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", urls[i%len(urls)], nil))
		if rec.Code != 200 {
			b.Fatalf("%s: %d %s", urls[i%len(urls)], rec.Code, rec.Body)
		}
		i++
	}
}

// reopen closes s and opens its folder again, as cim serve opens a store
// ingested before: the features in tables, not in the memtable.
func reopen(b *testing.B, s *index.Store) *index.Store {
	dir := s.Dir()
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	s, err := index.Open(dir, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}
