package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/index"
	"github.com/urfave/cli/v2"
)

func infoCommand() *cli.Command {
	return &cli.Command{
		Name:  "info",
		Usage: "show the datasets, stages, classes, floors and extent of a store",
		Description: `Lists each dataset and stage with its feature count and extent, then its
features by class and by floor (a building on floors 0..4 counts on each).

Examples:
   cim info --db city.db
   cim info --db city.db --format json | jq '.datasets[].name'`,
		Flags:  []cli.Flag{dbFlag(), formatFlag("table", "json"), asOfFlag()},
		Action: runInfo,
	}
}

type infoJSON struct {
	Store    string        `json:"store"`
	Revision uint64        `json:"revision"`
	History  historyJSON   `json:"history"`
	Features int           `json:"features"`
	Datasets []datasetJSON `json:"datasets"`
}

// historyJSON is what the store keeps of its past: its revision log
// (cim log) from LogFrom on.
type historyJSON struct {
	LogFrom uint64 `json:"log_from"`
	Commits int    `json:"commits"`
	Keep    string `json:"keep"`
	Oldest  uint64 `json:"oldest_readable"`
}

type datasetJSON struct {
	Name     string         `json:"name"`
	Stage    string         `json:"stage"`
	Features int            `json:"features"`
	Extent   [4]float64     `json:"extent"`
	Classes  map[string]int `json:"classes"`
	Floors   map[int]int    `json:"floors"`
}

func runInfo(c *cli.Context) error {
	if c.NArg() > 0 {
		return usagef("info takes no arguments (got %q); the store goes in --db", c.Args().First())
	}
	out, err := format(c, "table", "json")
	if err != nil {
		return err
	}
	return withSnapshot(c, func(s *index.Store, sn *index.Snapshot) error {
		sums, err := sn.Summary(c.Context)
		if err != nil {
			return err
		}
		h, err := historyOf(c.Context, s, sn)
		if err != nil {
			return err
		}
		if out == "json" {
			return writeInfoJSON(c.App.Writer, s.Dir(), sn.Revision(), h, sums)
		}
		printInfo(c.App.Writer, s.Dir(), sn.Revision(), h, sums)
		return nil
	})
}

func commits(n int) string {
	if n == 1 {
		return "1 commit"
	}
	return humanInt(n) + " commits"
}

func historyOf(ctx context.Context, s *index.Store, sn *index.Snapshot) (historyJSON, error) {
	h := historyJSON{LogFrom: sn.LogFrom(), Keep: s.Keep().String(), Oldest: s.Oldest()}
	err := sn.Log(ctx, 0, func(index.Commit) bool { h.Commits++; return true })
	return h, err
}

func writeInfoJSON(w io.Writer, dir string, rev uint64, h historyJSON, sums []index.DatasetSummary) error {
	info := infoJSON{Store: dir, Revision: rev, History: h, Datasets: []datasetJSON{}}
	for _, s := range sums {
		d := datasetJSON{
			Name: s.Dataset, Stage: s.Stage.String(), Features: s.Features,
			Extent:  [4]float64{s.Extent.MinLon, s.Extent.MinLat, s.Extent.MaxLon, s.Extent.MaxLat},
			Classes: map[string]int{}, Floors: s.Floors,
		}
		for c, n := range s.Classes {
			d.Classes[c.String()] = n
		}
		info.Features += s.Features
		info.Datasets = append(info.Datasets, d)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(info)
}

func printInfo(w io.Writer, dir string, rev uint64, h historyJSON, sums []index.DatasetSummary) {
	total := 0
	for _, s := range sums {
		total += s.Features
	}
	fmt.Fprintf(w, "store %s, revision %d: %s features in %d dataset/stage pairs\n", dir, rev, humanInt(total), len(sums))
	switch {
	case rev == 0:
	case h.LogFrom == 0:
		fmt.Fprintf(w, "history: none logged (the store is older than cim's revision log; its next commit starts one)\n")
	case h.LogFrom > 1:
		fmt.Fprintf(w, "history: %s logged, revisions %d to %d (the store is older than its log; cim log lists them); keeps %s, readable (--as-of) from revision %d\n", commits(h.Commits), h.LogFrom, rev, h.Keep, h.Oldest)
	default:
		fmt.Fprintf(w, "history: %s logged, revisions 1 to %d (cim log lists them); keeps %s, readable (--as-of) from revision %d\n", commits(h.Commits), rev, h.Keep, h.Oldest)
	}
	fmt.Fprintln(w)
	if len(sums) == 0 {
		fmt.Fprintln(w, "The store is empty. Load data with: cim ingest --db", dir, "FILE...")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "DATASET\tSTAGE\tFEATURES\tEXTENT (W,S,E,N)")
	for _, s := range sums {
		e := s.Extent
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.5f,%.5f,%.5f,%.5f\n", s.Dataset, s.Stage, humanInt(s.Features), e.MinLon, e.MinLat, e.MaxLon, e.MaxLat)
	}
	tw.Flush()

	fmt.Fprintln(w, "\nBy class")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "DATASET\tSTAGE")
	var classes []cim.Class
	for _, c := range cim.Classes() {
		for _, s := range sums {
			if s.Classes[c] > 0 {
				classes = append(classes, c)
				break
			}
		}
	}
	for _, c := range classes {
		fmt.Fprintf(tw, "\t%s", c)
	}
	fmt.Fprintln(tw)
	for _, s := range sums {
		fmt.Fprintf(tw, "%s\t%s", s.Dataset, s.Stage)
		for _, c := range classes {
			fmt.Fprintf(tw, "\t%s", countOrDash(s.Classes[c]))
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()

	fmt.Fprintln(w, "\nBy floor (0 = the ground floor, China's 1F/1层; 1 = 2F; -1 = the first basement, B1)")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	var floors []int
	for _, s := range sums {
		for f := range s.Floors {
			if !slices.Contains(floors, f) {
				floors = append(floors, f)
			}
		}
	}
	slices.Sort(floors)
	const maxCols = 16
	shown := floors
	if len(shown) > maxCols {
		shown = shown[:maxCols]
	}
	fmt.Fprint(tw, "DATASET\tSTAGE")
	for _, f := range shown {
		fmt.Fprintf(tw, "\t%d", f)
	}
	if len(floors) > maxCols {
		fmt.Fprintf(tw, "\t%d..%d", floors[maxCols], floors[len(floors)-1])
	}
	fmt.Fprintln(tw)
	for _, s := range sums {
		fmt.Fprintf(tw, "%s\t%s", s.Dataset, s.Stage)
		for _, f := range shown {
			fmt.Fprintf(tw, "\t%s", countOrDash(s.Floors[f]))
		}
		if len(floors) > maxCols {
			n := 0
			for _, f := range floors[maxCols:] {
				n += s.Floors[f]
			}
			fmt.Fprintf(tw, "\t%s", countOrDash(n))
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
}

func countOrDash(n int) string {
	if n == 0 {
		return "-"
	}
	return humanInt(n)
}
