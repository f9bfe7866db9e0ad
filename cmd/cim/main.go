// Command cim builds and queries Community Information Model stores:
// ingest GIS and BIM files, inspect what a store holds, query it by box,
// floor, class and stage, and run the bundled future-community demo.
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
		Description: `cim ingests GIS and BIM data (GeoJSON today; OSM PBF, IFC, CityJSON to come)
into a store with a spatial and floor index, and answers queries by box,
floor, class, dataset and stage.

Start with the bundled sample:

   cim demo

Then build a store of your own:

   cim ingest --db city.db zoning.geojson
   cim info --db city.db
   cim query --db city.db --bbox 120.20,30.25,120.22,30.26 --level 2 --format geojson`,
		Writer:               stdout,
		ErrWriter:            stderr,
		HideVersion:          true,
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
		},
		ExitErrHandler: func(*cli.Context, error) {}, // run() reports errors
	}
}
