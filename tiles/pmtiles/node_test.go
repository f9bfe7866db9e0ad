package pmtiles

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// nodeResult is what testdata/node/read.mjs prints: the npm pmtiles
// package's view of an archive.
type nodeResult struct {
	Header struct {
		SpecVersion         int     `json:"specVersion"`
		RootDirectoryOffset uint64  `json:"rootDirectoryOffset"`
		RootDirectoryLength uint64  `json:"rootDirectoryLength"`
		JSONMetadataOffset  uint64  `json:"jsonMetadataOffset"`
		JSONMetadataLength  uint64  `json:"jsonMetadataLength"`
		LeafDirectoryOffset uint64  `json:"leafDirectoryOffset"`
		LeafDirectoryLength uint64  `json:"leafDirectoryLength"`
		TileDataOffset      uint64  `json:"tileDataOffset"`
		TileDataLength      uint64  `json:"tileDataLength"`
		NumAddressedTiles   uint64  `json:"numAddressedTiles"`
		NumTileEntries      uint64  `json:"numTileEntries"`
		NumTileContents     uint64  `json:"numTileContents"`
		Clustered           bool    `json:"clustered"`
		InternalCompression uint8   `json:"internalCompression"`
		TileCompression     uint8   `json:"tileCompression"`
		TileType            uint8   `json:"tileType"`
		MinZoom             uint8   `json:"minZoom"`
		MaxZoom             uint8   `json:"maxZoom"`
		MinLon              float64 `json:"minLon"`
		MinLat              float64 `json:"minLat"`
		MaxLon              float64 `json:"maxLon"`
		MaxLat              float64 `json:"maxLat"`
		CenterZoom          uint8   `json:"centerZoom"`
		CenterLon           float64 `json:"centerLon"`
		CenterLat           float64 `json:"centerLat"`
	} `json:"header"`
	Metadata map[string]any     `json:"metadata"`
	Tiles    map[string]*string `json:"tiles"`
}

// TestNodeReader reads archives written here with the npm pmtiles package
// (4.x), a reader nobody here wrote, and checks that it sees the header
// that was written and, for a sample of tiles, the same bytes.
func TestNodeReader(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed; install nodejs and npm, then run npm ci --prefix tiles/pmtiles/testdata/node")
	}
	if _, err := os.Stat("testdata/node/node_modules/pmtiles"); err != nil {
		t.Skip("the npm pmtiles package is not installed; run npm ci --prefix tiles/pmtiles/testdata/node")
	}
	tests := []struct {
		name      string
		tiles     []testTile
		meta      Metadata
		wantLeafs bool
	}{
		{
			name:  "root only, duplicates and a run",
			tiles: randomTiles(rand.New(rand.NewPCG(3, 4)), 2000, 500, 14, 200),
			meta: Metadata{MinZoom: 0, MaxZoom: 14, Bounds: [4]float64{120.0, 30.1, 120.3, 30.4}, Center: [3]float64{120.15, 30.25, 13},
				JSON: map[string]any{"name": "未来社区", "attribution": "© OpenStreetMap contributors"}},
		},
		{
			name:      "leaf directories",
			tiles:     randomTiles(rand.New(rand.NewPCG(5, 6)), 100000, 100000, 14, 50),
			wantLeafs: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeArchive(t, t.TempDir(), tt.tiles, WriterOptions{}, tt.meta)
			r := openFile(t, path)
			h := r.Header()
			if got := h.LeafLength > 0; got != tt.wantLeafs {
				t.Fatalf("leaf directories: %v, want %v", got, tt.wantLeafs)
			}

			// A sample of present tiles, the first and last by id among
			// them, and some absent ones.
			want := map[string]*string{}
			args := []string{"testdata/node/read.mjs", path}
			rng := rand.New(rand.NewPCG(9, 9))
			for i, tl := range tt.tiles {
				if i < 300 || rng.IntN(len(tt.tiles)) < 300 {
					k := fmt.Sprintf("%d/%d/%d", tl.z, tl.x, tl.y)
					s := sha(tl.data)
					want[k] = &s
					args = append(args, k)
				}
			}
			for _, zxy := range []string{"14/0/0", "14/16383/16383", "13/4000/3000", "10/1/1"} {
				if _, ok := want[zxy]; !ok {
					var z uint8
					var x, y uint32
					fmt.Sscanf(zxy, "%d/%d/%d", &z, &x, &y)
					if b, _ := r.Tile(z, x, y); b == nil {
						want[zxy] = nil
						args = append(args, zxy)
					}
				}
			}

			cmd := exec.Command(node, args...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("node %s: %v\n%s", filepath.Base(args[0]), err, stderr.Bytes())
			}
			var got nodeResult
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("node output: %v\n%s", err, out)
			}

			nh := got.Header
			checks := []struct {
				field     string
				got, want any
			}{
				{"specVersion", nh.SpecVersion, 3},
				{"rootDirectoryOffset", nh.RootDirectoryOffset, h.RootOffset},
				{"rootDirectoryLength", nh.RootDirectoryLength, h.RootLength},
				{"jsonMetadataOffset", nh.JSONMetadataOffset, h.MetadataOffset},
				{"jsonMetadataLength", nh.JSONMetadataLength, h.MetadataLength},
				{"leafDirectoryOffset", nh.LeafDirectoryOffset, h.LeafOffset},
				{"leafDirectoryLength", nh.LeafDirectoryLength, h.LeafLength},
				{"tileDataOffset", nh.TileDataOffset, h.TileDataOffset},
				{"tileDataLength", nh.TileDataLength, h.TileDataLength},
				{"numAddressedTiles", nh.NumAddressedTiles, uint64(len(tt.tiles))},
				{"numTileEntries", nh.NumTileEntries, h.TileEntries},
				{"numTileContents", nh.NumTileContents, h.TileContents},
				{"clustered", nh.Clustered, true},
				{"internalCompression", nh.InternalCompression, uint8(CompressionGzip)},
				{"tileCompression", nh.TileCompression, uint8(CompressionGzip)},
				{"tileType", nh.TileType, uint8(TileTypeMVT)},
				{"minZoom", nh.MinZoom, h.MinZoom},
				{"maxZoom", nh.MaxZoom, h.MaxZoom},
				{"minLon", nh.MinLon, float64(h.MinLonE7) / 1e7},
				{"minLat", nh.MinLat, float64(h.MinLatE7) / 1e7},
				{"maxLon", nh.MaxLon, float64(h.MaxLonE7) / 1e7},
				{"maxLat", nh.MaxLat, float64(h.MaxLatE7) / 1e7},
				{"centerZoom", nh.CenterZoom, h.CenterZoom},
				{"centerLon", nh.CenterLon, float64(h.CenterLonE7) / 1e7},
				{"centerLat", nh.CenterLat, float64(h.CenterLatE7) / 1e7},
			}
			for _, c := range checks {
				if c.got != c.want {
					t.Errorf("node header %s = %v, want %v", c.field, c.got, c.want)
				}
			}
			if tt.meta.JSON != nil {
				for k, v := range tt.meta.JSON {
					if got.Metadata[k] != v {
						t.Errorf("node metadata %s = %v, want %v", k, got.Metadata[k], v)
					}
				}
			}
			if len(got.Tiles) != len(want) {
				t.Errorf("node read %d tiles, asked for %d", len(got.Tiles), len(want))
			}
			for k, w := range want {
				g, ok := got.Tiles[k]
				switch {
				case !ok:
					t.Errorf("tile %s: missing from node's output", k)
				case w == nil && g != nil:
					t.Errorf("tile %s: node found sha256 %s, want no tile", k, *g)
				case w != nil && g == nil:
					t.Errorf("tile %s: node found no tile, want sha256 %s", k, *w)
				case w != nil && *g != *w:
					t.Errorf("tile %s: node sha256 %s, want %s", k, *g, *w)
				}
			}
			t.Logf("node pmtiles read %d tiles (%d absent) of %s; header: %d addressed, %d entries, %d contents, leaves %d bytes",
				len(got.Tiles), countNil(want), tt.name, nh.NumAddressedTiles, nh.NumTileEntries, nh.NumTileContents, nh.LeafDirectoryLength)
		})
	}
}

func countNil(m map[string]*string) int {
	n := 0
	for _, v := range m {
		if v == nil {
			n++
		}
	}
	return n
}
