package pmtiles_test

import (
	"bytes"
	"fmt"
	"log"

	"github.com/future-community/cim/tiles/pmtiles"
)

func ExampleWriter() {
	var archive bytes.Buffer // or an *os.File
	w, err := pmtiles.NewWriter(&archive, pmtiles.WriterOptions{})
	if err != nil {
		log.Fatal(err)
	}
	defer w.Close()
	// Tiles in any order; the two z1 tiles on the right share their bytes,
	// and their ids (3 and 4) are consecutive, so they make one run.
	for _, t := range []struct {
		z    uint8
		x, y uint32
		mvt  string
	}{
		{1, 1, 0, "sea"},
		{0, 0, 0, "world"},
		{1, 1, 1, "sea"},
		{1, 0, 0, "land"},
	} {
		if err := w.Add(t.z, t.x, t.y, []byte(t.mvt)); err != nil {
			log.Fatal(err)
		}
	}
	err = w.Finish(pmtiles.Metadata{JSON: map[string]any{"name": "example"}})
	if err != nil {
		log.Fatal(err)
	}

	r, err := pmtiles.Open(bytes.NewReader(archive.Bytes()), int64(archive.Len()))
	if err != nil {
		log.Fatal(err)
	}
	h := r.Header()
	fmt.Printf("zooms %d..%d, %d tiles, %d entries, %d distinct\n", h.MinZoom, h.MaxZoom, h.AddressedTiles, h.TileEntries, h.TileContents)
	sea, _ := r.Tile(1, 1, 1)
	missing, _ := r.Tile(1, 0, 1)
	fmt.Printf("1/1/1: %s; 1/0/1 absent: %v\n", sea, missing == nil)
	// Output:
	// zooms 0..1, 4 tiles, 3 entries, 3 distinct
	// 1/1/1: sea; 1/0/1 absent: true
}
