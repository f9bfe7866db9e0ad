package main

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/index"
	"github.com/future-community/cim/query"
	"github.com/future-community/cim/tiles"
	"github.com/future-community/cim/tiles/pmtiles"
	"github.com/urfave/cli/v2"
)

func tilesCommand() *cli.Command {
	return &cli.Command{
		Name:  "tiles",
		Usage: "vector tiles of a store without a server: export a PMTiles archive",
		Subcommands: []*cli.Command{{
			Name:  "export",
			Usage: "write the store's vector tiles into one PMTiles v3 file",
			Description: `export builds every tile from --minzoom to --maxzoom over the store's
extent (or --bbox) and writes them into one PMTiles v3 archive: the same
tiles cim serve answers, gzipped, identical ones stored once. The archive
goes to object storage or a CDN, and MapLibre reads it directly with the
pmtiles protocol: no tile server. Tiles are built on every CPU; the walk
skips the parts of the pyramid with no data.

Examples:
   cim tiles export --db city.db --out city.pmtiles
   cim tiles export --db city.db --out floor2.pmtiles --minzoom 14 --maxzoom 18 --level 2`,
			Flags: []cli.Flag{
				dbFlag(), asOfFlag(),
				&cli.StringFlag{Name: "out", Usage: "the archive to write (FILE.pmtiles)"},
				&cli.IntFlag{Name: "minzoom", Value: 0, Usage: "the first zoom"},
				&cli.IntFlag{Name: "maxzoom", Value: 16, Usage: fmt.Sprintf("the last zoom (at most %d)", tiles.MaxZoom)},
				&cli.StringFlag{Name: "bbox", Usage: "only tiles touching W,S,E,N (degrees)"},
				&cli.StringFlag{Name: "level", Usage: "floor N or range A..B in the floor layers, as the tiles' level="},
				&cli.StringFlag{Name: "stage", Usage: "the stage whose view the tiles show: planning, design, construction, as-built"},
				&cli.StringFlag{Name: "dataset", Usage: "only this dataset"},
				&cli.StringFlag{Name: "layers", Usage: "only these layers, comma-separated"},
				&cli.IntFlag{Name: "workers", Usage: "tiles built side by side (default: the CPUs)"},
			},
			Action: runTilesExport,
		}},
	}
}

func runTilesExport(c *cli.Context) error {
	if c.NArg() > 0 {
		return usagef("tiles export takes no arguments (got %q)", c.Args().First())
	}
	out := c.String("out")
	if out == "" {
		return usagef("tiles export: no --out FILE.pmtiles given")
	}
	minz, maxz := c.Int("minzoom"), c.Int("maxzoom")
	if minz < 0 || maxz > tiles.MaxZoom || minz > maxz {
		return usagef("--minzoom %d --maxzoom %d: want 0 ≤ minzoom ≤ maxzoom ≤ %d", minz, maxz, tiles.MaxZoom)
	}
	q := url.Values{}
	for _, name := range []string{"level", "stage", "dataset", "layers"} {
		if v := c.String(name); v != "" {
			q.Set(name, v)
		}
	}
	p, err := tiles.ParseParams(q)
	if err != nil {
		return usagef("--%v", err)
	}
	var box *cim.Box
	if s := c.String("bbox"); s != "" {
		b, err := query.ParseBBox(s)
		if err != nil {
			return usagef("--bbox %q: %v", s, err)
		}
		box = &b
	}
	if st, err := os.Stat(filepath.Dir(out)); err != nil || !st.IsDir() {
		return usagef("--out %s: the folder %s does not exist", out, filepath.Dir(out))
	}
	return withSnapshot(c, func(s *index.Store, sn *index.Snapshot) error {
		return export(c, s, sn, out, minz, maxz, box, p)
	})
}

// export writes the archive out of the snapshot's tiles.
func export(c *cli.Context, s *index.Store, sn *index.Snapshot, out string, minz, maxz int, box *cim.Box, p tiles.Params) error {
	tmp, err := os.CreateTemp(filepath.Dir(out), ".cim-export-*.pmtiles")
	if err != nil {
		return envError{err}
	}
	defer os.Remove(tmp.Name()) // after the rename, nothing
	w, err := pmtiles.NewWriter(tmp, pmtiles.WriterOptions{TempDir: filepath.Dir(out), Gzipped: true})
	if err != nil {
		tmp.Close()
		return envError{err}
	}
	defer w.Close()

	var visited, written, zoom atomic.Int64 // set by Export's goroutine, read by the ticker's
	start := time.Now()
	tick := startTicker(c.App.ErrWriter, logEvery, func(tty bool) string {
		v := visited.Load()
		rate := float64(v) / max(time.Since(start).Seconds(), 1e-3)
		return fmt.Sprintf("cim: export %s: z%d, %s tiles built, %s with features, %s/s, %s",
			filepath.Base(out), zoom.Load(), humanInt(int(v)), humanInt(int(written.Load())), humanInt(int(rate)), time.Since(start).Round(time.Second))
	})
	opts := tiles.ExportOptions{
		MinZoom: minz, MaxZoom: maxz, Box: box, Params: p, Workers: c.Int("workers"),
		Progress: func(v, n int64, z int) { visited.Store(v); written.Store(n); zoom.Store(int64(z)) },
	}
	st, err := tiles.Export(c.Context, sn, w, opts)
	tick.done()
	if err != nil {
		tmp.Close()
		return err
	}
	if st.Written == 0 {
		tmp.Close()
		return fmt.Errorf("tiles export: no tile of zooms %d–%d has a feature; nothing written", minz, maxz)
	}
	meta := st.Metadata(opts, "cim", "Community Information Model tiles of "+s.Dir(), fmt.Sprint(sn.Revision()))
	if err := w.Finish(meta); err != nil {
		tmp.Close()
		return err
	}
	// CreateTemp made it 0600: an archive is for hosting, readable by all,
	// and it is on disk before it takes its name.
	if err := errors.Join(tmp.Chmod(0o644), tmp.Sync(), tmp.Close()); err != nil {
		return envError{err}
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return envError{err}
	}
	fi, _ := os.Stat(out)
	secs := time.Since(start).Seconds()
	fmt.Fprintf(c.App.Writer, "wrote %s: %s tiles of zooms %d–%d (%s built, %.0f tiles/s), %s, from %s at revision %d\n",
		out, humanInt(int(st.Written)), minz, maxz, humanInt(int(st.Visited)), float64(st.Visited)/max(secs, 1e-3), mib(fi.Size()), s.Dir(), sn.Revision())
	return nil
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
