// Package osm reads OpenStreetMap PBF files into the community model.
//
// It reads the file once, in order (nodes, then ways, then relations, each
// by id, as PBF extracts are written), decoding blocks in parallel with
// package pbf and taking each object straight from the decoded block's
// columns:
//
//   - every node's location goes into a node store: 16 bytes a node, so
//     16 MiB per million nodes, in memory up to two thirds of
//     Options.MemoryMB and beyond that in an unlinked temporary file; a
//     node with tags becomes a point feature;
//   - every way's node list goes into a way store (8 bytes a reference and
//     16 a way, in memory up to a third of Options.MemoryMB), for the
//     multipolygons that come later; a way with tags becomes a polygon
//     when it is closed and its tags say area (GDAL's rules: building,
//     landuse, leisure, amenity, natural, … or area=yes; and building:part
//     and indoor), else a line;
//   - a type=multipolygon or type=boundary relation becomes a polygon or
//     multipolygon: its member ways are joined into rings and the rings
//     nested by containment.
//
// Features take their class, kind and floors from the tags (package
// osmtags) and keep every tag as a property. Their ids are osm:n<id>,
// osm:w<id> and osm:r<id>.
//
// Measured on a 100-copy Monaco archipelago (42 MB, 2.54M nodes, 411k
// ways): `cim ingest` peaks at about 840 MiB RSS; a heap profile at its
// peak holds 55 MB in the node and way stores, a few MB of PBF blocks in
// flight, and the rest in the store's write path (Badger's memtables
// 166 MB and table builders 124 MB, the index's arena 57 MB). The decoding
// itself is about a tenth of the CPU time (bench/osm.sh).
//
// OSM data has flaws that must not stop a city's import: a way whose nodes
// are missing from the extract, a multipolygon with a member outside it or
// a ring that does not close, a self-crossing polygon. Such objects are
// skipped and counted (Warnings). A corrupt or truncated file, or one not
// sorted by id, is an error.
package osm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/ingest/osm/pbf"
	"github.com/future-community/cim/ingest/osmtags"
	"github.com/twpayne/go-geom"
)

// Options configures a Reader.
type Options struct {
	// Dataset is the dataset the features belong to. Required.
	Dataset string
	// Stage is given to every feature; cim.StageAny means cim.DefaultStage
	// (as-built: OpenStreetMap maps what exists).
	Stage cim.Stage
	// Name names the input in errors, usually its file name.
	Name string
	// Size is the input's length in bytes, if known, for error messages.
	Size int64
	// TempDir holds the node and way stores' spill files; "" means the
	// system's temporary directory.
	TempDir string
	// MemoryMB is how much the node and way stores may keep in memory
	// before spilling to disk; 0 means 512.
	MemoryMB int

	budget int64 // tests: a budget in bytes, below a MiB
}

// Reader reads features from an OSM PBF file.
type Reader struct {
	opts  Options
	dec   *pbf.Reader
	blk   *pbf.Block // the block being read
	g, i  int        // its group being read, and the object next in it
	nodes *nodeStore
	ways  *wayStore
	phase int          // 0 nodes, 1 ways, 2 relations: the order of a sorted file
	shown atomic.Int32 // phase, for Phase on another goroutine
	done  bool

	counts   Counts
	warnings map[string]int

	refs  []int64
	flat  []float64
	rings [][]int64
}

// Phase says which objects the reader is at: "nodes", "ways" or
// "relations" (a sorted file has them in that order). It is safe to call
// while another goroutine reads, for progress reports.
func (r *Reader) Phase() string {
	return [...]string{"nodes", "ways", "relations"}[r.shown.Load()]
}

// Counts says how many OSM objects a Reader read.
type Counts struct {
	Nodes, Ways, Relations int64
}

// NewReader starts reading a PBF stream.
func NewReader(r io.Reader, opts Options) (*Reader, error) {
	if opts.Dataset == "" {
		return nil, errors.New("osm: no dataset name")
	}
	if len(opts.Dataset) > cim.MaxDatasetLen || strings.IndexByte(opts.Dataset, 0) >= 0 {
		return nil, fmt.Errorf("osm: dataset name longer than %d bytes or with a NUL byte", cim.MaxDatasetLen)
	}
	if opts.Stage == cim.StageAny {
		opts.Stage = cim.DefaultStage
	}
	if opts.MemoryMB <= 0 {
		opts.MemoryMB = 512
	}
	if opts.TempDir == "" {
		opts.TempDir = os.TempDir()
	}
	budget := int64(opts.MemoryMB) << 20
	if opts.budget > 0 {
		budget = opts.budget
	}
	rd := &Reader{opts: opts, warnings: map[string]int{}}
	// Each worker holds a decoded block (8,000 objects): a few are enough.
	dec, err := pbf.NewReader(context.Background(), r, pbf.Options{Workers: min(runtime.GOMAXPROCS(0), 4)})
	if err != nil {
		return nil, rd.corrupt(err)
	}
	rd.dec = dec
	rd.nodes = newNodeStore(budget*2/3, opts.TempDir)
	rd.ways = newWayStore(budget/3, opts.TempDir)
	return rd, nil
}

// corrupt describes a decoding error with where in the file it is.
func (r *Reader) corrupt(err error) error {
	var at int64 = -1
	var pe *pbf.Error
	if errors.As(err, &pe) {
		at, err = pe.Offset, pe.Err
	}
	of := ""
	if r.opts.Size > 0 {
		of = fmt.Sprintf(" of %d", r.opts.Size)
	}
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%s: truncated PBF file (it ends at byte %d%s, inside a block): %w", r.opts.Name, at, of, err)
	case errors.Is(err, pbf.ErrHistory):
		return fmt.Errorf("%s: an OSM history file: cim reads the current state only (osmium time-filter makes one)", r.opts.Name)
	case errors.Is(err, pbf.ErrUnsupported):
		return fmt.Errorf("%s: the PBF uses a feature cim cannot read (%v); rewrite it with osmium cat", r.opts.Name, err)
	case at < 0:
		return fmt.Errorf("%s: corrupt PBF file: %w", r.opts.Name, err)
	}
	return fmt.Errorf("%s: corrupt PBF file (the block at byte %d%s): %w", r.opts.Name, at, of, err)
}

// Counts returns how many nodes, ways and relations have been read.
func (r *Reader) Counts() Counts { return r.counts }

// Warnings returns what was skipped or could not be read, with counts:
// objects with parts missing from the extract, rings that do not close,
// invalid geometries, unreadable tag values.
func (r *Reader) Warnings() map[string]int { return r.warnings }

// Close releases the stores (their spill files go with them) and stops the
// decoder's goroutines.
func (r *Reader) Close() error {
	r.dec.Close()
	r.nodes.close()
	r.ways.close()
	return nil
}

// Next returns the next feature, or io.EOF after the last.
func (r *Reader) Next() (*cim.Feature, error) {
	for !r.done {
		b := r.blk
		if b == nil || r.g == len(b.Groups) {
			var err error
			if r.blk, err = r.dec.Next(); err != nil {
				r.done, r.blk = true, nil
				if err == io.EOF {
					break
				}
				return nil, r.corrupt(err)
			}
			r.g, r.i = 0, 0
			if len(r.blk.Groups) > 0 {
				r.i = r.blk.Groups[0].Start
			}
			continue
		}
		grp := b.Groups[r.g]
		if r.i >= grp.End {
			if r.g++; r.g < len(b.Groups) {
				r.i = b.Groups[r.g].Start
			}
			continue
		}
		i := r.i
		r.i++
		var f *cim.Feature
		var err error
		switch grp.Kind {
		case pbf.Node:
			f, err = r.node(b, i)
		case pbf.Way:
			f, err = r.way(b, i)
		case pbf.Relation:
			f, err = r.relation(b, i)
		}
		if err != nil {
			r.done = true
			if errors.Is(err, errUnsorted) && !r.dec.Header().Sorted() {
				return nil, fmt.Errorf("%s: %w (its header does not claim Sort.Type_then_ID)", r.opts.Name, err)
			}
			return nil, fmt.Errorf("%s: %w", r.opts.Name, err)
		}
		if f != nil {
			return f, nil
		}
	}
	return nil, io.EOF
}

// unsignificant tags do not make an object a feature (GDAL's osmconf.ini).
var unsignificant = map[string]bool{
	"created_by": true, "converted_by": true, "source": true, "time": true, "ele": true, "attribution": true,
}

func significant(tags pbf.Tags, skip string) bool {
	for j := range tags.Len() {
		if k := tags.Key(j); !unsignificant[k] && k != skip {
			return true
		}
	}
	return false
}

// e7 rounds nanodegrees to OSM's 1e-7 degree, half away from zero.
func e7(nano int64) int64 {
	q, rem := nano/100, nano%100
	switch {
	case rem >= 50:
		q++
	case rem <= -50:
		q--
	}
	return q
}

func (r *Reader) node(b *pbf.Block, i int) (*cim.Feature, error) {
	id := b.Nodes.ID[i]
	if r.phase > 0 {
		return nil, fmt.Errorf("%w: node %d after the ways; sort it with osmium sort IN.osm.pbf -o SORTED.osm.pbf", errUnsorted, id)
	}
	r.counts.Nodes++
	lon, lat := e7(b.Nodes.Lon[i]), e7(b.Nodes.Lat[i])
	if lon < -180e7 || lon > 180e7 || lat < -90e7 || lat > 90e7 {
		r.warnings["node outside ±180° longitude, ±90° latitude"]++
		return nil, nil
	}
	if err := r.nodes.add(id, int32(lon), int32(lat)); err != nil {
		return nil, err
	}
	tags := b.NodeTags(i)
	if !significant(tags, "") {
		return nil, nil
	}
	g := geom.NewPointFlat(geom.XY, []float64{float64(lon) / 1e7, float64(lat) / 1e7})
	return r.feature("osm:n", id, tags.Map(), g)
}

// closedWaysArePolygons are the keys (any value) and tags that make a
// closed way an area, as GDAL's osmconf.ini has them; area=yes and
// area=no decide where present.
var (
	areaKeys = map[string]bool{
		"aeroway": true, "amenity": true, "boundary": true, "building": true, "craft": true, "geological": true,
		"historic": true, "landuse": true, "leisure": true, "military": true, "natural": true, "office": true,
		"place": true, "shop": true, "sport": true, "tourism": true,
		// beyond GDAL's list: these are areas in the CIM
		"building:part": true,
	}
	areaTags = map[string]bool{"highway=platform": true, "public_transport=platform": true,
		"indoor=room": true, "indoor=area": true, "indoor=corridor": true, "indoor=level": true}
)

func isArea(tags map[string]string) bool {
	switch tags["area"] {
	case "yes":
		return true
	case "no":
		return false
	}
	for k, v := range tags {
		if areaKeys[k] || areaTags[k+"="+v] {
			return true
		}
	}
	return false
}

func (r *Reader) way(b *pbf.Block, i int) (*cim.Feature, error) {
	id, refs := b.Ways.ID[i], b.WayRefs(i)
	if r.phase > 1 {
		return nil, fmt.Errorf("%w: way %d after the relations; sort it with osmium sort IN.osm.pbf -o SORTED.osm.pbf", errUnsorted, id)
	}
	r.phase = 1
	r.shown.Store(1)
	r.counts.Ways++
	if err := r.ways.add(id, refs); err != nil {
		return nil, err
	}
	t := b.WayTags(i)
	if !significant(t, "") {
		return nil, nil
	}
	tags := t.Map()
	flat, ok, err := r.coords(r.flat[:0], refs)
	r.flat = flat
	if err != nil {
		return nil, err
	}
	if !ok {
		r.warnings["way with nodes missing from the extract"]++
		return nil, nil
	}
	closed := len(refs) >= 4 && refs[0] == refs[len(refs)-1]
	var g geom.T
	if closed && isArea(tags) {
		g = geom.NewPolygonFlat(geom.XY, clone(flat), []int{len(flat)})
	} else {
		g = geom.NewLineStringFlat(geom.XY, clone(flat))
	}
	return r.feature("osm:w", id, tags, g)
}

func clone(f []float64) []float64 { return append([]float64(nil), f...) }

// coords appends the locations of nodes to dst; ok is false if one is
// missing.
func (r *Reader) coords(dst []float64, ids []int64) ([]float64, bool, error) {
	for _, id := range ids {
		lon, lat, ok, err := r.nodes.get(id)
		if err != nil || !ok {
			return dst, false, err
		}
		dst = append(dst, float64(lon)/1e7, float64(lat)/1e7)
	}
	return dst, true, nil
}

func (r *Reader) relation(b *pbf.Block, i int) (*cim.Feature, error) {
	r.phase = 2
	r.shown.Store(2)
	r.counts.Relations++
	t := b.RelationTags(i)
	typ := ""
	for j := range t.Len() {
		if t.Key(j) == "type" {
			typ = t.Value(j) // the last, as a map of the tags keeps it
		}
	}
	if typ != "multipolygon" && typ != "boundary" {
		return nil, nil
	}
	if !significant(t, "type") {
		r.warnings["multipolygon relation without tags of its own"]++
		return nil, nil
	}
	var ways [][]int64
	seen := map[int64]bool{} // a way listed twice is one way
	ids, kinds, _ := b.Members(i)
	for k, mid := range ids {
		if kinds[k] != pbf.Way || seen[mid] {
			continue
		}
		seen[mid] = true
		refs, ok, err := r.ways.get(nil, mid)
		if err != nil {
			return nil, err
		}
		if !ok {
			r.warnings["multipolygon with member ways missing from the extract"]++
			return nil, nil
		}
		ways = append(ways, refs)
	}
	rings, err := joinRings(ways)
	if err != nil {
		r.warnings["multipolygon whose rings do not close"]++
		return nil, nil
	}
	flats := make([][]float64, len(rings))
	for i, ring := range rings {
		flat, ok, err := r.coords(nil, ring)
		if err != nil {
			return nil, err
		}
		if !ok || len(ring) < 4 {
			r.warnings["multipolygon with nodes missing from the extract"]++
			return nil, nil
		}
		flats[i] = flat
	}
	// type is kept as a property, as GDAL does.
	return r.feature("osm:r", b.Relations.ID[i], t.Map(), nestRings(rings, flats))
}

// feature builds a feature and validates its geometry; an invalid one is
// counted and skipped.
func (r *Reader) feature(prefix string, id int64, tags map[string]string, g geom.T) (*cim.Feature, error) {
	g = cim.Normalize(g)
	kind := map[string]string{"osm:n": "node", "osm:w": "way", "osm:r": "relation"}[prefix]
	// The geometry is validated once, here; the rest of the feature is
	// valid by construction (ids from OSM, the dataset checked by Open,
	// levels checked by osmtags).
	if err := cim.ValidateGeometry(g); err != nil {
		r.warnings[kind+" with an invalid geometry"]++
		return nil, nil
	}
	res := osmtags.Classify(osmtags.Map(tags))
	for _, w := range res.Warnings {
		r.warnings["unreadable "+strings.SplitN(w, "=", 2)[0]]++
	}
	props := make(map[string]any, len(tags))
	for k, v := range tags {
		props[k] = v
	}
	f := &cim.Feature{
		ID:       prefix + strconv.FormatInt(id, 10),
		Class:    res.Class,
		Kind:     res.Kind,
		Geometry: g,
		Levels:   res.Levels,
		Vertical: res.Vertical,
		Dataset:  r.opts.Dataset,
		Stage:    r.opts.Stage,
		Props:    props,
	}
	if err := f.Levels.Validate(); err != nil {
		r.warnings[kind+" with invalid levels"]++
		return nil, nil
	}
	return f, nil
}
