package features_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/ingest"
	"github.com/future-community/cim/internal/storetest"
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
