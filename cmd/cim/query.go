package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/geojson"
	"github.com/future-community/cim/index"
	"github.com/future-community/cim/query"
	"github.com/twpayne/go-geom"
	"github.com/urfave/cli/v2"
)

func queryCommand() *cli.Command {
	return &cli.Command{
		Name:  "query",
		Usage: "find features by box, floor, class, dataset, stage and properties",
		Description: `Prints the features that pass every filter given. --bbox keeps features
whose geometry intersects the box (not just its bounding box), as OGC API –
Features and GDAL do. --level keeps features on that floor or range of
floors, counted from 0, the ground floor (China's 1F, 1层), with -1 the
first basement (B1); --floor takes the Chinese numbering instead (1F, B1,
B2..3F). Without either every floor counts.

A store keeps every version of a feature, one per dataset and stage. A
query reads one stage's view of them (--stage, default latest: each dataset
at its latest stage): the as-built stage sees what exists; an earlier stage
sees each scheme as it stands then, in the city around it (the datasets
that hold only as-built features). --all-versions reads the stored
versions themselves. The README's "Stages" section has the rules.

With --limit, a full page ends with the cursor for the next one on
standard error; pass it back with --cursor and the same filters.

Examples:
   cim query --db city.db --bbox 120.20,30.25,120.22,30.26
   cim query --db city.db --bbox 120.20,30.25,120.22,30.26 --level 2 --format geojson > floor2.geojson
   cim query --db city.db --class building --where building=school --format ndjson
   cim query --db city.db --level -2..-1 --class space --limit 50
   cim query --db city.db --floor 2F --class space       (the floor above the ground floor: --level 1)
   cim query --db city.db --id geojson:zoning:42`,
		Flags: []cli.Flag{
			dbFlag(), asOfFlag(),
			&cli.StringFlag{Name: "bbox", Usage: "W,S,E,N in degrees (WGS84)"},
			&cli.StringFlag{Name: "level", Usage: "floor N or range A..B, from 0 = the ground floor (China's 1F); -1 = B1"},
			&cli.StringFlag{Name: "floor", Usage: "floor or range in Chinese numbering: 1F (the ground floor), 3F, B1, B2..3F, 1层"},
			&cli.StringSliceFlag{Name: "class", Usage: "class, repeatable: " + classNames()},
			&cli.StringFlag{Name: "dataset", Usage: "dataset name"},
			stageFlag("read the model as this stage sees it (default latest: each dataset at its latest stage)"),
			&cli.BoolFlag{Name: "all-versions", Usage: "every stored version instead of a stage's view (with --stage, those stored at that stage)"},
			&cli.StringSliceFlag{Name: "where", Usage: "property equality key=value, repeatable (all must hold)"},
			&cli.StringFlag{Name: "id", Usage: "feature id, e.g. geojson:zoning:42"},
			&cli.IntFlag{Name: "limit", Usage: "at most N features (0: no limit)"},
			&cli.StringFlag{Name: "cursor", Usage: "continue after a previous page"},
			formatFlag("table", "geojson", "ndjson"),
		},
		Action: runQuery,
	}
}

func classNames() string {
	var names []string
	for _, c := range cim.Classes() {
		names = append(names, c.String())
	}
	return strings.Join(names, ", ")
}

// parseQuery turns the flags into a query.Query.
func parseQuery(c *cli.Context) (query.Query, error) {
	q := query.Query{ID: c.String("id"), Dataset: c.String("dataset"), Limit: c.Int("limit"), Cursor: c.String("cursor"), AllVersions: c.Bool("all-versions")}
	if c.NArg() > 0 {
		return q, usagef("query takes no arguments (got %q); filters are flags", c.Args().First())
	}
	if s := c.String("bbox"); s != "" {
		b, err := query.ParseBBox(s)
		if err != nil {
			return q, usagef("--bbox: %v", err)
		}
		q.BBox = &b
	}
	if s := c.String("level"); s != "" {
		lr, err := cim.ParseLevelRange(s)
		if err != nil {
			return q, usagef("--level %q: want N or A..B, such as 2 or -1..3 (0 is the ground floor; --floor takes 1F, B1)", s)
		}
		q.Levels = &lr
	}
	if s := c.String("floor"); s != "" {
		if q.Levels != nil {
			return q, usagef("--floor and --level say the same thing: give one")
		}
		lr, err := cim.ParseFloors(s)
		if err != nil {
			return q, usagef("--floor: %v", err)
		}
		q.Levels = &lr
	}
	for _, s := range c.StringSlice("class") {
		for _, name := range strings.Split(s, ",") {
			cl, err := cim.ParseClass(strings.TrimSpace(name))
			if err != nil {
				return q, usagef("--class: %v", err)
			}
			q.Classes = append(q.Classes, cl)
		}
	}
	var err error
	if q.Stage, err = parseStage(c); err != nil {
		return q, err
	}
	for _, s := range c.StringSlice("where") {
		cond, err := query.ParseCond(s)
		if err != nil {
			return q, usagef("--where: %v", err)
		}
		q.Where = append(q.Where, cond)
	}
	if q.Limit < 0 {
		return q, usagef("--limit %d: want 0 or more", q.Limit)
	}
	return q, nil
}

func runQuery(c *cli.Context) error {
	out, err := format(c, "table", "geojson", "ndjson")
	if err != nil {
		return err
	}
	q, err := parseQuery(c)
	if err != nil {
		return err
	}
	return withSnapshot(c, func(_ *index.Store, sn *index.Snapshot) error {
		return printQuery(c, sn, q, out)
	})
}

func printQuery(c *cli.Context, sn *index.Snapshot, q query.Query, out string) error {
	rows := query.Run(c.Context, sn, q)
	defer rows.Close()
	if err := rows.Err(); err != nil {
		// A bad query (a cursor of another query) is known before the
		// first row: nothing goes to standard output.
		if errors.Is(err, query.ErrBadCursor) {
			return usagef("--cursor: %v", err)
		}
		return err
	}
	var write func(*cim.Feature) error
	var finish func() error
	switch out {
	case "table":
		t := newFeatureTable(c.App.Writer)
		write, finish = t.write, t.flush
	default:
		w := geojson.NewWriter(c.App.Writer, out == "ndjson")
		write, finish = w.Write, w.Close
	}
	n := 0
	for rows.Next() {
		if err := write(rows.Feature()); err != nil {
			return err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		finish()
		if errors.Is(err, query.ErrBadCursor) {
			return usagef("--cursor: %v", err)
		}
		return err
	}
	if err := finish(); err != nil {
		return err
	}
	if out == "table" {
		fmt.Fprintf(c.App.Writer, "%s features (%s, revision %d)\n", humanInt(n), rows.Plan(), sn.Revision())
	}
	if cur := rows.Cursor(); cur != "" {
		fmt.Fprintf(c.App.ErrWriter, "more features: continue with --cursor %s\n", cur)
	}
	return nil
}

// featureTable prints features as aligned rows, flushing every 500 rows
// so that a long result streams.
type featureTable struct {
	w  io.Writer
	tw *tabwriter.Writer
	n  int
}

func newFeatureTable(w io.Writer) *featureTable {
	t := &featureTable{w: w}
	t.reset()
	return t
}

func (t *featureTable) reset() {
	t.tw = tabwriter.NewWriter(t.w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(t.tw, "ID\tCLASS\tKIND\tLEVEL\tDATASET\tSTAGE\tAREA_M2\tNAME")
}

func (t *featureTable) write(f *cim.Feature) error {
	area := "-"
	switch f.Geometry.(type) {
	case *geom.Polygon, *geom.MultiPolygon:
		area = fmt.Sprintf("%.1f", cim.AreaM2(f.Geometry))
	}
	name, _ := f.Props["name"].(string)
	fmt.Fprintf(t.tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", f.ID, f.Class, dash(f.Kind), f.Levels, f.Dataset, f.Stage, area, dash(name))
	if t.n++; t.n%500 == 0 {
		if err := t.tw.Flush(); err != nil {
			return err
		}
		t.tw = tabwriter.NewWriter(t.w, 0, 0, 2, ' ', 0)
	}
	return nil
}

func (t *featureTable) flush() error { return t.tw.Flush() }

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
