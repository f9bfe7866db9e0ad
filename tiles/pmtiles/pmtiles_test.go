package pmtiles

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// testTile is a tile to add: its coordinates and uncompressed data.
type testTile struct {
	z    uint8
	x, y uint32
	data []byte
}

// randomTiles returns n distinct tiles at random positions over zooms
// 0..maxZ, with data drawn from nContents random blobs (so some repeat),
// plus a run of runLen consecutive tile ids at z10 sharing one blob.
func randomTiles(r *rand.Rand, n, nContents int, maxZ uint8, runLen int) []testTile {
	blobs := make([][]byte, nContents)
	for i := range blobs {
		blobs[i] = make([]byte, 1+r.IntN(300))
		for j := range blobs[i] {
			blobs[i][j] = byte(r.IntN(256))
		}
	}
	seen := map[uint64]bool{}
	var tiles []testTile
	add := func(z uint8, x, y uint32, data []byte) {
		id, _ := TileID(z, x, y)
		if !seen[id] {
			seen[id] = true
			tiles = append(tiles, testTile{z, x, y, data})
		}
	}
	start := zoomBase(10) + uint64(r.IntN(1000))
	for i := 0; i < runLen; i++ {
		z, x, y, _ := TileZXY(start + uint64(i))
		add(z, x, y, []byte("the same ocean tile"))
	}
	for len(tiles) < n+runLen {
		z := uint8(r.IntN(int(maxZ) + 1))
		x, y := uint32(r.Uint64N(1<<z)), uint32(r.Uint64N(1<<z))
		add(z, x, y, blobs[r.IntN(len(blobs))])
	}
	r.Shuffle(len(tiles), func(i, j int) { tiles[i], tiles[j] = tiles[j], tiles[i] })
	return tiles
}

// writeArchive writes tiles to a file in dir and returns its path.
func writeArchive(t testing.TB, dir string, tiles []testTile, opts WriterOptions, meta Metadata) string {
	t.Helper()
	path := filepath.Join(dir, "a.pmtiles")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, err := NewWriter(f, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, tl := range tiles {
		data := tl.data
		if opts.Gzipped {
			data = gzipped(data)
		}
		if err := w.Add(tl.z, tl.x, tl.y, data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Finish(meta); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

func openFile(t testing.TB, path string) *Reader {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	r, err := Open(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// wantCounts computes the header's three counts from the tiles, the way
// the spec defines them: tiles, runs of consecutive ids with equal data,
// and distinct data.
func wantCounts(tiles []testTile) (addressed, entries, contents uint64) {
	type idData struct {
		id   uint64
		data string
	}
	var s []idData
	distinct := map[string]bool{}
	for _, tl := range tiles {
		id, _ := TileID(tl.z, tl.x, tl.y)
		s = append(s, idData{id, string(tl.data)})
		distinct[string(tl.data)] = true
	}
	slices.SortFunc(s, func(a, b idData) int { return cmp.Compare(a.id, b.id) })
	for i, e := range s {
		if i == 0 || e.id != s[i-1].id+1 || e.data != s[i-1].data {
			entries++
		}
	}
	return uint64(len(tiles)), entries, uint64(len(distinct))
}

// walkEntries returns every tile entry of r in directory order, checking on
// the way that ids ascend, runs do not overlap, and tile data is clustered:
// each blob follows the previous new one or repeats an earlier one.
func walkEntries(t *testing.T, r *Reader) []entry {
	t.Helper()
	var out []entry
	var walk func(dir []entry, depth int)
	walk = func(dir []entry, depth int) {
		for _, e := range dir {
			if e.RunLength > 0 {
				out = append(out, e)
				continue
			}
			if depth > 1 {
				t.Fatalf("leaf directory inside a leaf directory")
			}
			leaf, err := r.leaf(e)
			if err != nil {
				t.Fatal(err)
			}
			if leaf[0].TileID != e.TileID {
				t.Fatalf("leaf at %d starts at tile id %d, its root entry says %d", e.Offset, leaf[0].TileID, e.TileID)
			}
			walk(leaf, depth+1)
		}
	}
	walk(r.root, 1)
	var end uint64
	for i, e := range out {
		if i > 0 && e.TileID < out[i-1].TileID+uint64(out[i-1].RunLength) {
			t.Fatalf("entry %d: tile id %d overlaps the previous run", i, e.TileID)
		}
		switch {
		case e.Offset == end:
			end += uint64(e.Length)
		case e.Offset+uint64(e.Length) > end:
			t.Fatalf("entry %d: blob at %d not clustered (data so far ends at %d)", i, e.Offset, end)
		}
	}
	if end != r.h.TileDataLength {
		t.Fatalf("blobs end at %d, tile data is %d bytes", end, r.h.TileDataLength)
	}
	return out
}

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name      string
		tiles     func(r *rand.Rand) []testTile
		opts      WriterOptions
		meta      Metadata
		wantLeafs bool
	}{
		{
			name:  "one tile",
			tiles: func(*rand.Rand) []testTile { return []testTile{{0, 0, 0, []byte("world")}} },
			meta:  Metadata{JSON: map[string]any{"name": "one"}},
		},
		{
			name:  "z0-z14 random with duplicates and a run",
			tiles: func(r *rand.Rand) []testTile { return randomTiles(r, 2000, 800, 14, 300) },
			meta: Metadata{MinZoom: 0, MaxZoom: 15, Bounds: [4]float64{119.5, 29.5, 121.5, 31}, Center: [3]float64{120.15, 30.28, 12},
				JSON: map[string]any{"name": "杭州", "vector_layers": []any{map[string]any{"id": "building"}}}},
		},
		{
			name:  "already gzipped",
			tiles: func(r *rand.Rand) []testTile { return randomTiles(r, 500, 100, 8, 20) },
			opts:  WriterOptions{Gzipped: true},
		},
		{
			name: "100k distinct tiles need leaf directories",
			tiles: func(r *rand.Rand) []testTile {
				return randomTiles(r, 100000, 100000, 14, 0)
			},
			wantLeafs: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, uint64(len(tt.name))))
			tiles := tt.tiles(rng)
			path := writeArchive(t, t.TempDir(), tiles, tt.opts, tt.meta)
			r := openFile(t, path)
			h := r.Header()

			addressed, entries, contents := wantCounts(tiles)
			if h.AddressedTiles != addressed || h.TileEntries != entries || h.TileContents != contents {
				t.Errorf("counts addressed/entries/contents = %d/%d/%d, want %d/%d/%d",
					h.AddressedTiles, h.TileEntries, h.TileContents, addressed, entries, contents)
			}
			if !h.Clustered || h.InternalCompression != CompressionGzip || h.TileCompression != CompressionGzip || h.TileType != TileTypeMVT {
				t.Errorf("header clustered %v, compression %s/%s, type %d; want true, gzip/gzip, 1", h.Clustered, h.InternalCompression, h.TileCompression, h.TileType)
			}
			if h.RootOffset != HeaderLen || h.RootOffset+h.RootLength > 16384 {
				t.Errorf("root directory at %d, %d bytes: not within the first 16 KiB", h.RootOffset, h.RootLength)
			}
			if got := h.LeafLength > 0; got != tt.wantLeafs {
				t.Errorf("leaf directories: %v (%d bytes), want %v", got, h.LeafLength, tt.wantLeafs)
			}
			if got := walkEntries(t, r); uint64(len(got)) != entries {
				t.Errorf("directories hold %d tile entries, want %d", len(got), entries)
			}
			if tt.meta.MaxZoom != 0 && (h.MinZoom != tt.meta.MinZoom || h.MaxZoom != tt.meta.MaxZoom || h.CenterZoom != uint8(tt.meta.Center[2]) ||
				h.MinLonE7 != e7(tt.meta.Bounds[0]) || h.MaxLatE7 != e7(tt.meta.Bounds[3]) || h.CenterLonE7 != e7(tt.meta.Center[0])) {
				t.Errorf("header zooms/bounds/center %+v do not match metadata %+v", h, tt.meta)
			}

			for _, tl := range tiles {
				got, err := r.Tile(tl.z, tl.x, tl.y)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, tl.data) {
					t.Fatalf("tile %d/%d/%d: read %d bytes, wrote %d, not the same", tl.z, tl.x, tl.y, len(got), len(tl.data))
				}
			}
			present := map[uint64]bool{}
			for _, tl := range tiles {
				id, _ := TileID(tl.z, tl.x, tl.y)
				present[id] = true
			}
			for i := 0; i < 2000; i++ {
				z := uint8(rng.IntN(17))
				x, y := uint32(rng.Uint64N(1<<z)), uint32(rng.Uint64N(1<<z))
				if id, _ := TileID(z, x, y); present[id] {
					continue
				}
				got, err := r.Tile(z, x, y)
				if got != nil || err != nil {
					t.Fatalf("absent tile %d/%d/%d: got %d bytes, %v; want nil, nil", z, x, y, len(got), err)
				}
			}

			m, err := r.Metadata()
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]any{"vector_layers": []any{}}
			for k, v := range tt.meta.JSON {
				want[k] = v
			}
			if fmt.Sprint(m) != fmt.Sprint(want) {
				t.Errorf("metadata %v, want %v", m, want)
			}
		})
	}
}

// TestDerivedHeader checks the zooms, bounds and center filled in from the
// tiles when Metadata leaves them zero.
func TestDerivedHeader(t *testing.T) {
	tiles := []testTile{{3, 6, 3, []byte("a")}, {5, 26, 12, []byte("b")}, {4, 13, 6, []byte("c")}}
	r := openFile(t, writeArchive(t, t.TempDir(), tiles, WriterOptions{}, Metadata{}))
	h := r.Header()
	// 3/6/3 spans lon 90..135, lat 0..atan(sinh(π/4)) = 40.9798981°; the
	// other two lie inside it.
	want := Header{MinZoom: 3, MaxZoom: 5, MinLonE7: 900000000, MinLatE7: 0, MaxLonE7: 1350000000, MaxLatE7: 409798981,
		CenterZoom: 3, CenterLonE7: 1125000000, CenterLatE7: 204899490}
	got := Header{MinZoom: h.MinZoom, MaxZoom: h.MaxZoom, MinLonE7: h.MinLonE7, MinLatE7: h.MinLatE7, MaxLonE7: h.MaxLonE7, MaxLatE7: h.MaxLatE7,
		CenterZoom: h.CenterZoom, CenterLonE7: h.CenterLonE7, CenterLatE7: h.CenterLatE7}
	if got != want {
		t.Errorf("derived header\n got %+v\nwant %+v", got, want)
	}
}

func TestWriterErrors(t *testing.T) {
	tests := []struct {
		name  string
		tiles []testTile
		opts  WriterOptions
		meta  Metadata
		want  string
	}{
		{"no tiles", nil, WriterOptions{}, Metadata{}, "no tiles added"},
		{"tile twice", []testTile{{2, 1, 1, []byte("a")}, {2, 1, 1, []byte("b")}}, WriterOptions{}, Metadata{}, "tile 2/1/1 added twice"},
		{"x outside zoom", []testTile{{2, 4, 0, []byte("a")}}, WriterOptions{}, Metadata{}, "tile 2/4/0: x or y outside 0..3"},
		{"zoom over 31", []testTile{{32, 0, 0, []byte("a")}}, WriterOptions{}, Metadata{}, "zoom over 31"},
		{"empty gzipped", []testTile{{0, 0, 0, nil}}, WriterOptions{Gzipped: true}, Metadata{}, "empty gzipped data"},
		{"zooms do not cover tiles", []testTile{{5, 0, 0, []byte("a")}}, WriterOptions{}, Metadata{MinZoom: 0, MaxZoom: 4}, "do not cover"},
		{"longitude out of range", []testTile{{0, 0, 0, []byte("a")}}, WriterOptions{}, Metadata{Bounds: [4]float64{-181, 0, 1, 1}}, "longitude -181"},
		{"bounds inverted", []testTile{{0, 0, 0, []byte("a")}}, WriterOptions{}, Metadata{Bounds: [4]float64{10, 0, 1, 1}}, "west over east"},
		{"metadata not JSON", []testTile{{0, 0, 0, []byte("a")}}, WriterOptions{}, Metadata{JSON: map[string]any{"f": func() {}}}, "metadata JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			var out bytes.Buffer
			w, err := NewWriter(&out, WriterOptions{TempDir: dir, Gzipped: tt.opts.Gzipped})
			if err != nil {
				t.Fatal(err)
			}
			for _, tl := range tt.tiles {
				if err = w.Add(tl.z, tl.x, tl.y, tl.data); err != nil {
					break
				}
			}
			if err == nil {
				err = w.Finish(tt.meta)
			}
			w.Close()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error with %q", err, tt.want)
			}
			if left, _ := os.ReadDir(dir); len(left) != 0 {
				t.Errorf("temporary files left behind: %v", left)
			}
		})
	}
}

// TestOpenErrors damages a valid archive and checks each damage is refused
// with an error that says what is wrong.
func TestOpenErrors(t *testing.T) {
	path := writeArchive(t, t.TempDir(), []testTile{{1, 0, 0, []byte("a")}, {1, 1, 0, []byte("b")}}, WriterOptions{}, Metadata{})
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	put64 := func(off int, v uint64) func([]byte) []byte {
		return func(b []byte) []byte {
			for i := 0; i < 8; i++ {
				b[off+i] = byte(v >> (8 * i))
			}
			return b
		}
	}
	tests := []struct {
		name   string
		damage func([]byte) []byte
		want   string
	}{
		{"empty", func(b []byte) []byte { return nil }, "shorter than the 127-byte header"},
		{"short header", func(b []byte) []byte { return b[:100] }, "shorter than the 127-byte header"},
		{"bad magic", func(b []byte) []byte { b[0] = 'X'; return b }, "not a PMTiles archive"},
		{"version 2", func(b []byte) []byte { b[7] = 2; return b }, "spec version 2"},
		{"root past the end", put64(16, 1<<40), "root directory at 127, 1099511627776 bytes, past the end"},
		{"offset overflow", put64(56, ^uint64(0)), "tile data at 18446744073709551615"},
		{"root beyond 16 KiB", put64(8, 20000), "root directory at 20000"},
		{"brotli directories", func(b []byte) []byte { b[97] = 3; return b }, "internal compression brotli"},
		{"truncated", func(b []byte) []byte { return b[:len(b)-1] }, "tile data at"},
		{"root not gzip", func(b []byte) []byte { b[127] = 0; return b }, "gunzip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := tt.damage(bytes.Clone(good))
			_, err := Open(bytes.NewReader(b), int64(len(b)))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error with %q", err, tt.want)
			}
		})
	}
}

func TestParseDirectory(t *testing.T) {
	entries := []entry{{0, 0, 10, 1}, {1, 10, 5, 3}, {7, 0, 10, 1}, {100, 10, 1, 0}}
	raw := appendDirectory(nil, entries)
	// count 4; ids 0 1 6 93; runs 1 3 1 0; lengths 10 5 10 1; offsets 1 0 1 0.
	wantRaw := []byte{4, 0, 1, 6, 93, 1, 3, 1, 0, 10, 5, 10, 1, 1, 0, 1, 0}
	if !bytes.Equal(raw, wantRaw) {
		t.Errorf("appendDirectory = %v, want %v", raw, wantRaw)
	}
	got, err := parseDirectory(raw)
	if err != nil || !reflect.DeepEqual(got, entries) {
		t.Errorf("parseDirectory = %v, %v; want %v", got, err, entries)
	}
	bad := []struct {
		name string
		raw  []byte
		want string
	}{
		{"empty", nil, "truncated"},
		{"no entries", []byte{0}, "no entries"},
		{"count over bytes", []byte{100, 0, 0, 0, 0}, "100 entries in 5 bytes"},
		{"repeated id", []byte{2, 5, 0, 1, 1, 1, 1, 1, 0}, "repeated"},
		{"zero length", []byte{1, 5, 1, 0, 1}, "length 0"},
		{"first offset contiguous", []byte{1, 5, 1, 1, 0}, "no entry before"},
		{"trailing bytes", []byte{1, 5, 1, 1, 1, 9}, "after the last entry"},
		{"overlong varint", []byte{1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, "overlong"},
	}
	for _, tt := range bad {
		if _, err := parseDirectory(tt.raw); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want an error with %q", tt.name, err, tt.want)
		}
	}
}

func sha(b []byte) string { return fmt.Sprintf("%x", sha256.Sum256(b)) }
