package features_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"

	"github.com/future-community/cim/features"
	"github.com/future-community/cim/index"
	"github.com/future-community/cim/samples"
)

// Example serves the bundled sample's buildings as OGC API – Features
// and reads the first page.
func Example() {
	dir, err := os.MkdirTemp("", "cim-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	s, err := index.Open(filepath.Join(dir, "db"), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	if err := samples.Ingest(s); err != nil {
		fmt.Println(err)
		return
	}
	h := features.New(s, features.Options{})
	defer h.Close()
	mux := http.NewServeMux()
	h.Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/collections/building/items?limit=2&crs=EPSG:4549")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	fmt.Println(resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Crs"))
	// Output:
	// 200 application/geo+json <http://www.opengis.net/def/crs/EPSG/0/4549>
}
