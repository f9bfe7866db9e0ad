package ingest

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/index"
)

// Report is the outcome of loading one file, as cim ingest prints it and
// as the ingest endpoint answers it (JSON).
type Report struct {
	File     string         `json:"file"`
	Format   string         `json:"format,omitempty"`
	Dataset  string         `json:"dataset,omitempty"`
	Features int            `json:"features"`
	Replaced int            `json:"replaced"`
	Deleted  int            `json:"deleted"`
	Classes  map[string]int `json:"classes,omitempty"`
	Skipped  []string       `json:"skipped,omitempty"`
	Warnings map[string]int `json:"warnings,omitempty"`
	Seconds  float64        `json:"seconds"`
	Revision uint64         `json:"revision,omitempty"`
	Error    string         `json:"error,omitempty"`
}

// RunOptions configures Run.
type RunOptions struct {
	// Replace deletes the dataset's features that the file does not hold,
	// in the stages the file holds (index.IngestOptions.Replace).
	Replace bool
	// Opened, if set, is called once the file is open and its format
	// known, before any feature is read; the function it returns, if
	// any, is called when the ingest ends. It is where progress starts
	// watching the file (File.BytesRead, File.Features, File.Phase).
	Opened func(in *File) (done func())
	// What says what the ingest is, for the store's revision log;
	// default "ingest PATH".
	What string
}

// Run loads the file at path into s as one atomic batch: if the file is
// broken, nothing of it is stored. The report counts what was written by
// class; its File is path, and its Error is left for the caller to fill.
func Run(ctx context.Context, s *index.Store, path string, opts Options, ro RunOptions) (Report, error) {
	rep := Report{File: path}
	start := time.Now()
	in, err := Open(path, opts)
	if err != nil {
		return rep, err
	}
	defer in.Close()
	rep.Format, rep.Dataset = string(in.Format), in.Dataset
	if ro.Opened != nil {
		if done := ro.Opened(in); done != nil {
			defer done()
		}
	}
	opt := &index.IngestOptions{What: ro.What}
	if opt.What == "" {
		opt.What = "ingest " + path
	}
	if ro.Replace {
		opt.Replace = in.Dataset
	}
	counted := &classCounter{src: in, counts: map[cim.Class]int{}, datasets: map[string]bool{}}
	st, rev, err := s.Ingest(ctx, counted, opt)
	if err != nil {
		if !strings.Contains(err.Error(), path) {
			err = fmt.Errorf("%s: %w", path, err)
		}
		return rep, err
	}
	rep.Features, rep.Replaced, rep.Deleted, rep.Revision = st.Put, st.Replaced, st.Deleted, rev
	rep.Seconds = time.Since(start).Seconds()
	for _, e := range in.Skipped() {
		rep.Skipped = append(rep.Skipped, e.Error())
	}
	rep.Warnings = in.Warnings()
	rep.Classes = map[string]int{}
	for cl, n := range counted.counts {
		rep.Classes[cl.String()] = n
	}
	if len(counted.datasets) > 0 {
		// The datasets written, which a GeoJSON file's cim:dataset
		// properties may choose.
		rep.Dataset = strings.Join(slices.Sorted(maps.Keys(counted.datasets)), ",")
	}
	return rep, nil
}

// classCounter counts the features of a source by class and dataset.
type classCounter struct {
	src      index.Source
	counts   map[cim.Class]int
	datasets map[string]bool
}

func (c *classCounter) Next() (*cim.Feature, error) {
	f, err := c.src.Next()
	if err == nil {
		c.counts[f.Class]++
		c.datasets[f.Dataset] = true
	}
	return f, err
}

// ParseAnchor reads an anchor written lon,lat[,rotation_deg], as cim
// ingest --anchor and the ingest endpoint's anchor= take it; "" is no
// anchor.
func ParseAnchor(s string) (*cim.Anchor, error) {
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(s, ",")
	if len(parts) < 2 || len(parts) > 3 {
		return nil, fmt.Errorf("%q: want lon,lat or lon,lat,rotation_deg", s)
	}
	var v [3]float64
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("%q: %q is not a number", s, p)
		}
		v[i] = f
	}
	if v[0] < -180 || v[0] > 180 || v[1] < -90 || v[1] > 90 {
		return nil, fmt.Errorf("%q: longitude must be within −180…180 and latitude within −90…90", s)
	}
	return &cim.Anchor{Lon: v[0], Lat: v[1], RotationDeg: v[2]}, nil
}
