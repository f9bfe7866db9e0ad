package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sort"
	"strings"
	"syscall"
	"text/tabwriter"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/crs"
	"github.com/future-community/cim/index"
	"github.com/future-community/cim/ingest"
	"github.com/urfave/cli/v2"
)

func ingestCommand() *cli.Command {
	return &cli.Command{
		Name:      "ingest",
		Usage:     "load GIS and BIM files into a store",
		ArgsUsage: "FILE...",
		Description: `Loads each FILE into the store, one atomic batch per file: if a file is
broken, nothing of it is stored and the store keeps what it held; the
command then exits with status 1, naming the file, feature and byte.

The format is told from the content: a GeoJSON FeatureCollection, a
single Feature, or a sequence of Features one per line (GeoJSONSeq, with
or without RFC 8142 record separators); an OpenStreetMap PBF extract
(tagged nodes become points, tagged ways lines or areas, multipolygon
relations polygons); CityJSON 1.0–2.0 and CityJSONSeq (buildings, parts,
storeys, rooms, vegetation, roads, water, reprojected from the file's CRS,
or --crs when it names none); an IMDF folder or .zip (venue, buildings,
levels as floors, units, openings, amenities); IFC2X3, IFC4 and IFC4X3
models (site, buildings, storeys as floors numbered by elevation, spaces
with their floor areas; placed by --anchor, else the file's
IfcMapConversion, else its site's latitude and longitude). OSM XML is
recognised but not read yet. The summary counts the features of each file
by class.

GeoJSON properties in OpenStreetMap style (building, building:levels,
level, leisure, railway, highway=bus_stop, amenity …) set the class and
floors; cim:class, cim:level, cim:stage and cim:dataset override (so what
cim query --format geojson writes reads back the same).

A feature that is already stored (same id, dataset and stage) is replaced.
With --replace, the dataset's features that the file no longer holds are
deleted too, in the stages the file holds (replacing a design stage leaves
the planning stage alone).

Examples:
   cim ingest --db city.db zoning.geojson
   cim ingest --db city.db --dataset scheme-a --stage design buildings.geojson storeys.geojson
   cim ingest --db city.db --skip-invalid --format json messy.geojson
   cim ingest --db city.db --crs EPSG:7415 rotterdam.city.json
   cim ingest --db city.db station-mall/          (an IMDF folder)
   cim ingest --db city.db --anchor 120.15,30.25,12 house.ifc
   CIM_TOKEN=… cim ingest --server http://127.0.0.1:8080 --stage design scheme-b.geojson

With --server, each file streams to a running cim serve, which loads it
the same way (one atomic batch) while it goes on serving; the flags mean
the same, the dataset defaults to the file's name, and the report is the
server's. A store that cim serve holds cannot be opened with --db.`,
		Flags: []cli.Flag{
			dbFlag(),
			&cli.StringFlag{Name: "dataset", Usage: "dataset name (default: the file name without extension)"},
			stageFlag("stage of features whose file does not say (default as-built)"),
			&cli.BoolFlag{Name: "skip-invalid", Usage: "skip and report invalid features instead of failing"},
			&cli.StringFlag{Name: "crs", Usage: "coordinate reference system of a CityJSON file that names none (EPSG:7415, EPSG:4547…)"},
			&cli.StringFlag{Name: "anchor", Usage: "lon,lat[,rotation_deg]: where the origin of an IFC file lies, and how far its +y axis turns clockwise from north (overrides the file's own georeferencing, with a warning)"},
			&cli.BoolFlag{Name: "replace", Usage: "delete the dataset's features that the file does not hold (in the file's stages)"},
			&cli.IntFlag{Name: "memory", Value: 640, Usage: "memory to aim for, in MiB: the Go heap limit; OSM node locations and way node lists get a third of it and spill to --tmpdir beyond that (more makes country-sized extracts faster)"},
			&cli.StringFlag{Name: "tmpdir", Usage: "directory for OSM spill files, which are unlinked at once (default $TMPDIR, else /tmp; a country needs ~20 bytes per node)"},
			formatFlag("table", "json"),
			&cli.StringFlag{Name: "server", Usage: "load through the cim serve at this URL (POST /datasets/{name}/ingest) instead of opening --db, which that server holds while it runs"},
			&cli.StringFlag{Name: "token", EnvVars: []string{"CIM_TOKEN"}, Usage: "with --server: the server's write token. Prefer CIM_TOKEN: a flag shows in ps"},
		},
		Action: runIngest,
	}
}

// parseAnchor reads --anchor lon,lat[,rotation_deg]; "" is no anchor.
func parseAnchor(s string) (*cim.Anchor, error) {
	a, err := ingest.ParseAnchor(s)
	if err != nil {
		return nil, usagef("--anchor %v", err)
	}
	return a, nil
}

func runIngest(c *cli.Context) error {
	out, err := format(c, "table", "json")
	if err != nil {
		return err
	}
	if c.NArg() == 0 {
		return usagef("ingest: no FILE given")
	}
	stage, err := parseStage(c)
	if err != nil {
		return err
	}
	if c.Bool("replace") && c.String("dataset") != "" && c.NArg() > 1 {
		return usagef("--replace with --dataset and several files: each file would replace what the one before loaded; merge them into one file, or give each its own dataset")
	}
	anchor, err := parseAnchor(c.String("anchor"))
	if err != nil {
		return err
	}
	if v := c.String("crs"); v != "" {
		if _, err := crs.Parse(v); err != nil {
			return usagef("--crs %q: %v", v, err)
		}
	}
	if srv := c.String("server"); srv != "" {
		return runRemoteIngest(c, out, srv)
	}
	mem := c.Int("memory")
	if mem < 64 {
		return usagef("--memory %d: want at least 64 (MiB)", mem)
	}
	if c.IsSet("memory") || os.Getenv("GOMEMLIMIT") == "" {
		// Leave room for what is not Go heap: Badger's mapped files, stacks.
		debug.SetMemoryLimit(int64(mem-mem/6) << 20)
	}
	if d := c.String("tmpdir"); d != "" {
		if st, err := os.Stat(d); err != nil || !st.IsDir() {
			return usagef("--tmpdir %s: not a directory", d)
		}
	}
	// Every file must be there before the store is opened (or created).
	// (The store checks the disk's room itself, before each chunk it
	// writes: index.ErrDiskFull.)
	for _, path := range c.Args().Slice() {
		if _, err := os.Stat(path); err != nil {
			return fmt.Errorf("ingest %s: %v (nothing was stored)", path, errors.Unwrap(err))
		}
	}
	s, err := openStore(c, false)
	if err != nil {
		return err
	}
	defer s.Close()

	stderr := c.App.ErrWriter
	var reports []ingest.Report
	failed, envFailed := false, false
	for _, path := range c.Args().Slice() {
		rep, err := ingestFile(c.Context, s, path, ingest.Options{
			Dataset: c.String("dataset"), Stage: stage, SkipInvalid: c.Bool("skip-invalid"), MemoryMB: mem / 3,
			TempDir: c.String("tmpdir"), CRS: c.String("crs"), Anchor: anchor,
		}, c.Bool("replace"), stderr)
		if err != nil {
			rep.Error = err.Error()
			failed = true
			// A full disk or a store left to recover is the system's
			// failure, not the file's.
			envFailed = envFailed || errors.Is(err, syscall.ENOSPC) || errors.Is(err, index.ErrNeedsRecovery)
			if out == "table" {
				if errors.Is(err, index.ErrNeedsRecovery) {
					fmt.Fprintf(stderr, "cim: ingest %v\n     the store could not be restored now; it will be when next opened.\n", err)
				} else {
					fmt.Fprintf(stderr, "cim: ingest %v\n     nothing from %s was stored; the store is unchanged by it.\n", err, path)
				}
			}
		}
		reports = append(reports, rep)
		if errors.Is(err, context.Canceled) {
			break
		}
	}
	if out == "json" {
		enc := json.NewEncoder(c.App.Writer)
		enc.SetIndent("", "  ")
		if err := enc.Encode(map[string]any{"store": s.Dir(), "revision": s.Revision(), "files": reports}); err != nil {
			return err
		}
	} else {
		printIngestTable(c.App.Writer, reports)
		fmt.Fprintf(c.App.Writer, "store %s at revision %d\n", s.Dir(), s.Revision())
	}
	switch {
	case envFailed:
		return cli.Exit("", exitEnv)
	case failed:
		return cli.Exit("", exitInput)
	}
	return nil
}

func ingestFile(ctx context.Context, s *index.Store, path string, opts ingest.Options, replace bool, stderr io.Writer) (ingest.Report, error) {
	return ingest.Run(ctx, s, path, opts, ingest.RunOptions{Replace: replace, Opened: func(in *ingest.File) func() {
		return startProgress(stderr, path, in.Size, in.BytesRead, in.Features, in.Phase, logEvery).done
	}})
}

func printIngestTable(w io.Writer, reports []ingest.Report) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "file\tformat\tdataset\tfeatures\treplaced\tdeleted\tskipped\ttime\trate\t")
	for _, r := range reports {
		if r.Error != "" {
			fmt.Fprintf(tw, "%s\t%s\t%s\tFAILED\t\t\t\t\t\t\n", r.File, r.Format, r.Dataset)
			continue
		}
		rate := "-"
		if r.Seconds > 0 {
			rate = humanInt(int(float64(r.Features)/r.Seconds)) + "/s"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%.2fs\t%s\t\n", r.File, r.Format, r.Dataset,
			humanInt(r.Features), humanInt(r.Replaced), humanInt(r.Deleted), len(r.Skipped), r.Seconds, rate)
	}
	tw.Flush()
	for _, r := range reports {
		if len(r.Classes) > 0 {
			var parts []string
			for _, cl := range cim.Classes() {
				if n := r.Classes[cl.String()]; n > 0 {
					parts = append(parts, cl.String()+" "+humanInt(n))
				}
			}
			fmt.Fprintf(w, "  %s: %s\n", r.File, strings.Join(parts, ", "))
		}
		for i, s := range r.Skipped {
			if i == 10 {
				fmt.Fprintf(w, "  … and %d more skipped\n", len(r.Skipped)-10)
				break
			}
			fmt.Fprintf(w, "  skipped %s\n", s)
		}
		if len(r.Warnings) > 0 {
			keys := make([]string, 0, len(r.Warnings))
			for k := range r.Warnings {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for i, k := range keys {
				if i == 10 {
					fmt.Fprintf(w, "  … and %d more kinds of warning\n", len(keys)-10)
					break
				}
				fmt.Fprintf(w, "  %s: %s (%d×)\n", r.File, k, r.Warnings[k])
			}
		}
	}
}

// humanInt formats n with thousands separators.
func humanInt(n int) string { return cim.FormatInt(int64(n)) }
