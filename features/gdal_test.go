package features_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/ingest"
	"github.com/future-community/cim/internal/storetest"
	"github.com/future-community/cim/query"
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
	hs := httptest.NewServer(srv.Handler())
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
	for _, tc := range []struct {
		name string
		args []string
		q    query.Query
	}{
		{"all", nil, query.Query{Classes: []cim.Class{cim.ClassBuilding}}},
		{"spat", []string{"-spat", "7.415", "43.725", "7.425", "43.735"}, query.Query{Classes: []cim.Class{cim.ClassBuilding}, BBox: &box}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			exp := want(t, s, tc.q)
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
			if tc.q.BBox == nil { // every dataset is as-built: the summary counts
				_, b := get(t, hs.URL+"/collections/building/items?limit=1")
				var c fc
				if err := json.Unmarshal(b, &c); err != nil || c.NumberMatched == nil || *c.NumberMatched != len(exp) {
					t.Errorf("numberMatched %v, want %d (%v)", c.NumberMatched, len(exp), err)
				}
			}
		})
	}
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
