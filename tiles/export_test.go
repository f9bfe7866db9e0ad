package tiles

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/internal/storetest"
	"github.com/future-community/cim/tiles/pmtiles"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// exportSample writes the sample's tiles of zooms 0–18 into an archive.
func exportSample(t *testing.T) (string, *Handler, ExportStats) {
	t.Helper()
	s := storetest.Sample(t)
	sn, _ := s.Snapshot()
	defer sn.Close()
	path := filepath.Join(t.TempDir(), "sample.pmtiles")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, err := pmtiles.NewWriter(f, pmtiles.WriterOptions{TempDir: t.TempDir(), Gzipped: true})
	if err != nil {
		t.Fatal(err)
	}
	o := ExportOptions{MinZoom: 0, MaxZoom: 18, Workers: 2}
	st, err := Export(context.Background(), sn, w, o)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Finish(st.Metadata(o, "cim", "the sample", "1")); err != nil {
		t.Fatal(err)
	}
	return path, NewHandler(s, Options{}), st
}

// TestExportMatchesServe reads the exported archive back and compares
// every tile with what the tile handler serves for the same z/x/y.
func TestExportMatchesServe(t *testing.T) {
	path, h, st := exportSample(t)
	if st.Written < 10 {
		t.Fatalf("%d tiles written", st.Written)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	r, err := pmtiles.Open(f, fi.Size())
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	h.Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	n := 0
	for z := uint8(0); z <= 18; z++ {
		// Every tile of the box at this zoom: those written, and the
		// empty ones, which must be absent from the archive.
		for _, tl := range tilesOver(st.Box, int(z)) {
			got, err := r.Tile(z, tl[0], tl[1])
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.Get(fmt.Sprintf("%s/tiles/%d/%d/%d.mvt", srv.URL, z, tl[0], tl[1]))
			if err != nil {
				t.Fatal(err)
			}
			want, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if string(got) != string(want) {
				t.Errorf("tile %d/%d/%d: %d bytes in the archive, %d served (status %d)", z, tl[0], tl[1], len(got), len(want), resp.StatusCode)
			}
			if got != nil {
				n++
			}
		}
	}
	if int64(n) != st.Written {
		t.Errorf("%d tiles with features read back, %d written", n, st.Written)
	}
}

// tilesOver lists the x, y of the tiles of zoom z that touch the box.
func tilesOver(b cim.Box, z int) [][2]uint32 {
	a := maptile.At(orb.Point{b.MinLon, b.MaxLat}, maptile.Zoom(z))
	c := maptile.At(orb.Point{b.MaxLon, b.MinLat}, maptile.Zoom(z))
	var out [][2]uint32
	for x := a.X; x <= c.X; x++ {
		for y := a.Y; y <= c.Y; y++ {
			out = append(out, [2]uint32{x, y})
		}
	}
	return out
}

// TestExportReadByNode reads the exported archive with the npm pmtiles
// package, a reader nobody here wrote: its header agrees, and each tile
// it gives is, by SHA-256, the bytes the tile handler serves.
func TestExportReadByNode(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: apt-get install nodejs npm")
	}
	script := "pmtiles/testdata/node/read.mjs"
	if _, err := os.Stat("pmtiles/testdata/node/node_modules/pmtiles"); err != nil {
		t.Skip("the npm pmtiles package is not installed: npm ci --prefix tiles/pmtiles/testdata/node")
	}
	path, h, st := exportSample(t)
	mux := http.NewServeMux()
	h.Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	want := map[string]string{} // z/x/y → sha256 of the served tile, "" for none
	args := []string{script, path}
	for _, z := range []int{10, 13, 15, 16, 17, 18} {
		for _, tl := range tilesOver(st.Box, z) {
			key := fmt.Sprintf("%d/%d/%d", z, tl[0], tl[1])
			resp, err := http.Get(srv.URL + "/tiles/" + key + ".mvt")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if len(body) > 0 {
				sum := sha256.Sum256(body)
				want[key] = hex.EncodeToString(sum[:])
			} else {
				want[key] = ""
			}
			args = append(args, key)
		}
	}
	out, err := exec.Command(node, args...).Output()
	if err != nil {
		t.Fatalf("node %s: %v", script, err)
	}
	var got struct {
		Header struct {
			MinZoom, MaxZoom, TileType int
			NumAddressedTiles          int64
			Clustered                  bool
		}
		Metadata struct {
			VectorLayers []struct{ ID string } `json:"vector_layers"`
		}
		Tiles map[string]*string
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if got.Header.MinZoom != 0 || got.Header.MaxZoom != 18 || got.Header.TileType != 1 || got.Header.NumAddressedTiles != st.Written || !got.Header.Clustered {
		t.Errorf("header %+v, want zooms 0–18, MVT, %d tiles, clustered", got.Header, st.Written)
	}
	if len(got.Metadata.VectorLayers) != len(Layers) {
		t.Errorf("%d vector layers in the metadata", len(got.Metadata.VectorLayers))
	}
	n := 0
	for key, w := range want {
		g := got.Tiles[key]
		switch {
		case w == "" && g != nil:
			t.Errorf("%s: the archive has a tile where the server has none", key)
		case w != "" && (g == nil || *g != w):
			t.Errorf("%s: the archive's tile differs from the served one", key)
		case w != "":
			n++
		}
	}
	if n < 10 {
		t.Errorf("only %d tiles compared", n)
	}
	t.Logf("%d tiles compared, %d requested", n, len(want))
}
