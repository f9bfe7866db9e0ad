package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"

	"github.com/twpayne/go-geom/encoding/geojson"
	"github.com/urfave/cli/v2"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/diff"
	"github.com/future-community/cim/index"
	"github.com/future-community/cim/plan"
)

func diffCommand() *cli.Command {
	return &cli.Command{
		Name:  "diff",
		Usage: "compare the approved scheme with what is built, or a revision with another",
		Description: `Compares two states of the store: a stage with another (--from planning
--to as-built, the planning verification at completion, 规划条件核实), a
dataset with another (--dataset scheme --dataset-to survey), or a revision
with another (--from-rev 12 --to-rev 15; revisions as cim log lists them,
or times). Each side is what cim query shows for that stage, dataset and
revision.

Features are matched by id, then the rest by footprint: the pairs whose
intersection over union is largest, at least --min-iou, so a survey that
numbers buildings its own way still meets the design. A pair is changed
when its outline moved more than --tolerance-m (the Hausdorff distance),
its height by more than --height-tolerance-m, or its floors, kind or name
differ. The rest were removed or added.

With --site, the site's indicators (GFA, FAR, density, green, heights) are
checked on both sides and compared against the rule pack's tolerances
(GFA within ±3 % in the built-in packs): cim diff then exits 1 when a
tolerance is exceeded, so that a CI job can run it. Without --site it
exits 1 when anything was added, removed or changed, as diff(1) does.

--format geojson writes the features that differ, coloured for QGIS
(added green, removed red, changed orange; "cim:change" says which), the
built side's geometry where there is one.

Examples:
   cim diff --db city.db --from planning --to as-built --dataset hz-future-community
   cim diff --db city.db --from planning --to as-built --site site --format json
   cim diff --db city.db --from-rev 3 --to-rev 7 --format geojson > changes.geojson`,
		Flags: []cli.Flag{dbFlag(),
			&cli.StringFlag{Name: "from", Usage: "the stage whose view is the first side (planning, design, construction, as-built; default each dataset's latest)"},
			&cli.StringFlag{Name: "to", Usage: "the stage whose view is the second side (default: --from's)"},
			&cli.StringFlag{Name: "dataset", Usage: "the first side's dataset (default all)"},
			&cli.StringFlag{Name: "dataset-to", Usage: "the second side's dataset (default: --dataset's)"},
			&cli.StringFlag{Name: "from-rev", Usage: "the revision (or time) the first side reads (default the latest)"},
			&cli.StringFlag{Name: "to-rev", Usage: "the revision (or time) the second side reads (default the latest)"},
			&cli.StringFlag{Name: "site", Usage: "compare within this site (an id or name in the store, or a GeoJSON file), and its indicators"},
			&cli.StringFlag{Name: "rules", Value: "zj-future-community", Usage: "the rule pack whose tolerances judge the indicators (a built-in name or a YAML file)"},
			&cli.StringFlag{Name: "class", Usage: "the classes compared, comma-separated (default building, building_part, green, water, road, facility, transit_stop)"},
			&cli.Float64Flag{Name: "tolerance-m", Value: 0.5, Usage: "how far an outline may move and stay the same"},
			&cli.Float64Flag{Name: "height-tolerance-m", Value: 0.5, Usage: "how much a height may differ and stay the same"},
			&cli.Float64Flag{Name: "min-iou", Value: 0.5, Usage: "the least footprint overlap (intersection over union) that matches features with different ids"},
			formatFlag("table", "json", "geojson"),
		},
		Action: runDiff,
	}
}

type diffJSON struct {
	*diff.Result
	Site       string       `json:"site,omitempty"`
	Indicators []diff.Delta `json:"indicators,omitempty"`
	Exceeded   int          `json:"tolerances_exceeded"`
}

func runDiff(c *cli.Context) error {
	if c.NArg() > 0 {
		return usagef("diff takes no arguments (got %q); the store goes in --db", c.Args().First())
	}
	out, err := format(c, "table", "json", "geojson")
	if err != nil {
		return err
	}
	stage := func(flag string) (cim.Stage, error) {
		v := c.String(flag)
		if v == "" {
			return cim.StageAny, nil
		}
		st, err := cim.ParseStage(v)
		if err != nil {
			return 0, usagef("--%s: %v", flag, err)
		}
		return st, nil
	}
	fromStage, err := stage("from")
	if err != nil {
		return err
	}
	toStage := fromStage
	if c.String("to") != "" {
		if toStage, err = stage("to"); err != nil {
			return err
		}
	}
	fromDS, toDS := c.String("dataset"), c.String("dataset")
	if c.String("dataset-to") != "" {
		toDS = c.String("dataset-to")
	}
	if fromStage == toStage && fromDS == toDS && c.String("from-rev") == c.String("to-rev") {
		return usagef("nothing to compare: give two stages (--from planning --to as-built), two datasets (--dataset-to) or two revisions (--from-rev, --to-rev)")
	}
	o := diff.Options{ToleranceM: c.Float64("tolerance-m"), HeightToleranceM: c.Float64("height-tolerance-m"), MinIoU: c.Float64("min-iou")}
	if o.ToleranceM < 0 || o.HeightToleranceM < 0 || o.MinIoU <= 0 || o.MinIoU > 1 || math.IsNaN(o.ToleranceM+o.HeightToleranceM+o.MinIoU) {
		return usagef("--tolerance-m and --height-tolerance-m want 0 or more, --min-iou a share above 0 and at most 1")
	}
	if v := c.String("class"); v != "" {
		for _, name := range strings.Split(v, ",") {
			cl, err := cim.ParseClass(strings.TrimSpace(name))
			if err != nil {
				return usagef("--class: %v", err)
			}
			o.Classes = append(o.Classes, cl)
		}
	}
	var pack *plan.Pack
	if c.String("site") != "" {
		if pack, err = plan.LoadPack(c.String("rules")); err != nil {
			return argError(c.String("rules"), fmt.Errorf("--rules: %w", err))
		}
	}

	s, err := openStore(c, true)
	if err != nil {
		return err
	}
	defer s.Close()
	fromSn, err := snapshotOf(c, s, "from-rev")
	if err != nil {
		return err
	}
	defer fromSn.Close()
	toSn, err := snapshotOf(c, s, "to-rev")
	if err != nil {
		return err
	}
	defer toSn.Close()
	from := diff.Side{Snapshot: fromSn, Stage: fromStage, Dataset: fromDS}
	to := diff.Side{Snapshot: toSn, Stage: toStage, Dataset: toDS}

	res := diffJSON{}
	var site plan.Site
	if c.String("site") != "" {
		sites, err := resolveSite(c.Context, fromSn, c.String("site"), fromDS, fromStage)
		if err != nil {
			return argError(c.String("site"), fmt.Errorf("--site: %w", err))
		}
		if len(sites) != 1 {
			return usagef("--site %s: %d sites; cim diff compares one", c.String("site"), len(sites))
		}
		site = sites[0]
		o.Site, res.Site = site.Geometry, site.ID
	}
	if res.Result, err = diff.Compare(c.Context, from, to, o); err != nil {
		return err
	}
	if pack != nil {
		if res.Indicators, err = diff.Indicators(c.Context, from, to, site, pack); err != nil {
			return err
		}
		for _, d := range res.Indicators {
			if d.Exceeded {
				res.Exceeded++
			}
		}
	}
	switch out {
	case "json":
		enc := json.NewEncoder(c.App.Writer)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return err
		}
	case "geojson":
		if err := writeDiffGeoJSON(c.App.Writer, res.Result); err != nil {
			return err
		}
	default:
		printDiff(c.App.Writer, res)
	}
	switch {
	case pack != nil && res.Exceeded > 0:
		return cli.Exit("", exitInput)
	case pack == nil && res.Differs():
		return cli.Exit("", exitInput)
	}
	return nil
}

func printDiff(w io.Writer, res diffJSON) {
	fmt.Fprintf(w, "from: %s\nto:   %s\n", res.From, res.To)
	if res.Site != "" {
		fmt.Fprintf(w, "within site %s\n", res.Site)
	}
	fmt.Fprintf(w, "%d added, %d removed, %d changed, %d matched by footprint under another id\n\n",
		res.Counts[diff.Added], res.Counts[diff.Removed], res.Counts[diff.Changed], res.Counts[diff.Matched])
	if len(res.Changes) > 0 {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "CHANGE\tCLASS\tFROM\tTO\tNAME\tWHAT")
		for _, ch := range res.Changes {
			what := strings.Join(ch.What, "; ")
			if ch.Kind == diff.Matched {
				what = fmt.Sprintf("same footprint (IoU %.2f)", ch.IoU)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", ch.Kind, ch.Class, dash(ch.FromID), dash(ch.ToID), dash(ch.Name), dash(what))
		}
		tw.Flush()
	}
	if len(res.Indicators) > 0 {
		fmt.Fprintln(w, "\nIndicators of the site")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "INDICATOR\tFROM\tTO\tCHANGE\tTOLERANCE\t")
		for _, d := range res.Indicators {
			rel := ""
			if d.Relative != nil {
				rel = fmt.Sprintf(" (%+.1f %%)", *d.Relative*100)
			}
			verdict := ""
			switch {
			case d.Tolerance == "":
			case d.Exceeded:
				verdict = "EXCEEDED"
			default:
				verdict = "ok"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s%s\t%s\t%s\n", d.Label, trimNum(d.From), trimNum(d.To), trimNum(d.Change), rel, dash(d.Tolerance), verdict)
		}
		tw.Flush()
		fmt.Fprintf(w, "\n%d tolerances exceeded\n", res.Exceeded)
	}
}

func trimNum(v float64) string {
	s := fmt.Sprintf("%.3f", v)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// diffColours are simplestyle colours, which QGIS and geojson.io read.
var diffColours = map[diff.Kind]string{diff.Added: "#2e8b57", diff.Removed: "#d93a2b", diff.Changed: "#e8a33d", diff.Matched: "#9a9a9a"}

// writeDiffGeoJSON writes the changes as a FeatureCollection: the built
// side's geometry, else the approved one's.
func writeDiffGeoJSON(w io.Writer, res *diff.Result) error {
	fc := geojson.FeatureCollection{Features: []*geojson.Feature{}}
	for _, ch := range res.Changes {
		f := ch.To
		if f == nil {
			f = ch.From
		}
		props := map[string]any{"cim:change": string(ch.Kind), "cim:class": ch.Class.String(),
			"stroke": diffColours[ch.Kind], "fill": diffColours[ch.Kind], "fill-opacity": 0.5}
		if ch.FromID != "" {
			props["from_id"] = ch.FromID
		}
		if ch.ToID != "" {
			props["to_id"] = ch.ToID
		}
		if ch.Name != "" {
			props["name"] = ch.Name
		}
		if len(ch.What) > 0 {
			props["what"] = strings.Join(ch.What, "; ")
		}
		if ch.Match == "footprint" {
			props["iou"] = ch.IoU
		}
		fc.Features = append(fc.Features, &geojson.Feature{ID: firstNonEmpty(ch.ToID, ch.FromID), Geometry: f.Geometry, Properties: props})
	}
	b, err := json.Marshal(&fc)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// compareSite is the "planned vs built" section of a check's HTML report:
// the site at stage to against the stage checked, as cim diff --site
// measures it.
func compareSite(ctx context.Context, sn *index.Snapshot, site plan.Site, dataset string, from, to cim.Stage, pack *plan.Pack) (*plan.Comparison, error) {
	a := diff.Side{Snapshot: sn, Stage: from, Dataset: dataset}
	b := diff.Side{Snapshot: sn, Stage: to, Dataset: dataset}
	o := diff.DefaultOptions
	o.Site = site.Geometry
	res, err := diff.Compare(ctx, a, b, o)
	if err != nil {
		return nil, err
	}
	ds, err := diff.Indicators(ctx, a, b, site, pack)
	if err != nil {
		return nil, err
	}
	cmp := &plan.Comparison{From: a.String(), To: b.String(),
		Counts: fmt.Sprintf("%d added, %d removed, %d changed, %d matched by footprint under another id",
			res.Counts[diff.Added], res.Counts[diff.Removed], res.Counts[diff.Changed], res.Counts[diff.Matched])}
	for _, d := range ds {
		ch := trimNum(d.Change)
		if d.Relative != nil {
			ch += fmt.Sprintf(" (%+.1f %%)", *d.Relative*100)
		}
		cmp.Indicators = append(cmp.Indicators, plan.ComparedIndicator{Label: d.Label, From: trimNum(d.From), To: trimNum(d.To),
			Change: ch, Tolerance: d.Tolerance, Exceeded: d.Exceeded})
		if d.Exceeded {
			cmp.Exceeded++
		}
	}
	for _, ch := range res.Changes {
		what := strings.Join(ch.What, "; ")
		if ch.Kind == diff.Matched {
			what = fmt.Sprintf("same footprint (IoU %.2f)", ch.IoU)
		}
		cmp.Features = append(cmp.Features, plan.ComparedFeature{Kind: string(ch.Kind), Class: ch.Class.String(),
			FromID: ch.FromID, ToID: ch.ToID, Name: ch.Name, What: what})
	}
	return cmp, nil
}
