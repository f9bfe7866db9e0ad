package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/index"
	"github.com/urfave/cli/v2"
)

func dbFlag() *cli.StringFlag {
	return &cli.StringFlag{
		Name: "db", EnvVars: []string{"CIM_DB"},
		Usage: "the store: a directory (cim ingest creates it; there is no default store)",
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
	if s == "" || s == "any" || s == "latest" {
		return cim.StageAny, nil
	}
	st, err := cim.ParseStage(s)
	if err != nil {
		return 0, usageError{fmt.Errorf("--stage: %w", err)}
	}
	return st, nil
}

// openStore opens the --db store. Commands that only read open it
// read-only, so that several can run at once, and never change it: a
// store that a crashed ingest left mid-write is refused with a pointer to
// cim recover. Commands that write recover such a store first, saying so
// on stderr.
func openStore(c *cli.Context, readOnly bool) (*index.Store, error) {
	dir, err := storeDir(c, !readOnly)
	if err != nil {
		return nil, err
	}
	return openStoreAt(c, dir, &index.Options{ReadOnly: readOnly})
}

// openStoreAt opens the store in dir, a checked --db, with opts and the
// recovery log, turning the store's errors into the CLI's.
func openStoreAt(c *cli.Context, dir string, opts *index.Options) (*index.Store, error) {
	opts.Recovering = newRecoveryLog(c.App.ErrWriter, dir)
	s, err := index.Open(dir, opts)
	switch {
	case err == nil:
		return s, nil
	case isLocked(err):
		return nil, inUse(dir)
	case errors.Is(err, index.ErrInterrupted):
		return nil, envError{fmt.Errorf("the store %s was left mid-write by a crash or a kill, and a read does not change a store: run `cim recover --db %s` to undo that write (the store then holds what it last committed), then try again", dir, dir)}
	}
	return nil, envError{fmt.Errorf("store %s: %w", dir, err)}
}

// storeDir returns the --db directory after checking it: named (there is
// no default store, so that data never lands where the user did not say),
// and either a store, or, when create is set, absent or empty.
func storeDir(c *cli.Context, create bool) (string, error) {
	dir := c.String("db")
	if dir == "" {
		return "", usagef("no store given: name it with --db DIR (or the CIM_DB variable)")
	}
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist) && create:
		return dir, nil
	case errors.Is(err, fs.ErrNotExist):
		return "", envError{fmt.Errorf("no store at %s (is --db right? cim ingest creates one)", dir)}
	case err != nil:
		return "", envError{fmt.Errorf("store %s: %w", dir, err)}
	}
	// The lock file alone is left by an open that failed before Badger
	// made the store: the directory is as good as empty.
	entries = slices.DeleteFunc(entries, func(e fs.DirEntry) bool { return e.Name() == "cim.lock" })
	if len(entries) == 0 && create {
		return dir, nil
	}
	for _, e := range entries {
		if e.Name() == "MANIFEST" {
			return dir, nil
		}
	}
	if len(entries) == 0 {
		return "", envError{fmt.Errorf("no store at %s: the directory is empty (is --db right? cim ingest creates one)", dir)}
	}
	hint := "give a new or empty directory to create one"
	if !create {
		hint = "is --db right?"
	}
	return "", envError{fmt.Errorf("%s is not a cim store (a directory of %d entries, none a store's MANIFEST): %s", dir, len(entries), hint)}
}

// inUse says that the store is locked by another process, naming it
// when the store's LOCK file does (Badger writes the writer's pid there),
// and, when it is a cim serve, where it serves and how to ingest through
// it.
func inUse(dir string) error {
	if si, ok := readServeInfo(dir); ok {
		return envError{fmt.Errorf("the store %s is held by cim serve (pid %d) at %s: while it runs, load files through it with `cim ingest --server %s FILE...` (its write token in CIM_TOKEN), or stop it first", dir, si.PID, si.URL, si.URL)}
	}
	who := "another process"
	if b, err := os.ReadFile(filepath.Join(dir, "LOCK")); err == nil {
		// Only a writer writes its pid there, and a killed one leaves it:
		// name it only while that process lives.
		if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && pid > 0 && processAlive(pid) {
			who = fmt.Sprintf("another process (pid %d)", pid)
		}
	}
	return envError{fmt.Errorf("the store %s is in use by %s: one writer at a time, or several readers while none writes", dir, who)}
}

// processAlive reports that process pid runs (where /proc tells).
func processAlive(pid int) bool {
	_, err := os.Stat(fmt.Sprintf("/proc/%d", pid))
	return err == nil
}

// isLocked reports that another process has the store: the store's own
// lock, or Badger's directory lock.
func isLocked(err error) bool {
	return errors.Is(err, index.ErrLocked) || err != nil && strings.Contains(err.Error(), "Cannot acquire directory lock")
}

// withSnapshot opens the --db store read-only, takes a snapshot, and calls
// fn with it.
func withSnapshot(c *cli.Context, fn func(*index.Store, *index.Snapshot) error) error {
	s, err := openStore(c, true)
	if err != nil {
		return err
	}
	defer s.Close()
	sn, err := snapshotAsOf(c, s)
	if err != nil {
		return err
	}
	defer sn.Close()
	return fn(s, sn)
}

func asOfFlag() *cli.StringFlag {
	return &cli.StringFlag{Name: "as-of", Usage: "read the store as it was at a revision (cim log lists them) or at a time (2026-12-01, 2026-12-01T08:00:00+08:00); the store keeps 30 days of history unless told otherwise (cim compact --keep-history)"}
}

// snapshotAsOf takes a snapshot of s at --as-of, if the command has the
// flag and it is set, else at the head.
func snapshotAsOf(c *cli.Context, s *index.Store) (*index.Snapshot, error) {
	if !slices.Contains(c.FlagNames(), "as-of") {
		return s.Snapshot()
	}
	return snapshotOf(c, s, "as-of")
}

// snapshotOf takes a snapshot of s as the flag says: a revision, a time,
// or "" for the head.
func snapshotOf(c *cli.Context, s *index.Store, flag string) (*index.Snapshot, error) {
	v := strings.TrimSpace(c.String(flag))
	if v == "" {
		return s.Snapshot()
	}
	rev, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		t, terr := parseTime(v)
		if terr != nil {
			return nil, usagef("--%s %q: want a revision (a number, as cim log lists them) or a time (2026-12-01, 2026-12-01T08:00:00+08:00)", flag, v)
		}
		if rev, err = s.RevisionAt(c.Context, t); err != nil {
			return nil, usagef("--%s %s: %v", flag, v, err)
		}
	}
	sn, err := s.SnapshotAt(rev)
	if err != nil {
		return nil, usagef("--%s %s: %v", flag, v, err)
	}
	return sn, nil
}

// parseTime reads a time as RFC 3339, or a date or date and minute in
// the machine's time zone.
func parseTime(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	for _, layout := range []string{time.DateOnly, "2006-01-02 15:04", "2006-01-02T15:04", time.DateTime} {
		if t, err := time.ParseInLocation(layout, v, time.Local); err == nil {
			if layout == time.DateOnly {
				t = t.Add(24*time.Hour - time.Nanosecond) // the end of that day
			}
			return t, nil
		}
	}
	return time.Time{}, errors.New("not a time")
}
