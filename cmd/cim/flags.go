package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/index"
	"github.com/urfave/cli/v2"
)

const defaultDB = "cim.db"

func dbFlag() *cli.StringFlag {
	return &cli.StringFlag{
		Name: "db", Value: defaultDB, EnvVars: []string{"CIM_DB"},
		Usage: "store directory (created by ingest if missing)",
	}
}

func formatFlag(choices ...string) *cli.StringFlag {
	return &cli.StringFlag{
		Name: "format", Value: choices[0],
		Usage: "output format: " + strings.Join(choices, ", "),
	}
}

// format returns the --format value, checked against the choices.
func format(c *cli.Context, choices ...string) (string, error) {
	f := c.String("format")
	if !slices.Contains(choices, f) {
		return "", usagef("--format %q: want one of %s", f, strings.Join(choices, ", "))
	}
	return f, nil
}

func stageFlag(usage string) *cli.StringFlag {
	return &cli.StringFlag{Name: "stage", Usage: usage + " (planning, design, construction, as-built)"}
}

func parseStage(c *cli.Context) (cim.Stage, error) {
	s := c.String("stage")
	if s == "" || s == "any" {
		return cim.StageAny, nil
	}
	st, err := cim.ParseStage(s)
	if err != nil {
		return 0, usageError{fmt.Errorf("--stage: %w", err)}
	}
	return st, nil
}

// openStore opens the --db store; read-only stores must exist.
func openStore(c *cli.Context, readOnly bool) (*index.Store, error) {
	dir := c.String("db")
	s, err := index.Open(dir, &index.Options{ReadOnly: readOnly})
	if err != nil && readOnly {
		return nil, fmt.Errorf("%w (is --db %s right? create a store with cim ingest)", err, dir)
	}
	return s, err
}
