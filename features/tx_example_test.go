package features_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/features"
	"github.com/future-community/cim/index"
)

// Example_write creates a building, then updates it with a JSON merge
// patch conditional on the ETag the creation answered. (The server's
// token guard, which package server puts in front of the writes, is
// left out here.)
func Example_write() {
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
	h := features.New(s, features.Options{})
	defer h.Close()
	mux := http.NewServeMux()
	h.Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	send := func(method, u, body string, hdr ...string) *http.Response {
		req, _ := http.NewRequest(method, u, strings.NewReader(body))
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		resp.Body.Close()
		return resp
	}
	resp := send("POST", srv.URL+"/collections/building/items?dataset=plan-a",
		`{"type":"Feature","id":"b1","properties":{"building":"residential","building:levels":6},
		  "geometry":{"type":"Polygon","coordinates":[[[120.1,30.2],[120.1002,30.2],[120.1002,30.2002],[120.1,30.2002],[120.1,30.2]]]}}`)
	loc, tag := resp.Header.Get("Location"), resp.Header.Get("ETag")
	fmt.Println(resp.StatusCode, strings.TrimPrefix(loc, srv.URL))

	resp = send("PATCH", loc, `{"properties":{"building:levels":8}}`, "If-Match", tag, "Content-Type", "application/merge-patch+json")
	fmt.Println(resp.StatusCode, resp.Header.Get("ETag") != tag)
	resp = send("PATCH", loc, `{"properties":{"building:levels":9}}`, "If-Match", tag)
	fmt.Println(resp.StatusCode)

	sn, err := s.Snapshot()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer sn.Close()
	f, err := sn.Get("plan-a", cim.DefaultStage, "geojson:plan-a:b1")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(f.ID, f.Class, f.Vertical.LevelsAbove)
	// Output:
	// 201 /collections/building/items/geojson:plan-a:b1?dataset=plan-a&stage=as-built
	// 200 true
	// 412
	// geojson:plan-a:b1 building 8
}
