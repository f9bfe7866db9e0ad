package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/index"
	"github.com/future-community/cim/plan"
	"github.com/future-community/cim/sun"
	"github.com/future-community/cim/sunlight"
)

func sunlightCommand() *cli.Command {
	return &cli.Command{
		Name:      "sunlight",
		Usage:     "check the sunlight hours (日照) of a site's homes on the standard winter day",
		ArgsUsage: " ",
		Description: `Checks the sunlight hours of the residential buildings in a site
(GB 50180-2018 §4.0.9): on the rule's standard day (大寒日 or 冬至日), how
long the Sun reaches each window sill past the buildings around, the
scheme's and the city's, within the longest shadow the band can cast.

Windows are not in the store yet: each residential building's facades are
sampled every --spacing metres, 0.9 m above each checked storey's floor
(the ground floor by default; --level all for every storey). A building is
judged on its walls that could get the minimum with nothing around (a north
wall gets no winter sun whatever stands there); it fails when a sill there
gets less. Buildings with neither a height nor a storey count are left out,
with a warning naming them.

The rule: --rules hangzhou (the default: GB 50180-2018 zone III, cities of
500 000 or more, 大寒日 ≥ 2 h cumulative, 8:00–16:00 true solar time, 15°
sweep angle); --day, --band, --min, --sweep and --continuous change it.
Rule packs do not carry sunlight rules yet.

Output: a table per building (worst ground-floor sill, pass or fail), JSON
(every receiver with its lit periods in true solar and Beijing time), or
GeoJSON points (each receiver with its hours) for QGIS.

Examples:
   cim sunlight --db cim.db --site site
   cim sunlight --db cim.db --site site --stage planning --level all --format json
   cim sunlight --db cim.db --site my-site.geojson --format geojson --out sills.geojson
   cim sunlight --db cim.db --site site --day dongzhi --band 9:00-15:00 --min 1h`,
		Flags: []cli.Flag{
			dbFlag(), asOfFlag(),
			&cli.StringFlag{Name: "site", Usage: "site: a feature id in the store or a GeoJSON file with one polygon"},
			&cli.StringFlag{Name: "dataset", Usage: "dataset of the scheme's buildings (default: the site feature's; all for a site file)"},
			stageFlag("the stage whose view to check (default latest)"),
			&cli.StringFlag{Name: "rules", Value: "hangzhou", Usage: "sunlight rule: hangzhou"},
			&cli.StringFlag{Name: "day", Usage: "standard day: dahan (大寒) or dongzhi (冬至) (default: the rule's)"},
			&cli.StringFlag{Name: "band", Usage: "band of true solar time, H:MM-H:MM (default: the rule's, 8:00-16:00 on 大寒日)"},
			&cli.DurationFlag{Name: "min", Usage: "least sunlight to pass, such as 2h or 90m (default: the rule's)"},
			&cli.Float64Flag{Name: "sweep", Value: -1, Usage: "least angle in degrees between the Sun and the wall (default: the rule's, 15)", DefaultText: "15"},
			&cli.BoolFlag{Name: "continuous", Usage: "count only the longest lit period (连续) instead of all (累计)"},
			&cli.StringFlag{Name: "level", Value: "0", Usage: "storeys checked: N, A..B, or all (0 the ground floor)"},
			&cli.Float64Flag{Name: "spacing", Value: sunlight.DefaultSpacingM, Usage: "metres between sills along a facade"},
			&cli.IntFlag{Name: "year", Usage: "year of the standard day", DefaultText: "this year"},
			&cli.StringFlag{Name: "format", Value: "table", Usage: "output format: table, json, geojson"},
			&cli.StringFlag{Name: "out", Usage: "write the report to this file instead of standard output"},
			&cli.StringFlag{Name: "compare", Usage: "check the neighbours instead: the homes outside the site, before the scheme (a stage, as-built, or a revision or time) against with it (--stage); exit 1 when one is harmed"},
			&cli.Float64Flag{Name: "neighbour-m", Value: sunlight.DefaultNeighbourM, Usage: "how far from the site --compare looks for neighbours"},
		},
		Action: runSunlight,
	}
}

func runSunlight(c *cli.Context) error {
	if c.NArg() > 0 {
		return usagef("sunlight takes no arguments, got %q (the site goes in --site)", c.Args().First())
	}
	if c.String("site") == "" {
		return usagef("no site given: name it with --site (a site or parcel id in the store, or a GeoJSON file)")
	}
	out, err := format(c, "table", "json", "geojson")
	if err != nil {
		return err
	}
	stage, err := parseStage(c)
	if err != nil {
		return err
	}
	rule, err := sunlightRule(c)
	if err != nil {
		return err
	}
	opts := sunlight.Options{SpacingM: c.Float64("spacing"), Year: c.Int("year"),
		Log: func(msg string) { fmt.Fprintf(c.App.ErrWriter, "cim: %s\n", msg) }}
	if s := opts.SpacingM; !(s >= 0.1 && s <= 100) {
		return usagef("--spacing %v: want 0.1–100 metres", s)
	}
	if y := opts.Year; y != 0 && (y < 1900 || y > 2200) {
		return usagef("--year %d: want 1900–2200", y)
	}
	if opts.Levels, err = sunlight.ParseLevels(c.String("level")); err != nil {
		return usagef("--level %q: %v", c.String("level"), err)
	}
	if c.String("compare") != "" {
		if m := c.Float64("neighbour-m"); !(m > 0 && m <= 5000) {
			return usagef("--neighbour-m %v: want 0–5000 metres", m)
		}
		opts.NeighbourM = c.Float64("neighbour-m")
		return runNeighbours(c, out, stage, rule, opts)
	}
	var reps []*sunlight.Report
	var sites []plan.Site
	err = withSnapshot(c, func(_ *index.Store, sn *index.Snapshot) error {
		sites, err = resolveSite(c.Context, sn, c.String("site"), c.String("dataset"), stage)
		if err != nil {
			return argError(c.String("site"), fmt.Errorf("--site: %w", err))
		}
		for _, site := range sites {
			ds := c.String("dataset")
			if ds == "" {
				ds = site.Dataset
			}
			rep, err := sunlight.Analyse(c.Context, sn, site.Geometry, sunlight.Selection{Dataset: ds, Stage: stage}, rule, opts)
			if err != nil { // sunlight.ErrNoData among them: bad input, exit 1
				return fmt.Errorf("site %s: %w", site.ID, err)
			}
			reps = append(reps, rep)
		}
		return nil
	})
	if err != nil {
		return err
	}
	w := c.App.Writer
	var f *os.File
	if path := c.String("out"); path != "" {
		if f, err = os.Create(path); err != nil {
			return usageError{fmt.Errorf("--out: %w", err)}
		}
		defer f.Close()
		w = f
	}
	failed := 0
	for i, rep := range reps {
		for _, msg := range rep.Warnings {
			fmt.Fprintf(c.App.ErrWriter, "cim: site %s: %s\n", sites[i].ID, msg)
		}
		if !rep.Passed {
			failed++
		}
	}
	switch out {
	case "json":
		if len(reps) == 1 {
			err = writeJSON(w, reps[0])
		} else {
			err = writeJSON(w, reps)
		}
	case "geojson":
		err = sunlight.WriteGeoJSON(w, reps)
	default:
		for i, rep := range reps {
			if i > 0 {
				fmt.Fprintf(w, "\n")
			}
			if err = writeSunlightTable(w, sites[i], rep); err != nil {
				break
			}
		}
	}
	if err != nil {
		return err
	}
	if f != nil {
		if err := f.Close(); err != nil {
			return err
		}
		fmt.Fprintf(c.App.ErrWriter, "cim: wrote %s: %d sites, %d fail\n", f.Name(), len(reps), failed)
	}
	if failed > 0 {
		return cli.Exit("", exitInput)
	}
	return nil
}

// sunlightRule is --rules with the flags that change it.
func sunlightRule(c *cli.Context) (sunlight.Rule, error) {
	var r sunlight.Rule
	switch c.String("rules") {
	case "hangzhou":
		r = sunlight.Hangzhou
	default:
		return r, usagef("--rules %q: the sunlight rules are: hangzhou (rule packs do not carry sunlight rules yet)", c.String("rules"))
	}
	switch d := c.String("day"); d {
	case "":
	case "dahan", "大寒", "major-cold":
		r.Day = sun.MajorCold
	case "dongzhi", "冬至", "winter-solstice":
		r.Day = sun.WinterSolstice
	default:
		return r, usagef("--day %q: want dahan (大寒) or dongzhi (冬至)", d)
	}
	if b := c.String("band"); b != "" {
		band, err := parseBand(b)
		if err != nil {
			return r, usagef("--band %q: %v", b, err)
		}
		r.Band = band
	}
	if c.IsSet("min") {
		r.Min = c.Duration("min")
		if r.Min <= 0 || r.Min > r.Band.End-r.Band.Start {
			return r, usagef("--min %v: want more than 0 and at most the band's %v", r.Min, r.Band.End-r.Band.Start)
		}
	}
	if s := c.Float64("sweep"); s != -1 {
		if !(s >= 0 && s < 90) {
			return r, usagef("--sweep %v: want an angle of 0° to under 90° between the Sun and the wall", s)
		}
		r.SweepDeg = s
	}
	if c.Bool("continuous") {
		r.MaxPeriods = 1
		r.Name += ", continuous"
	}
	if err := r.Validate(); err != nil {
		return r, usagef("the sunlight rule: %v", err)
	}
	return r, nil
}

// parseBand reads "H:MM-H:MM" of true solar time.
func parseBand(s string) (sun.Band, error) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return sun.Band{}, errors.New("want H:MM-H:MM, such as 8:00-16:00")
	}
	clock := func(t string) (time.Duration, error) {
		var h, m int
		if n, err := fmt.Sscanf(strings.TrimSpace(t), "%d:%d", &h, &m); err != nil || n != 2 || h < 0 || h > 24 || m < 0 || m > 59 || h == 24 && m > 0 {
			return 0, fmt.Errorf("%q is not a time H:MM from 0:00 to 24:00", t)
		}
		return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute, nil
	}
	from, err := clock(a)
	if err != nil {
		return sun.Band{}, err
	}
	to, err := clock(b)
	if err != nil {
		return sun.Band{}, err
	}
	if to <= from {
		return sun.Band{}, fmt.Errorf("the band ends (%s) before it starts (%s)", b, a)
	}
	return sun.Band{Start: from, End: to}, nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// writeSunlightTable writes one site's buildings, worst first.
func writeSunlightTable(w io.Writer, site plan.Site, rep *sunlight.Report) error {
	title := site.ID
	if site.Name != "" && site.Name != site.ID {
		title += " (" + site.Name + ")"
	}
	fmt.Fprintf(w, "Sunlight: site %s\n", title)
	fmt.Fprintf(w, "Rule: %s\n", rep.Rule)
	fmt.Fprintf(w, "Day: %s, %s–%s true solar time = %s–%s Beijing time; minimum %s\n",
		rep.Day, rep.Band.TrueSolarFrom, rep.Band.TrueSolarTo, rep.Band.BeijingFrom, rep.Band.BeijingTo, hm(rep.MinH))
	if len(rep.Buildings) == 0 {
		fmt.Fprintln(w, "No residential building in the site: nothing to check.")
		return nil
	}
	fmt.Fprintf(w, "Obstructions: %d prisms within %.0f m (%d beyond their reach left out)\n\n", rep.Obstructions, rep.ReachM, rep.Dropped)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "BUILDING\tNAME\tSTOREYS\tSILLS\tWORST\tRESULT\tFAILING FLOORS\tFAILING FACADES")
	pass := 0
	for _, b := range rep.Buildings {
		res := "✗ FAIL"
		if b.Pass {
			res = "✓ PASS"
			pass++
		}
		var floors []string
		for _, l := range b.FailingFloors {
			floors = append(floors, fmt.Sprintf("%dF", l+1))
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d/%d\t%s\t%s\t%s\t%s\n", b.ID, dash(b.Name), b.Levels, b.Checked, b.Receivers,
			hm(b.WorstH), res, dash(strings.Join(floors, " ")), dash(strings.Join(b.FailingFacades, " ")))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	verdict := "PASS"
	if !rep.Passed {
		verdict = "FAIL"
	}
	_, err := fmt.Fprintf(w, "\n%s: %d of %d residential buildings pass (SILLS: checked / all; WORST: the worst checked sill of the lowest storey)\n", verdict, pass, len(rep.Buildings))
	return err
}

// hm writes hours as 2h05m.
func hm(h float64) string {
	m := int(math.Round(h * 60))
	return fmt.Sprintf("%dh%02dm", m/60, m%60)
}

// writeSunlightGeoJSON writes every receiver as a point with its hours.

// runNeighbours is cim sunlight --compare: the homes around the site
// before the scheme and with it (GB 50180-2018 §4.0.9: a new building may
// not lower an existing neighbour's sunlight below its standard).
func runNeighbours(c *cli.Context, out string, stage cim.Stage, rule sunlight.Rule, opts sunlight.Options) error {
	if out == "geojson" {
		return usagef("--compare writes a table or JSON")
	}
	s, err := openStore(c, true)
	if err != nil {
		return err
	}
	defer s.Close()
	after, err := snapshotOf(c, s, "as-of")
	if err != nil {
		return err
	}
	defer after.Close()
	before, beforeStage := after, stage
	v := c.String("compare")
	if st, serr := cim.ParseStage(v); serr == nil {
		beforeStage = st
	} else {
		if before, err = snapshotOf(c, s, "compare"); err != nil {
			return err
		}
		defer before.Close()
	}
	sites, err := resolveSite(c.Context, after, c.String("site"), c.String("dataset"), stage)
	if err != nil {
		return argError(c.String("site"), fmt.Errorf("--site: %w", err))
	}
	var reps []*sunlight.NeighbourReport
	harmed := 0
	for _, site := range sites {
		rep, err := sunlight.Neighbours(c.Context, before, after, site.Geometry,
			sunlight.Selection{Stage: beforeStage}, sunlight.Selection{Stage: stage}, rule, opts)
		if err != nil {
			return fmt.Errorf("site %s: %w", site.ID, err)
		}
		for _, msg := range rep.Warnings {
			fmt.Fprintf(c.App.ErrWriter, "cim: site %s: %s\n", site.ID, msg)
		}
		if !rep.Passed {
			harmed++
		}
		reps = append(reps, rep)
	}
	w := c.App.Writer
	if out == "json" {
		if len(reps) == 1 {
			err = writeJSON(w, reps[0])
		} else {
			err = writeJSON(w, reps)
		}
	} else {
		for i, rep := range reps {
			day := ""
			if rep.Day != "" {
				day = " on " + rep.Day
			}
			fmt.Fprintf(w, "Neighbours of site %s: %s%s; before: %s, after: %s\n", sites[i].ID, rep.Rule, day, v, stageName(stage))
			if len(rep.Buildings) == 0 {
				fmt.Fprintln(w, "No residential building around the site: no neighbour to check.")
				continue
			}
			tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "\tBUILDING\tNAME\tBEFORE H\tAFTER H\tSILLS HARMED")
			for _, b := range rep.Buildings {
				mark := "✓ ok"
				if !b.Pass {
					mark = "✗ HARMED"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%.2f\t%.2f\t%d\n", mark, b.ID, dash(b.Name), b.BeforeH, b.AfterH, b.Harmed)
			}
			tw.Flush()
		}
	}
	if err != nil {
		return err
	}
	if harmed > 0 {
		return cli.Exit("", exitInput)
	}
	return nil
}

func stageName(st cim.Stage) string {
	if st == cim.StageAny {
		return "latest"
	}
	return st.String()
}
