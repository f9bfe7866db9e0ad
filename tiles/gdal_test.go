package tiles

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/index"
	"github.com/future-community/cim/ingest"
	"github.com/future-community/cim/internal/storetest"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// TestGDALReadsTiles serves tiles over loopback HTTP and reads them with
// GDAL's MVT driver, an independent decoder: each layer has as many
// features as a query of the tile's box finds (with the buffer, less what
// is under a pixel), for the bundled sample and for Monaco.
func TestGDALReadsTiles(t *testing.T) {
	if _, err := exec.LookPath("ogrinfo"); err != nil {
		t.Skip("ogrinfo (GDAL) is not installed: apt-get install gdal-bin")
	}
	cases := []struct {
		name   string
		load   func(t *testing.T) *index.Store
		at     orb.Point
		zooms  []maptile.Zoom
		levels *cim.LevelRange
	}{
		{"sample", func(t *testing.T) *index.Store { return storetest.Sample(t) }, orb.Point{120.2123, 30.2572}, []maptile.Zoom{14, 16, 17}, nil},
		{"sample level=1", func(t *testing.T) *index.Store { return storetest.Sample(t) }, orb.Point{120.2123, 30.2572}, []maptile.Zoom{16}, &cim.LevelRange{Min: 1, Max: 1}},
		{"monaco", func(t *testing.T) *index.Store { return storetest.File(t, monaco, asBuilt) }, orb.Point{7.4246, 43.7384}, []maptile.Zoom{13, 15, 16}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.load(t)
			mux := http.NewServeMux()
			NewHandler(s, Options{CacheBytes: 1 << 20}).Register(mux)
			srv := httptest.NewServer(mux)
			defer srv.Close()
			sn, err := s.Snapshot()
			if err != nil {
				t.Fatal(err)
			}
			defer sn.Close()
			for _, z := range tc.zooms {
				tile := maptile.At(tc.at, z)
				url := fmt.Sprintf("%s/tiles/%d/%d/%d.mvt", srv.URL, tile.Z, tile.X, tile.Y)
				if tc.levels != nil {
					url += "?level=" + tc.levels.String()
				}
				got := ogrCounts(t, url, tile)
				want := queryCounts(t, sn, uint32(tile.Z), tile.X, tile.Y, tc.levels)
				total := 0
				for _, l := range Layers {
					if got[l.Name] != want[l.Name] {
						t.Errorf("z%d layer %s: GDAL reads %d features, a query finds %d", z, l.Name, got[l.Name], want[l.Name])
					}
					total += got[l.Name]
				}
				if total == 0 {
					t.Errorf("z%d: GDAL reads no feature", z)
				}
				t.Logf("z%d %d/%d: %v", z, tile.X, tile.Y, got)
			}
		})
	}
}

var ogrLayer = regexp.MustCompile(`(?m)^Layer name: (\S+)\n(?:.*\n)*?Feature Count: (\d+)`)

// monaco is the OSM extract of ../shared/data, read as built.
const monaco = "../../shared/data/osm/monaco-latest.osm.pbf"

var asBuilt = ingest.Options{Stage: cim.StageAsBuilt}

// ogrCounts reads a tile with ogrinfo and returns its features per layer.
func ogrCounts(t *testing.T, url string, tile maptile.Tile) map[string]int {
	t.Helper()
	out, err := exec.Command("ogrinfo", "-ro", "-so", "-al",
		"-oo", fmt.Sprintf("X=%d", tile.X), "-oo", fmt.Sprintf("Y=%d", tile.Y), "-oo", fmt.Sprintf("Z=%d", tile.Z),
		"MVT:"+url).CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo %s: %v\n%s", url, err, out)
	}
	counts := map[string]int{}
	for _, m := range ogrLayer.FindAllStringSubmatch(string(out), -1) {
		n, _ := strconv.Atoi(m[2])
		counts[m[1]] = n
	}
	return counts
}

// TestOSMAttribution: TileJSON credits OpenStreetMap for a store with an
// OSM dataset, and not for the sample.
func TestOSMAttribution(t *testing.T) {
	for _, tc := range []struct {
		s    *index.Store
		want bool
	}{{storetest.File(t, monaco, asBuilt), true}, {storetest.Sample(t), false}} {
		mux := http.NewServeMux()
		NewHandler(tc.s, Options{}).Register(mux)
		srv := httptest.NewServer(mux)
		resp, err := http.Get(srv.URL + "/tiles.json")
		if err != nil {
			t.Fatal(err)
		}
		var tj TileJSON
		json.NewDecoder(resp.Body).Decode(&tj)
		resp.Body.Close()
		srv.Close()
		if got := strings.Contains(tj.Attribution, "OpenStreetMap"); got != tc.want {
			t.Errorf("attribution %q: credits OSM %v, want %v", tj.Attribution, got, tc.want)
		}
	}
}
