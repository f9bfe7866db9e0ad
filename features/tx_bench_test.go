package features_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/future-community/cim/features"
	"github.com/future-community/cim/internal/storetest"
)

// BenchmarkWrite measures one write of a building of the sample store,
// each a commit, through the handler (no network): a PATCH of one
// property and a PUT of the whole feature, beside a GET of it, the read
// they compare with.
func BenchmarkWrite(b *testing.B) {
	s := storetest.Sample(b)
	h := features.New(s, features.Options{})
	b.Cleanup(h.Close)
	mux := http.NewServeMux()
	h.Register(mux)
	srv := httptest.NewServer(mux)
	b.Cleanup(srv.Close)
	id := sampleBuilding(b, srv)
	path := "/collections/building/items/" + url.PathEscape(id)
	run := func(b *testing.B, method string, body func(i int) string) {
		b.Helper()
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			i++
			req := httptest.NewRequest(method, path, strings.NewReader(body(i)))
			w := httptest.NewRecorder()
			mux.ServeHTTP(w, req)
			if w.Code != http.StatusOK {
				b.Fatalf("%s: %d %s", method, w.Code, w.Body)
			}
		}
	}
	b.Run("PATCH", func(b *testing.B) {
		run(b, "PATCH", func(i int) string { return `{"properties":{"name":"` + strconv.Itoa(i) + `"}}` })
	})
	b.Run("GET", func(b *testing.B) {
		run(b, "GET", func(int) string { return "" })
	})
	_, got := do(b, "GET", srv.URL+path, nil)
	doc := string(got)
	b.Run("PUT", func(b *testing.B) {
		run(b, "PUT", func(int) string { return doc })
	})
}
