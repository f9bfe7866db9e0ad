package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/index"
	"github.com/urfave/cli/v2"
)

func logCommand() *cli.Command {
	return &cli.Command{
		Name:  "log",
		Usage: "list the store's commits: revision, time, what did it, and what it changed",
		Description: `Every commit (an ingest, a deletion, a write through the API) is a
revision of the store. cim log lists them, oldest first: when, what did it,
the datasets and stages it wrote, and how many features it created,
updated, left as they were (written again unchanged) and deleted. With
--changes it lists the features too, as the server's change feed
(GET /changes) does.

Examples:
   cim log --db city.db
   cim log --db city.db --dataset scheme --since 12
   cim log --db city.db --since 40 --changes --format json`,
		Flags: []cli.Flag{dbFlag(), formatFlag("table", "json"),
			&cli.StringFlag{Name: "dataset", Usage: "only the commits that wrote this dataset"},
			&cli.Uint64Flag{Name: "since", Usage: "only the commits after this revision"},
			&cli.BoolFlag{Name: "changes", Usage: "list each commit's created, updated and deleted features"},
		},
		Action: runLog,
	}
}

type logJSON struct {
	index.Commit
	Changes []changeJSON `json:"changes,omitempty"`
}

type changeJSON struct {
	Kind    string `json:"kind"`
	ID      string `json:"id"`
	Class   string `json:"class"`
	Dataset string `json:"dataset"`
	Stage   string `json:"stage"`
}

func runLog(c *cli.Context) error {
	if c.NArg() > 0 {
		return usagef("log takes no arguments (got %q); the store goes in --db", c.Args().First())
	}
	out, err := format(c, "table", "json")
	if err != nil {
		return err
	}
	dataset, since := c.String("dataset"), c.Uint64("since")
	return withSnapshot(c, func(s *index.Store, sn *index.Snapshot) error {
		if since > sn.Revision() {
			return usagef("--since %d: the store is at revision %d", since, sn.Revision())
		}
		var commits []logJSON
		err := sn.Log(c.Context, since, func(cm index.Commit) bool {
			if dataset == "" || slices.Contains(cm.Datasets, dataset) {
				commits = append(commits, logJSON{Commit: cm})
			}
			return true
		})
		if err != nil {
			return err
		}
		if c.Bool("changes") && len(commits) > 0 {
			at := map[uint64]int{}
			for i, cm := range commits {
				at[cm.Revision] = i
			}
			cs, _, _, err := sn.Changes(c.Context, index.Since(commits[0].Revision-1), 1<<30, index.ChangeFilter{Dataset: dataset, Stage: cim.StageAny})
			if err != nil {
				return err
			}
			for _, ch := range cs {
				if i, ok := at[ch.Revision]; ok {
					commits[i].Changes = append(commits[i].Changes, changeJSON{ch.Kind.String(), ch.ID, ch.Class.String(), ch.Dataset, ch.Stage.String()})
				}
			}
		}
		if out == "json" {
			enc := json.NewEncoder(c.App.Writer)
			enc.SetIndent("", "  ")
			if commits == nil {
				commits = []logJSON{}
			}
			return enc.Encode(commits)
		}
		printLog(c.App.Writer, s.Dir(), sn, commits)
		return nil
	})
}

func printLog(w io.Writer, dir string, sn *index.Snapshot, commits []logJSON) {
	switch from := sn.LogFrom(); {
	case sn.Revision() == 0:
		fmt.Fprintf(w, "store %s has no commits yet\n", dir)
		return
	case from > 1:
		fmt.Fprintf(w, "store %s, revision %d; the log begins at revision %d (the store is older than its log)\n\n", dir, sn.Revision(), from)
	default:
		fmt.Fprintf(w, "store %s, revision %d\n\n", dir, sn.Revision())
	}
	if len(commits) == 0 {
		fmt.Fprintln(w, "no commits match")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "REV\tTIME (UTC)\tWHAT\tDATASETS\tSTAGES\tCREATED\tUPDATED\tUNCHANGED\tDELETED")
	for _, cm := range commits {
		what := cm.What
		if what == "" {
			what = "-"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", cm.Revision, cm.Time.Format(time.DateTime), what,
			strings.Join(cm.Datasets, ","), strings.Join(cm.Stages, ","),
			humanInt(cm.Created), humanInt(cm.Updated), humanInt(cm.Unchanged), humanInt(cm.Deleted))
	}
	tw.Flush()
	for _, cm := range commits {
		if len(cm.Changes) == 0 {
			continue
		}
		fmt.Fprintf(w, "\nrevision %d changed:\n", cm.Revision)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, ch := range cm.Changes {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", ch.Kind, ch.Dataset, ch.Stage, ch.Class, ch.ID)
		}
		tw.Flush()
	}
}
