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
	"strings"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"
)

// Exit codes, the same for every command; exitHelp says them in each
// command's help, and the README once.
const (
	exitOK    = 0 // done; for cim check, every rule of severity error passed
	exitInput = 1 // a check failed, or an input file is bad
	exitUsage = 2 // how cim was called: an unknown flag, a bad value, a missing argument
	exitEnv   = 3 // the store or the system: no store at --db, a store in use, a full disk
)

const exitHelp = `Exit status: 0 success; 1 a check failed (a rule of severity error) or an
input file is bad; 2 a usage error (nothing was written); 3 the store or the
system (no store at --db, a store in use by another process, a full disk).`

// usageError marks an error in how cim was called.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// envError marks an error of the store or the system rather than of the
// input or the call.
type envError struct{ err error }

func (e envError) Error() string { return e.err.Error() }
func (e envError) Unwrap() error { return e.err }

func main() {
	ctx, stop := signalContext()
	code := run(ctx, os.Args, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// signalContext is cancelled by the first Ctrl-C or SIGTERM, which
// cancels the work (an ingest is undone, the store left as it was; a
// server finishes its requests and closes the store). A second signal a
// second or more later kills the process (cim recover, or the next write,
// finishes the undo); one sooner is the same stop delivered twice, as
// timeout(1) does, signalling its child and then its process group.
func signalContext() (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan os.Signal, 4)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		if _, ok := <-ch; !ok {
			return
		}
		first := time.Now()
		cancel()
		for sig := range ch {
			if time.Since(first) < sameStop {
				continue
			}
			signal.Reset(sig)
			killSelf(sig)
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		cancel()
	}
}

// sameStop is how soon after the first a signal counts as the same stop.
const sameStop = time.Second

// run runs the command line args and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	app := newApp(stdout, stderr)
	for _, c := range app.Commands {
		c.OnUsageError = app.OnUsageError
		c.Description = strings.TrimSpace(c.Description + "\n\n" + exitHelp)
	}
	args = flagsFirst(app, args)
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
	var env envError
	var ee cli.ExitCoder
	switch {
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "cim: %v\n", err)
		fmt.Fprintln(stderr, "Run 'cim help' or 'cim COMMAND --help' for usage.")
		return exitUsage
	case errors.As(err, &env) || errors.Is(err, syscall.ENOSPC):
		fmt.Fprintf(stderr, "cim: %v\n", err)
		return exitEnv
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

` + exitHelp,
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
			logCommand(),
			diffCommand(),
			queryCommand(),
			checkCommand(),
			sunlightCommand(),
			rulesCommand(),
			compactCommand(),
			recoverCommand(),
			serveCommand(),
			tilesCommand(),
			demoCommand(),
			versionCommand(),
		},
		ExitErrHandler: func(*cli.Context, error) {}, // run() reports errors
	}
}

// flagsFirst moves the flags that follow a command's arguments in front of
// them, so that "cim ingest a.geojson --db city.db" means what it says
// (urfave/cli stops reading flags at the first argument). Everything after
// "--" stays an argument.
func flagsFirst(app *cli.App, args []string) []string {
	if len(args) < 3 {
		return args
	}
	cmd := app.Command(args[1])
	if cmd == nil || len(cmd.Subcommands) > 0 {
		return args
	}
	takesValue := map[string]bool{}
	for _, f := range cmd.Flags {
		_, isBool := f.(*cli.BoolFlag)
		for _, n := range f.Names() {
			takesValue[n] = !isBool
		}
	}
	var flags, pos []string
	rest := args[2:]
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		if a == "--" {
			pos = append(pos, rest[i:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			pos = append(pos, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimLeft(a, "-")
		if !strings.Contains(name, "=") && takesValue[name] && i+1 < len(rest) {
			i++
			flags = append(flags, rest[i])
		}
	}
	out := append(append([]string{args[0], args[1]}, flags...), pos...)
	return out
}
