// Command cim builds, queries and checks Community Information Model
// stores: it ingests GIS and BIM files (GeoJSON, OpenStreetMap PBF,
// CityJSON, IMDF, IFC), shows what a store holds, queries it by box,
// floor, class, dataset and stage, checks planning schemes against rule
// packs, and runs the bundled future-community demo.
//
// Exit status: 0 success, 1 bad input or a failed check, 2 usage error.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/urfave/cli/v2"
)

// Exit codes.
const (
	exitOK    = 0
	exitInput = 1
	exitUsage = 2
)

// usageError marks an error in how cim was called.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

func main() {
	// The first Ctrl-C cancels the work (an ingest is undone, the store
	// left as it was); a second one kills the process, and the next open
	// of the store finishes the undo.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	go func() {
		<-ctx.Done()
		stop()
	}()
	code := run(ctx, os.Args, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run runs the command line args and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	app := newApp(stdout, stderr)
	for _, c := range app.Commands {
		c.OnUsageError = app.OnUsageError
	}
	var unknown string
	app.CommandNotFound = func(_ *cli.Context, name string) { unknown = name }
	err := app.RunContext(ctx, args)
	if unknown != "" {
		err = usagef("unknown command %q", unknown)
	}
	if err == nil {
		return exitOK
	}
	var ue usageError
	var ee cli.ExitCoder
	switch {
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "cim: %v\n", err)
		fmt.Fprintln(stderr, "Run 'cim help' or 'cim COMMAND --help' for usage.")
		return exitUsage
	case errors.As(err, &ee):
		if msg := err.Error(); msg != "" {
			fmt.Fprintf(stderr, "cim: %s\n", msg)
		}
		return ee.ExitCode()
	}
	fmt.Fprintf(stderr, "cim: %v\n", err)
	return exitInput
}

func newApp(stdout, stderr io.Writer) *cli.App {
	return &cli.App{
		Name:  "cim",
		Usage: "a floor-aware Community Information Model store for future-community planning",
		Description: `cim keeps a community's planning, design, construction and as-built models
in one store on disk, with a spatial and floor index. It ingests GeoJSON
(and GeoJSONSeq), OpenStreetMap PBF extracts, CityJSON 1.0–2.0, IMDF indoor
maps and IFC 2x3/4/4.3 models (storeys and spaces as floors); answers
queries by box, floor, class, dataset and stage; and checks a scheme's
planning indicators (FAR 容积率, building density 建筑密度, green ratio
绿地率, 3D green, TOD density, the walk to transit, living circles)
against rule packs, with exit codes for scripts and CI.

Floors are numbered from 0, the ground floor (China's 1层); -1 is the first
basement (B1). cim query --floor takes the Chinese numbering: 1F, 2F, B1.

Start with the bundled sample:

   cim demo

Then build a store of your own:

   cim ingest --db city.db zoning.geojson monaco.osm.pbf model.ifc
   cim info --db city.db
   cim query --db city.db --bbox 120.20,30.25,120.22,30.26 --level 2 --format geojson
   cim check --db city.db --site site.geojson --rules zj-future-community

Exit status: 0 success, 1 bad input or a failed check, 2 usage error.`,
		Version:              readBuildInfo().String(),
		Writer:               stdout,
		ErrWriter:            stderr,
		EnableBashCompletion: true,
		OnUsageError: func(_ *cli.Context, err error, _ bool) error {
			return usageError{err}
		},
		Commands: []*cli.Command{
			ingestCommand(),
			infoCommand(),
			queryCommand(),
			checkCommand(),
			rulesCommand(),
			compactCommand(),
			demoCommand(),
			versionCommand(),
		},
		ExitErrHandler: func(*cli.Context, error) {}, // run() reports errors
	}
}
