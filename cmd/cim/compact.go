package main

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"time"

	"github.com/future-community/cim/index"
	"github.com/urfave/cli/v2"
)

func compactCommand() *cli.Command {
	return &cli.Command{
		Name:  "compact",
		Usage: "merge a store's tables, for the fastest reads, and drop the history it no longer keeps",
		Description: `A large ingest leaves the store's newest data in several overlapping
tables; Badger merges them in the background over time, and reads merge
them meanwhile. compact merges everything now, which is worth doing
before serving a freshly loaded city.

A store keeps its past revisions (for --as-of and the change feed) for
30 days unless told otherwise: --keep-history sets how much, a duration
(30d, 720h) or a count of revisions (10), and compact drops the older
versions.

Examples:
   cim compact --db city.db
   cim compact --db city.db --keep-history 10`,
		Flags: []cli.Flag{dbFlag(),
			&cli.StringFlag{Name: "keep-history", Usage: "how much history the store keeps from now on: a duration (30d, 720h) or a count of revisions (10)"}},
		Action: runCompact,
	}
}

func runCompact(c *cli.Context) error {
	if c.NArg() > 0 {
		return usagef("compact takes no arguments (got %q); the store goes in --db", c.Args().First())
	}
	dir, err := storeDir(c, false)
	if err != nil {
		return err
	}
	var keep *index.Keep
	if v := c.String("keep-history"); v != "" {
		k, err := index.ParseKeep(v)
		if err != nil {
			return usagef("--keep-history: %v", err)
		}
		keep = &k
	}
	before := dirSize(dir)
	start := time.Now()
	s, err := openStoreAt(c, dir, &index.Options{CompactOnClose: true})
	if err != nil {
		return err
	}
	if keep != nil {
		if err := s.SetKeep(*keep); err != nil {
			s.Close()
			return err
		}
	}
	oldest, kept := s.Oldest(), s.Keep()
	if err := s.Compact(); err != nil {
		s.Close()
		return err
	}
	if err := s.Close(); err != nil {
		return err
	}
	fmt.Fprintf(c.App.Writer, "compacted %s in %.1fs: %.1f MB → %.1f MB; it keeps %s of history, readable from revision %d\n",
		dir, time.Since(start).Seconds(), float64(before)/1e6, float64(dirSize(dir))/1e6, kept, oldest)
	return nil
}

// dirSize is the bytes of the store's table and value log files.
func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil && (filepath.Ext(d.Name()) == ".sst" || filepath.Ext(d.Name()) == ".vlog") {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

func recoverCommand() *cli.Command {
	return &cli.Command{
		Name:  "recover",
		Usage: "undo the write that a crash or a kill left unfinished in a store",
		Description: `An ingest that is killed, or a machine that loses power, leaves its batch
half-written. The store stays consistent (readers see the last commit), but
until the half-written batch is undone, commands that only read refuse the
store rather than change it. recover undoes the batch, reclaims the space
it took, and reports what it did; ingest and compact do the same before
they write. On a store with nothing to recover it changes nothing.

Example:
   cim recover --db city.db`,
		Flags:  []cli.Flag{dbFlag()},
		Action: runRecover,
	}
}

func runRecover(c *cli.Context) error {
	if c.NArg() > 0 {
		return usagef("recover takes no arguments (got %q); the store goes in --db", c.Args().First())
	}
	dir, err := storeDir(c, false)
	if err != nil {
		return err
	}
	// A read-only open tells whether there is anything to do without
	// touching the store.
	ro, err := index.Open(dir, &index.Options{ReadOnly: true})
	if err == nil {
		rev := ro.Revision()
		ro.Close()
		fmt.Fprintf(c.App.Writer, "store %s at revision %d: nothing to recover\n", dir, rev)
		return nil
	}
	if !errors.Is(err, index.ErrInterrupted) {
		_, err = openStoreAt(c, dir, &index.Options{ReadOnly: true})
		return err
	}
	s, err := openStoreAt(c, dir, &index.Options{})
	if err != nil {
		return err
	}
	rev := s.Revision()
	if err := s.Close(); err != nil {
		return envError{fmt.Errorf("store %s: %w", dir, err)}
	}
	fmt.Fprintf(c.App.Writer, "store %s at revision %d: recovered\n", dir, rev)
	return nil
}
