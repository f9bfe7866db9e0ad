package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/future-community/cim/index"
	"github.com/future-community/cim/ingest"
	"github.com/future-community/cim/server"
	"github.com/future-community/cim/viewer"
	"github.com/urfave/cli/v2"
)

func serveCommand() *cli.Command {
	return &cli.Command{
		Name:  "serve",
		Usage: "serve a store over HTTP: the map viewer, vector tiles, TileJSON, a MapLibre style, the check",
		Description: `serve opens the store (from then on it is the one process writing it)
and answers HTTP on --addr, by default on this machine only:

   /                        the map viewer: floors, stages, the check; with
                            Accept: application/json (or ?f=json) the OGC API
                            landing page
   /collections, /api       OGC API – Features (Parts 1 and 2, queryables):
                            every CIM class, paged GeoJSON items (level=,
                            stage=, dataset=, bbox=, crs=EPSG:4549, kind=…),
                            GDAL's OAPIF driver reads it (OAPIF:http://…)
   /tiles/{z}/{x}/{y}.mvt   vector tiles (MVT 2.1), a layer per class
   /tiles.json              TileJSON 3.0.0, for MapLibre, QGIS and GDAL
   /style.json              a MapLibre style: buildings and storeys in 3D
   /catalog.json            datasets, stages, floors, sites and rule packs
   /sites/{id}/check        the planning check of a site (?rules=PACK&stage=)
   /sites/{id}/indicators   its report, as cim check --format json (?rules=&stage=&dataset=)
   /sites/{id}/sunlight     the sunlight (日照) analysis of a site, as cim sunlight
                            --format json (?f=geojson for its sills, &level=&stage=)
   POST /check              a what-if: a site and proposed buildings, checked in memory, never stored
   POST /datasets/{name}/ingest  load a file (the body) as cim ingest does;
                            needs the --token (cim ingest --server does it)
   /healthz, /metrics       health and Prometheus metrics

The viewer runs on MapLibre GL JS, fetched once from the npm registry (a
pinned, hash-checked release) and cached; --viewer-assets gives it offline.

The tile URLs take level=2 (one floor; level=-1..3 a range), stage=design,
dataset=NAME and layers=building,storey. Tiles are cached per store
revision: a commit to the store (an ingest in this process) changes every
tile's key, so no stale tile is served. SIGINT or SIGTERM stops accepting,
finishes the requests in flight and closes the store cleanly.

Examples:
   cim serve --db city.db
   cim serve --db city.db --addr :8080 --cors https://twin.example.org`,
		Flags:  append([]cli.Flag{dbFlag()}, serveFlags()...),
		Action: runServe,
	}
}

func runServe(c *cli.Context) error {
	if c.NArg() > 0 {
		return usagef("serve takes no arguments (got %q); the store goes in --db", c.Args().First())
	}
	if err := checkServeFlags(c); err != nil {
		return err
	}
	mb, addr := c.Int("cache-mb"), c.String("addr")
	dir, err := storeDir(c, false)
	if err != nil {
		return err
	}
	s, err := openStoreAt(c, dir, &index.Options{})
	if err != nil {
		return err
	}
	defer s.Close()
	err = serveStore(c, s, addr, mb)
	if cerr := s.Close(); err == nil && cerr != nil {
		err = envError{fmt.Errorf("close the store: %w", cerr)}
	}
	if err == nil {
		fmt.Fprintln(c.App.ErrWriter, "cim: stopped; the store is closed")
	}
	return err
}

// serveStore serves the open store s on addr until the command's context
// ends (SIGINT, SIGTERM); the caller closes the store.
func serveStore(c *cli.Context, s *index.Store, addr string, cacheMB int) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return envError{fmt.Errorf("--addr %s is in use by another server (give another port with --addr)", addr)}
		}
		return envError{fmt.Errorf("listen on %s: %w", addr, err)}
	}
	level := slog.LevelInfo
	if c.Bool("quiet") {
		level = slog.LevelWarn
	}
	log := slog.New(slog.NewTextHandler(c.App.ErrWriter, &slog.HandlerOptions{Level: level}))
	cache := int64(cacheMB) << 20
	if cacheMB == 0 {
		cache = -1
	}
	srv, err := server.New(server.Config{Store: s, CORS: c.StringSlice("cors"), CacheBytes: cache, Logger: log,
		Viewer: viewer.Options{AssetsFrom: c.String("viewer-assets")},
		Access: server.Access{Token: c.String("token"), ReadToken: c.String("read-token")},
		Ingest: ingest.HandlerOptions{MaxBytes: int64(c.Int("max-ingest-mb")) << 20}})
	if err != nil {
		ln.Close()
		return err
	}
	if !srv.Viewer().Cached() {
		fmt.Fprintf(c.App.ErrWriter, "cim: fetching MapLibre GL JS %s for the viewer from %s (once; it is cached)…\n", viewer.MapLibre.Version, viewer.Registry())
	}
	if err := srv.Viewer().Prepare(c.Context); err != nil {
		fmt.Fprintf(c.App.ErrWriter, "cim: the viewer is unavailable: %v\n     tiles, TileJSON, the style and the API work without it.\n", err)
	}
	if !c.Bool("no-warm") {
		if st, err := srv.Tiles().Warm(c.Context, warmBudget); err != nil {
			fmt.Fprintf(c.App.ErrWriter, "cim: warming the store: %v (serving cold)\n", err)
		} else if !c.Bool("quiet") && st.Entries > 0 {
			more := ""
			if st.Partial {
				more = ", the rest left cold"
			}
			fmt.Fprintf(c.App.ErrWriter, "cim: warmed: %d index entries read and tile %s built %d times in %s%s\n", st.Entries, st.Tile, st.Builds, st.Took.Round(time.Millisecond), more)
		}
	}
	base := "http://" + displayAddr(ln.Addr().String())
	// Say who holds the store, for a cim ingest --db that finds it locked.
	if err := writeServeInfo(s.Dir(), base); err != nil {
		fmt.Fprintf(c.App.ErrWriter, "cim: %v (a cim ingest --db on this store will not be told of this server)\n", err)
	}
	defer os.Remove(filepath.Join(s.Dir(), serveInfoName))
	fmt.Fprintf(c.App.Writer, "cim serving %s (revision %d): open the viewer at %s\n", s.Dir(), s.Revision(), base+"/")
	fmt.Fprintf(c.App.Writer, "   TileJSON  %s/tiles.json\n   style     %s/style.json\n   tiles     %s/tiles/{z}/{x}/{y}.mvt\n   features  %s/collections (OGC API – Features; GDAL: OAPIF:%s)\n", base, base, base, base, base)
	switch {
	case c.String("token") == "":
		fmt.Fprintln(c.App.Writer, "   writes    refused (no --token or CIM_TOKEN)")
	default:
		fmt.Fprintln(c.App.Writer, "   writes    with Authorization: Bearer <the token>")
	}
	if c.String("read-token") != "" {
		fmt.Fprintln(c.App.Writer, "   reads     with Authorization: Bearer <the read token>")
	}
	return srv.Serve(c.Context, ln)
}

// serveInfoName is the file in a store's directory where cim serve says
// that it holds the store, and where.
const serveInfoName = "serve.json"

// serveInfo is the content of serve.json.
type serveInfo struct {
	PID     int       `json:"pid"`
	URL     string    `json:"url"`
	Started time.Time `json:"started"`
}

// writeServeInfo writes serve.json in the store's directory dir.
func writeServeInfo(dir, url string) error {
	b, _ := json.Marshal(serveInfo{PID: os.Getpid(), URL: url, Started: time.Now().UTC()})
	tmp := filepath.Join(dir, serveInfoName+".tmp")
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, serveInfoName))
}

// readServeInfo returns the cim serve that holds the store in dir, if
// serve.json names one that still runs (a killed server leaves the file).
func readServeInfo(dir string) (serveInfo, bool) {
	var si serveInfo
	b, err := os.ReadFile(filepath.Join(dir, serveInfoName))
	if err != nil || json.Unmarshal(b, &si) != nil || si.PID <= 0 || si.URL == "" {
		return si, false
	}
	return si, processAlive(si.PID)
}

// warmBudget bounds the warm-up at start: a store whose index takes
// longer to read is served with the rest cold.
const warmBudget = 5 * time.Second

// checkServeFlags checks serveFlags before anything is opened.
func checkServeFlags(c *cli.Context) error {
	if mb := c.Int("cache-mb"); mb < 0 {
		return usagef("--cache-mb %d: want 0 or more", mb)
	}
	if mb := c.Int("max-ingest-mb"); mb < 1 {
		return usagef("--max-ingest-mb %d: want 1 or more", mb)
	}
	if addr := c.String("addr"); addr != "" {
		if _, _, err := net.SplitHostPort(addr); err != nil {
			return usagef("--addr %q: want host:port or :port (%v)", addr, err)
		}
	}
	return nil
}

// serveFlags are the flags of serving, for serve and demo --serve.
func serveFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "addr", Value: "127.0.0.1:8080", Usage: "address to listen on; :8080 listens on every interface"},
		&cli.StringSliceFlag{Name: "cors", Usage: "origins allowed to read from a browser (repeat, or comma-separated); default any (*)"},
		&cli.IntFlag{Name: "cache-mb", Value: 256, Usage: "bound on the tile cache in MiB; 0 turns it off"},
		&cli.IntFlag{Name: "max-ingest-mb", Value: ingest.DefaultMaxBytes >> 20, Usage: "bound on a file loaded through POST /datasets/{name}/ingest, in MiB"},
		&cli.BoolFlag{Name: "quiet", Usage: "no access log on stderr"},
		&cli.BoolFlag{Name: "no-warm", Usage: "skip the warm-up at start (reading the spatial index into the block cache and building one throw-away tile, at most 5s)"},
		&cli.StringFlag{Name: "token", EnvVars: []string{"CIM_TOKEN"}, Usage: "bearer token that allows writes (API edits, ingest over HTTP); without one the server takes no writes. Prefer CIM_TOKEN: a flag shows in ps"},
		&cli.StringFlag{Name: "read-token", EnvVars: []string{"CIM_READ_TOKEN"}, Usage: "bearer token needed for reads too (the write token also reads); /healthz stays open"},
		&cli.StringFlag{Name: "viewer-assets", Usage: "a folder holding MapLibre GL JS " + viewer.MapLibre.Version + " (its npm tarball " + viewer.MapLibre.Tarball() + ", or its dist files), for machines without the npm registry"},
	}
}

// displayAddr makes a listener's address one a browser opens: the
// unspecified address becomes localhost.
func displayAddr(a string) string {
	host, port, err := net.SplitHostPort(a)
	if err != nil {
		return a
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return host + ":" + port
}
