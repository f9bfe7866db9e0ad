package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/urfave/cli/v2"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/index"
	"github.com/future-community/cim/ingest/geojson"
	"github.com/future-community/cim/plan"
	"github.com/future-community/cim/sunlight"
)

func checkCommand() *cli.Command {
	return &cli.Command{
		Name:      "check",
		Usage:     "check a site against a rule pack: FAR, density, green, TOD, living circles",
		ArgsUsage: " ",
		Description: `Measures the planning indicators of a site from the store (FAR, building
density, green ratio and 3D green, heights, TOD ring FAR around each station,
the walk to transit, living-circle coverage) for the site and each parcel in
it, and checks them against a rule pack.

The site is a feature id in the store (a site or parcel feature, whose
properties carry the controls such as far_max) or a GeoJSON file with one
polygon, or several features marked "cim:class": "site" (each is checked;
JSON output is then an array of reports).

Buildings, storeys, green and parcels come from --dataset (by default the
site feature's dataset); stations, facilities and roads from every dataset,
so an OSM extract of the city around counts as context. --stage says whose
view to read: at as-built what exists; at an earlier stage the scheme as it
stands then, in the city around it; without it, each dataset at its latest
stage (the README's "Stages" section has the rules).

Floors are counted from 0, the ground floor (China's 1层); -1 is the first
basement (B1).

Examples:
   cim check --db cim.db --site site --rules zj-future-community
   cim check --db cim.db --site site --stage planning --rules gb50180-2018 --format json
   cim check --db city.db --site my-site.geojson --rules my-pack.yaml --out report.json
   cim check --db cim.db --site site --out report.html   (a page to mail: map, results, TOD rings)
   cim check --db cim.db --site site --stage planning --compare as-built --out report.html
                                                           (with "planned vs built", as cim diff --site)`,
		Flags: []cli.Flag{
			dbFlag(), asOfFlag(),
			&cli.StringFlag{Name: "site", Usage: "site: a feature id in the store (\"site\", \"p-01\", \"osm:r123\") or a GeoJSON file"},
			&cli.StringFlag{Name: "dataset", Usage: "dataset of the scheme's buildings, green and parcels (default: the site feature's; all for a site file)"},
			stageFlag("the stage whose view to check (default latest: each dataset at its latest stage; see README, Stages)"),
			&cli.StringFlag{Name: "rules", Value: "zj-future-community", Usage: "rule pack: a built-in name (cim rules list) or a YAML file"},
			&cli.IntFlag{Name: "jobs", Usage: "sites checked at once", DefaultText: "one per CPU"},
			&cli.StringFlag{Name: "format", Usage: "output format: table, json, html (default: by the --out extension, else table)"},
			&cli.StringFlag{Name: "out", Usage: "write the report to this file instead of standard output (html needs one; with several sites, one file each: FILE-<site>.html)"},
			&cli.StringFlag{Name: "compare", Usage: "add to the HTML report a \"planned vs built\" section: the site at this stage (as-built) against the one checked, with the pack's tolerances (as cim diff --site)"},
		},
		Action: runCheck,
	}
}

func runCheck(c *cli.Context) error {
	if c.NArg() > 0 {
		return usagef("check takes no arguments, got %q (the site goes in --site)", c.Args().First())
	}
	if c.String("site") == "" {
		return usagef("no site given: name it with --site (a site or parcel id in the store, or a GeoJSON file)")
	}
	out, err := checkFormat(c)
	if err != nil {
		return err
	}
	stage, err := parseStage(c)
	if err != nil {
		return err
	}
	pack, err := plan.LoadPack(c.String("rules"))
	if err != nil {
		return argError(c.String("rules"), fmt.Errorf("--rules: %w", err))
	}
	compareTo := cim.StageAny
	if v := c.String("compare"); v != "" {
		if out != "html" {
			return usagef("--compare adds a section to the HTML report: give --out FILE.html")
		}
		if compareTo, err = cim.ParseStage(v); err != nil {
			return usagef("--compare: %v", err)
		}
	}
	var reps []*plan.Report
	var comps []*plan.Comparison
	var suns []*plan.SunlightMap
	checked := time.Now()
	err = withSnapshot(c, func(_ *index.Store, sn *index.Snapshot) error {
		sites, err := resolveSite(c.Context, sn, c.String("site"), c.String("dataset"), stage)
		if err != nil {
			return argError(c.String("site"), fmt.Errorf("--site: %w", err))
		}
		dataset := c.String("dataset")
		sel := func(site plan.Site) plan.Selection {
			ds := dataset
			if ds == "" {
				ds = site.Dataset
			}
			return plan.Selection{Dataset: ds, Stage: stage}
		}
		if reps, err = plan.CheckSites(c.Context, sn, sites, sel, pack, c.Int("jobs")); err != nil {
			return err
		}
		// The pack's sunlight rules (日照), which package sunlight checks,
		// and for an HTML report the first rule's sills on its map.
		for i, rep := range reps {
			as, err := sunlight.CheckPack(c.Context, sn, rep, sel(sites[i]), pack)
			if err != nil {
				return err
			}
			if out == "html" {
				var sm *plan.SunlightMap
				if len(as) > 0 {
					sm = sunlightMap(pack.Sunlight[0], as[0])
				}
				suns = append(suns, sm)
			}
		}
		if c.String("compare") == "" {
			return nil
		}
		for _, site := range sites {
			cmp, err := compareSite(c.Context, sn, site, sel(site).Dataset, stage, compareTo, pack)
			if err != nil {
				return err
			}
			comps = append(comps, cmp)
		}
		return nil
	})
	if err != nil {
		return err
	}
	passed, failed := 0, 0
	for _, rep := range reps {
		if rep.Passed {
			passed++
		} else {
			failed++
		}
	}
	if out == "html" {
		if err := writeHTMLReports(c, reps, checked, comps, suns); err != nil {
			return err
		}
	} else if err := writeReports(c, out, reps, passed, failed); err != nil {
		return err
	}
	if failed > 0 {
		return cli.Exit("", exitInput)
	}
	return nil
}

// checkFormat returns --format, or the format --out's extension names.
func checkFormat(c *cli.Context) (string, error) {
	f := c.String("format")
	if f == "" {
		switch strings.ToLower(filepath.Ext(c.String("out"))) {
		case ".json", ".geojson":
			f = "json"
		case ".html", ".htm":
			f = "html"
		default:
			f = "table"
		}
	}
	switch f {
	case "table", "json":
	case "html":
		if c.String("out") == "" {
			return "", usagef("--format html writes a file: give it with --out report.html")
		}
	default:
		return "", usagef("--format %q: want one of table, json, html", f)
	}
	return f, nil
}

// writeReports writes the table or JSON reports to --out or standard output.
func writeReports(c *cli.Context, out string, reps []*plan.Report, passed, failed int) error {
	w := c.App.Writer
	var f *os.File
	if path := c.String("out"); path != "" {
		var err error
		if f, err = os.Create(path); err != nil {
			return usageError{fmt.Errorf("--out: %w", err)}
		}
		defer f.Close()
		w = f
	}
	var err error
	switch {
	case out == "json" && len(reps) == 1:
		err = plan.WriteJSON(w, reps[0])
	case out == "json":
		err = plan.WriteJSONArray(w, reps)
	default:
		for i, rep := range reps {
			if i > 0 {
				fmt.Fprintf(w, "\n%s\n\n", strings.Repeat("─", 72))
			}
			if err = plan.WriteTable(w, rep); err != nil {
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
		fmt.Fprintf(c.App.ErrWriter, "cim: wrote %s: %d sites checked, %d pass, %d fail\n", f.Name(), len(reps), passed, failed)
	}
	return nil
}

// writeHTMLReports writes one page per site: --out itself for one site,
// else --out with "-<site id>" before its extension. Each page carries
// the check time, cim's version and the store revision.
func writeHTMLReports(c *cli.Context, reps []*plan.Report, checked time.Time, comps []*plan.Comparison, suns []*plan.SunlightMap) error {
	opts := plan.HTMLOptions{Checked: checked}
	b := readBuildInfo()
	opts.Version, opts.VCSRevision = b.Module, b.Rev()
	path := c.String("out")
	used := map[string]bool{}
	for i, rep := range reps {
		opts.Compare, opts.Sunlight = nil, nil
		if i < len(comps) {
			opts.Compare = comps[i]
		}
		if i < len(suns) {
			opts.Sunlight = suns[i]
		}
		p := path
		if len(reps) > 1 {
			// One page per site; ids that make the same file name (p:1,
			// p/1) or repeat get -2, -3… rather than overwrite a page.
			ext := filepath.Ext(path)
			base := strings.TrimSuffix(path, ext) + "-" + fileSafe(rep.Site.ID)
			p = base + ext
			for n := 2; used[p]; n++ {
				p = fmt.Sprintf("%s-%d%s", base, n, ext)
			}
			used[p] = true
		}
		f, err := os.Create(p)
		if err != nil {
			return usageError{fmt.Errorf("--out: %w", err)}
		}
		err = plan.WriteHTML(f, rep, opts)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		fmt.Fprintf(c.App.ErrWriter, "cim: wrote %s: site %s %s\n", p, rep.Site.ID, rep.Verdict())
	}
	return nil
}

// fileSafe keeps letters, digits, '-', '_' and '.' of an id for a file name.
func fileSafe(id string) string {
	b := []rune(id)
	for i, r := range b {
		if !(r == '-' || r == '_' || r == '.' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b[i] = '_'
		}
	}
	return string(b)
}

// resolveSite finds the sites: those drawn in a GeoJSON file, or a feature
// in the store by its id or its id within a GeoJSON dataset ("site" for
// "geojson:<dataset>:site").
func resolveSite(ctx context.Context, sn *index.Snapshot, arg, dataset string, stage cim.Stage) ([]plan.Site, error) {
	if st, err := os.Stat(arg); err == nil && !st.IsDir() {
		return sitesFromFile(arg)
	}
	if strings.HasSuffix(arg, ".geojson") || strings.HasSuffix(arg, ".json") {
		return nil, fmt.Errorf("no file %s", arg)
	}
	s, err := plan.FindSite(ctx, sn, arg, dataset, stage)
	if err != nil {
		return nil, err
	}
	return []plan.Site{s}, nil
}

// sitesFromFile reads the sites drawn in a GeoJSON file: its one polygon,
// or every feature with "cim:class": "site".
func sitesFromFile(path string) ([]plan.Site, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := geojson.NewReader(f, geojson.Options{Dataset: "site", Name: path})
	if err != nil {
		return nil, err
	}
	var fs []*cim.Feature
	for {
		feat, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		fs = append(fs, feat)
	}
	sites, err := plan.SitesIn(fs, strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return sites, nil
}

func rulesCommand() *cli.Command {
	return &cli.Command{
		Name:  "rules",
		Usage: "list and show the built-in rule packs",
		Description: `Rule packs are YAML files of rules (indicator, op, limit, scope, severity,
reference) and the params that define the indicators. Copy a built-in pack
to start your own: cim rules show gb50180-2018 > my-pack.yaml

Examples:
   cim rules list
   cim rules show zj-future-community
   cim rules show my-pack.yaml   (checks a pack file and prints its rules)`,
		Subcommands: []*cli.Command{
			{
				Name:  "list",
				Usage: "list the built-in packs",
				Action: func(c *cli.Context) error {
					tw := tabwriter.NewWriter(c.App.Writer, 0, 0, 2, ' ', 0)
					fmt.Fprintln(tw, "PACK\tRULES\tTITLE")
					for _, n := range plan.BuiltinPacks() {
						p, err := plan.LoadPack(n)
						if err != nil {
							return err
						}
						fmt.Fprintf(tw, "%s\t%d\t%s\n", p.Name, len(p.Rules), p.Title)
					}
					return tw.Flush()
				},
			},
			{
				Name:      "show",
				Usage:     "print a built-in pack's YAML, or check a pack file and list its rules",
				ArgsUsage: "NAME|FILE.yaml",
				Action: func(c *cli.Context) error {
					if c.NArg() != 1 {
						return usagef("rules show takes one pack name or file")
					}
					arg := c.Args().First()
					p, err := plan.LoadPack(arg)
					if err != nil {
						return argError(arg, err)
					}
					if p.Source == "built-in" {
						b, _ := plan.BuiltinSource(arg)
						_, err := c.App.Writer.Write(b)
						return err
					}
					tw := tabwriter.NewWriter(c.App.Writer, 0, 0, 2, ' ', 0)
					fmt.Fprintf(tw, "%s (%s): %d rules, valid\n", p.Name, p.Source, len(p.Rules))
					fmt.Fprintln(tw, "RULE\tSCOPE\tINDICATOR\tOP\tLIMIT\tSEVERITY\tREFERENCE")
					for _, r := range p.Rules {
						fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Scope, r.Indicator, r.Op, r.Limit, r.Severity, r.Reference)
					}
					return tw.Flush()
				},
			},
		},
	}
}

// argError classes an error about an argument that names a pack or a
// site: bad input (exit 1) when the argument is a file that is there but
// does not read, a usage error (exit 2) when it names nothing.
func argError(arg string, err error) error {
	if st, serr := os.Stat(arg); serr == nil && !st.IsDir() {
		return err
	}
	return usageError{err}
}

// sunlightMap is what the HTML report's map shows of a sunlight rule's
// analysis: every checked sill with its hours; nil when there is none.
func sunlightMap(pr plan.SunlightRule, a *sunlight.Report) *plan.SunlightMap {
	if a == nil {
		return nil
	}
	sm := &plan.SunlightMap{Rule: pr.ID, MinH: pr.MinHours}
	for _, r := range a.Receivers {
		if r.Checked {
			sm.Sills = append(sm.Sills, plan.Sill{Lon: r.Lon, Lat: r.Lat, Hours: r.Hours, Pass: r.Pass, Building: r.Building})
		}
	}
	if len(sm.Sills) == 0 {
		return nil
	}
	return sm
}
