package features_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/index"
	"github.com/future-community/cim/ingest"
	"github.com/future-community/cim/internal/storetest"
	"github.com/future-community/cim/query"
	"github.com/future-community/cim/query/cql2"
	"github.com/future-community/cim/server"
)

const monaco = "../../shared/data/osm/monaco-latest.osm.pbf"

// TestGDALCopiesBuildings serves Monaco through the whole server and
// reads it with GDAL's OAPIF driver, a client written elsewhere: ogrinfo
// lists the collections, and ogr2ogr copies every building, paging with
// the next links, with the same ids as cim query finds; with -spat the
// same as cim query --bbox.
func TestGDALCopiesBuildings(t *testing.T) {
	if _, err := exec.LookPath("ogr2ogr"); err != nil {
		t.Skip("ogr2ogr (GDAL) is not installed: apt-get install gdal-bin")
	}
	s := storetest.File(t, monaco, ingest.Options{Stage: cim.StageAsBuilt})
	srv, err := server.New(server.Config{Store: s})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var filters []string // the filter= of each request GDAL made
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f := r.URL.Query().Get("filter"); f != "" {
			mu.Lock()
			filters = append(filters, f)
			mu.Unlock()
		}
		srv.Handler().ServeHTTP(w, r)
	}))
	defer hs.Close()
	defer srv.Features().Close()

	out, err := exec.Command("ogrinfo", "-ro", "-q", "OAPIF:"+hs.URL).CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo: %v\n%s", err, out)
	}
	for _, c := range cim.Classes() {
		if !strings.Contains(string(out), ": "+c.String()) {
			t.Errorf("ogrinfo does not list the collection %s:\n%s", c, out)
		}
	}

	box := cim.Box{MinLon: 7.415, MinLat: 43.725, MaxLon: 7.425, MaxLat: 43.735}
	buildings := []cim.Class{cim.ClassBuilding}
	for _, tc := range []struct {
		name string
		args []string
		q    query.Query
		keep func(*cim.Feature) bool // what the -where keeps, in Go
		cql  string                  // the filter GDAL must send for it
	}{
		{"all", nil, query.Query{Classes: buildings}, nil, ""},
		{"spat", []string{"-spat", "7.415", "43.725", "7.425", "43.735"}, query.Query{Classes: buildings, BBox: &box}, nil, ""},
		// GDAL turns -where into CQL2 text when the API advertises it.
		{"where", []string{"-where", `"cim:kind" IS NULL OR "cim:kind" = 'apartments'`}, query.Query{Classes: buildings},
			func(f *cim.Feature) bool { return f.Kind == "" || f.Kind == "apartments" }, "((cim:kind IS NULL)) OR (cim:kind = 'apartments')"},
		{"where and spat", []string{"-where", "\"cim:kind\" IS NULL", "-spat", "7.415", "43.725", "7.425", "43.735"}, query.Query{Classes: buildings, BBox: &box},
			func(f *cim.Feature) bool { return f.Kind == "" }, "(cim:kind IS NULL)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			exp := wantKept(t, s, tc.q, tc.keep)
			mu.Lock()
			filters = nil
			mu.Unlock()
			if len(exp) <= features100 {
				t.Fatalf("%d buildings: too few to need paging", len(exp))
			}
			dst := filepath.Join(t.TempDir(), "out.geojsonl")
			args := append([]string{"-f", "GeoJSONSeq", dst, "OAPIF:" + hs.URL, "building"}, tc.args...)
			if out, err := exec.Command("ogr2ogr", args...).CombinedOutput(); err != nil {
				t.Fatalf("ogr2ogr %v: %v\n%s", args, err, out)
			}
			got := readSeqIDs(t, dst)
			slices.Sort(got)
			slices.Sort(exp)
			if strings.Join(got, ",") != strings.Join(exp, ",") {
				t.Errorf("ogr2ogr copied %d buildings, cim query finds %d", len(got), len(exp))
			}
			t.Logf("%s: %d buildings", tc.name, len(got))
			mu.Lock()
			sent := slices.Clone(filters)
			mu.Unlock()
			if tc.cql != "" {
				// GDAL's text on the first page, the next links' own
				// spelling after: the same expression.
				same := func(f string) bool {
					a, err1 := cql2.ParseText(f)
					b, err2 := cql2.ParseText(tc.cql)
					return err1 == nil && err2 == nil && cql2.String(a) == cql2.String(b)
				}
				if len(sent) == 0 || sent[0] != tc.cql || !slices.ContainsFunc(sent, same) || slices.ContainsFunc(sent, func(f string) bool { return !same(f) }) {
					t.Errorf("GDAL sent the filters %q, want %q on every page (else it filters itself)", sent, tc.cql)
				}
			}
			if tc.q.BBox == nil && tc.keep == nil { // every dataset is as-built: the summary counts
				_, b := get(t, hs.URL+"/collections/building/items?limit=1")
				var c fc
				if err := json.Unmarshal(b, &c); err != nil || c.NumberMatched == nil || *c.NumberMatched != len(exp) {
					t.Errorf("numberMatched %v, want %d (%v)", c.NumberMatched, len(exp), err)
				}
			}
		})
	}
}

// wantKept is want, keeping only what keep keeps (nil: all).
func wantKept(t testing.TB, s *index.Store, q query.Query, keep func(*cim.Feature) bool) []string {
	t.Helper()
	if keep == nil {
		return want(t, s, q)
	}
	sn, err := s.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer sn.Close()
	rows := query.Run(t.Context(), sn, q)
	defer rows.Close()
	var ids []string
	for rows.Next() {
		if f := rows.Feature(); keep(f) {
			ids = append(ids, f.Dataset+"|"+f.ID)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return ids
}

// features100 is the default page: the copies must take several.
const features100 = 100

// readSeqIDs returns dataset|id of each feature of a GeoJSONSeq file.
func readSeqIDs(t *testing.T, path string) []string {
	t.Helper()
	b, err := exec.Command("cat", path).Output()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var f struct {
			Properties map[string]any `json:"properties"`
		}
		if err := json.Unmarshal(bytes.TrimPrefix(sc.Bytes(), []byte("\x1e")), &f); err != nil {
			t.Fatal(err)
		}
		id, _ := f.Properties["id"].(string)
		ds, _ := f.Properties["cim:dataset"].(string)
		ids = append(ids, ds+"|"+id)
	}
	return ids
}
