package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/urfave/cli/v2"
)

// buildInfo is what the binary knows of its own build.
type buildInfo struct {
	Module   string // the module version, "(devel)" for a build from a checkout
	Revision string // the VCS revision, "" when not built from a checkout
	Time     string // the revision's commit time
	Modified bool   // the checkout had uncommitted changes
	Go       string
}

func readBuildInfo() buildInfo {
	b := buildInfo{Module: "(unknown)", Go: runtime.Version()}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return b
	}
	b.Module = bi.Main.Version
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Revision = s.Value
		case "vcs.time":
			b.Time = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	return b
}

// String is the version in one line: "(devel) 5f2ecfb1c2d3 (2026-12-07T21:10:00Z, modified) go1.26.8".
func (b buildInfo) String() string {
	s := b.Module
	if b.Revision != "" {
		rev := b.Revision
		if len(rev) > 12 {
			rev = rev[:12]
		}
		s += " " + rev
		switch {
		case b.Time != "" && b.Modified:
			s += " (" + b.Time + ", modified)"
		case b.Time != "":
			s += " (" + b.Time + ")"
		case b.Modified:
			s += " (modified)"
		}
	}
	return s + " " + b.Go
}

// Rev is the revision for a report: shortened, "+dirty" when the
// checkout had changes; "" when the binary does not say.
func (b buildInfo) Rev() string {
	rev := b.Revision
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if b.Modified && rev != "" {
		rev += "+dirty"
	}
	return rev
}

func versionCommand() *cli.Command {
	return &cli.Command{
		Name:      "version",
		Usage:     "print cim's version: module version, VCS revision, Go version",
		ArgsUsage: " ",
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usagef("version takes no arguments")
			}
			_, err := fmt.Fprintln(c.App.Writer, "cim", readBuildInfo())
			return err
		},
	}
}
