// Package osm reads OpenStreetMap PBF files into the community model.
//
// It reads the file once, in order (nodes, then ways, then relations, each
// by id, as PBF extracts are written), decoding blocks in parallel with
// qedus/osmpbf:
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
// ways): the two stores hold 73 MiB (a heap profile); `cim ingest` peaks
// at about 800 MiB, most of it the store's write path and Badger
// (bench/osm.sh).
//
// OSM data has flaws that must not stop a city's import: a way whose nodes
// are missing from the extract, a multipolygon with a member outside it or
// a ring that does not close, a self-crossing polygon. Such objects are
// skipped and counted (Warnings). A corrupt or truncated file, or one not
// sorted by id, is an error.
package osm

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/ingest/osmtags"
	"github.com/qedus/osmpbf"
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
	in    *counter
	dec   *osmpbf.Decoder
	nodes *nodeStore
	ways  *wayStore
	phase int // 0 nodes, 1 ways, 2 relations: the order of a sorted file
	done  bool

	counts   Counts
	warnings map[string]int

	refs  []int64
	flat  []float64
	rings [][]int64
}

// Counts says how many OSM objects a Reader read.
type Counts struct {
	Nodes, Ways, Relations int64
}

type counter struct {
	r io.Reader
	n atomic.Int64
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
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
	rd := &Reader{
		opts: opts, in: &counter{r: r},
		nodes:    newNodeStore(budget*2/3, opts.TempDir),
		ways:     newWayStore(budget/3, opts.TempDir),
		warnings: map[string]int{},
	}
	rd.dec = osmpbf.NewDecoder(newFrameReader(rd.in))
	// Each worker holds a decoded block (8,000 objects): a few are enough.
	if err := rd.dec.Start(min(runtime.GOMAXPROCS(0), 4)); err != nil {
		return nil, rd.corrupt(err)
	}
	return rd, nil
}

// corrupt describes a decoding error with how far the file was read (the
// decoder reads ahead, so the damage is at or before that point).
func (r *Reader) corrupt(err error) error {
	where := fmt.Sprintf("at or before byte %d", r.in.n.Load())
	if r.opts.Size > 0 {
		where = fmt.Sprintf("at or before byte %d of %d", r.in.n.Load(), r.opts.Size)
	}
	msg := err.Error()
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%s: truncated PBF file (it ends %s): %w", r.opts.Name, strings.Replace(where, "at or before", "at", 1), err)
	case strings.Contains(msg, "HistoricalInformation"):
		return fmt.Errorf("%s: an OSM history file: cim reads the current state only (osmium time-filter makes one)", r.opts.Name)
	case strings.Contains(msg, "does not have feature"), strings.Contains(msg, "unhandled blob data type"):
		return fmt.Errorf("%s: the PBF uses a feature cim cannot read (%v); rewrite it with osmium cat", r.opts.Name, err)
	}
	return fmt.Errorf("%s: corrupt PBF file (%s): %w", r.opts.Name, where, err)
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
	r.nodes.close()
	r.ways.close()
	r.dec.Close()
	return nil
}

// Next returns the next feature, or io.EOF after the last.
func (r *Reader) Next() (*cim.Feature, error) {
	for !r.done {
		v, err := r.dec.Decode()
		if err == io.EOF {
			r.done = true
			break
		}
		if err != nil {
			r.done = true
			return nil, r.corrupt(err)
		}
		var f *cim.Feature
		switch o := v.(type) {
		case *osmpbf.Node:
			f, err = r.node(o)
		case *osmpbf.Way:
			f, err = r.way(o)
		case *osmpbf.Relation:
			f, err = r.relation(o)
		}
		if err != nil {
			r.done = true
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

func significant(tags map[string]string, skip string) bool {
	for k := range tags {
		if !unsignificant[k] && k != skip {
			return true
		}
	}
	return false
}

func e7(v float64) int32 { return int32(math.Round(v * 1e7)) }

func (r *Reader) node(o *osmpbf.Node) (*cim.Feature, error) {
	if r.phase > 0 {
		return nil, fmt.Errorf("%w: node %d after the ways; sort it with osmium sort IN.osm.pbf -o SORTED.osm.pbf", errUnsorted, o.ID)
	}
	r.counts.Nodes++
	lon, lat := e7(o.Lon), e7(o.Lat)
	if err := r.nodes.add(o.ID, lon, lat); err != nil {
		return nil, err
	}
	if !significant(o.Tags, "") {
		return nil, nil
	}
	g := geom.NewPointFlat(geom.XY, []float64{float64(lon) / 1e7, float64(lat) / 1e7})
	return r.feature("osm:n", o.ID, o.Tags, g)
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

func (r *Reader) way(o *osmpbf.Way) (*cim.Feature, error) {
	if r.phase > 1 {
		return nil, fmt.Errorf("%w: way %d after the relations; sort it with osmium sort IN.osm.pbf -o SORTED.osm.pbf", errUnsorted, o.ID)
	}
	r.phase = 1
	r.counts.Ways++
	if err := r.ways.add(o.ID, o.NodeIDs); err != nil {
		return nil, err
	}
	if !significant(o.Tags, "") {
		return nil, nil
	}
	flat, ok, err := r.coords(r.flat[:0], o.NodeIDs)
	r.flat = flat
	if err != nil {
		return nil, err
	}
	if !ok {
		r.warnings["way with nodes missing from the extract"]++
		return nil, nil
	}
	closed := len(o.NodeIDs) >= 4 && o.NodeIDs[0] == o.NodeIDs[len(o.NodeIDs)-1]
	var g geom.T
	if closed && isArea(o.Tags) {
		g = geom.NewPolygonFlat(geom.XY, clone(flat), []int{len(flat)})
	} else {
		g = geom.NewLineStringFlat(geom.XY, clone(flat))
	}
	return r.feature("osm:w", o.ID, o.Tags, g)
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

func (r *Reader) relation(o *osmpbf.Relation) (*cim.Feature, error) {
	r.phase = 2
	r.counts.Relations++
	if t := o.Tags["type"]; t != "multipolygon" && t != "boundary" {
		return nil, nil
	}
	if !significant(o.Tags, "type") {
		r.warnings["multipolygon relation without tags of its own"]++
		return nil, nil
	}
	var ways [][]int64
	seen := map[int64]bool{} // a way listed twice is one way
	for _, m := range o.Members {
		if m.Type != osmpbf.WayType || seen[m.ID] {
			continue
		}
		seen[m.ID] = true
		refs, ok, err := r.ways.get(nil, m.ID)
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
	tags := make(map[string]string, len(o.Tags))
	for k, v := range o.Tags {
		if k != "type" {
			tags[k] = v
		}
	}
	tags["type"] = o.Tags["type"] // kept as a property, as GDAL does
	return r.feature("osm:r", o.ID, tags, nestRings(rings, flats))
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
