package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/index"
	"github.com/future-community/cim/plan"
	"github.com/future-community/cim/query"
	"github.com/future-community/cim/samples"
	"github.com/future-community/cim/sunlight"
	"github.com/urfave/cli/v2"
)

func demoCommand() *cli.Command {
	return &cli.Command{
		Name:  "demo",
		Usage: "load the bundled future-community sample and show what it holds",
		Description: `Builds a store from the sample scheme bundled with cim (a pilot community
around a metro station in Hangzhou: site and parcels, 30+ buildings, storeys
with a basement, green roofs, the station, bus stops and roads), then prints
its datasets, classes and floors, runs a floor query and checks the site
against the zj-future-community rule pack.

Without --db the store lives in a temporary directory that is removed
afterwards; with --db it is kept, for you to query:

   cim demo --db demo.db
   cim query --db demo.db --level 1 --stage design

With --serve it then serves the sample (as cim serve does) and prints the
viewer's URL; Ctrl-C stops it:

   cim demo --serve`,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "db", Usage: "keep the store in this directory"},
			&cli.BoolFlag{Name: "serve", Usage: "serve the sample afterwards: the viewer, tiles and API (see cim serve)"},
		}, serveFlags()...),
		Action: runDemo,
	}
}

func runDemo(c *cli.Context) error {
	if c.Bool("serve") {
		if err := checkServeFlags(c); err != nil {
			return err
		}
	}
	w := c.App.Writer
	dir := c.String("db")
	if dir == "" {
		tmp, err := os.MkdirTemp("", "cim-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	s, err := index.Open(dir, nil)
	if err != nil {
		return err
	}
	defer s.Close()

	// All sample files in one batch, replacing an earlier load.
	b, err := s.Begin()
	if err != nil {
		return err
	}
	if err := samples.Load(b); err != nil {
		return errors.Join(err, b.Abort())
	}
	rev, err := b.Commit()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Loaded %d features of the sample scheme from %d files into %s.\n\n", b.Stats().Put, len(samples.Names()), dir)

	sn, err := s.Snapshot()
	if err != nil {
		return err
	}
	defer sn.Close()
	sums, err := sn.Summary(c.Context)
	if err != nil {
		return err
	}
	h, err := historyOf(c.Context, s, sn)
	if err != nil {
		return err
	}
	printInfo(w, dir, rev, h, sums)

	fmt.Fprintln(w, "\nStoreys and rooms on floor 1 (China's 2层) in the design stage (cim query --level 1 --stage design --class storey,space):")
	one := cim.Level(1)
	if err := printQuery(c, sn, query.Query{Levels: &one, Stage: cim.StageDesign, Classes: []cim.Class{cim.ClassStorey, cim.ClassSpace}}, "table"); err != nil {
		return err
	}

	fmt.Fprintln(w, "\nThe planning check of the site (cim check --site site --rules zj-future-community):")
	fmt.Fprintln(w)
	pack, err := plan.LoadPack("zj-future-community")
	if err != nil {
		return err
	}
	site, err := plan.FindSite(c.Context, sn, "site", samples.Dataset, cim.StageAny)
	if err != nil {
		return fmt.Errorf("the sample's site: %w", err)
	}
	sel := plan.Selection{Dataset: samples.Dataset}
	rep, err := plan.Check(c.Context, sn, site, sel, pack)
	if err != nil {
		return err
	}
	if err := sunlight.CheckRules(c.Context, sn, rep, sel, pack); err != nil { // as cim check does
		return err
	}
	if err := plan.WriteTable(w, rep); err != nil {
		return err
	}
	if c.Bool("serve") {
		sn.Close()
		fmt.Fprintln(w)
		return serveStore(c, s, c.String("addr"), c.Int("cache-mb"))
	}
	if c.String("db") != "" {
		fmt.Fprintf(w, "\nThe store is kept in %s. Try:\n   cim info --db %s\n   cim query --db %s --class transit_stop\n   cim check --db %s --site site --stage planning --rules gb50180-2018\n", dir, dir, dir, dir)
	}
	return nil
}
