package main

import (
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
		Usage: "merge a store's tables, for the fastest reads",
		Description: `A large ingest leaves the store's newest data in several overlapping
tables; Badger merges them in the background over time, and reads merge
them meanwhile. compact merges everything now, which is worth doing
before serving a freshly loaded city.

Example:
   cim compact --db city.db`,
		Flags:  []cli.Flag{dbFlag()},
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
	before := dirSize(dir)
	start := time.Now()
	s, err := index.Open(dir, &index.Options{CompactOnClose: true, Recovering: newRecoveryLog(c.App.ErrWriter, dir)})
	if isLocked(err) {
		return inUse(dir)
	}
	if err != nil {
		return envError{fmt.Errorf("store %s: %w", dir, err)}
	}
	if err := s.Compact(); err != nil {
		s.Close()
		return err
	}
	if err := s.Close(); err != nil {
		return err
	}
	fmt.Fprintf(c.App.Writer, "compacted %s in %.1fs: %.1f MB → %.1f MB\n", dir, time.Since(start).Seconds(), float64(before)/1e6, float64(dirSize(dir))/1e6)
	return nil
}

// dirSize is the bytes of the store's table and log files.
func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil && filepath.Ext(d.Name()) == ".sst" {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}
