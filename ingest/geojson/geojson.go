// Package geojson reads GeoJSON (RFC 7946) FeatureCollections and
// newline-delimited GeoJSON (GeoJSONSeq, RFC 8142) into the community
// model, one feature at a time: a large file is never held in memory.
//
// Properties in OpenStreetMap tag style (building, building:levels, level,
// leisure, railway, …) are understood through package osmtags, so GeoJSON
// exported from OSM or drawn in QGIS with those attributes just works.
// Explicit cim: properties override them: cim:class, cim:kind, cim:level,
// cim:stage, cim:parent, cim:elevation, cim:storey_height. The properties
// cim writes itself (see Encode) read back to the same feature.
//
// Feature ids: an id already in cim form ("osm:w1", "geojson:ds:7") is
// kept; "way/123" and "node/5" (osmtogeojson, Overpass) become "osm:w123"
// and "osm:n5"; any other id member becomes "geojson:<dataset>:<id>"; a
// feature without one is "geojson:<dataset>:#<n>", n its index in the
// file. cim:parent values are qualified the same way, so a parent can be
// named by its id in the same file.
package geojson

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/future-community/cim/cim"
	gj "github.com/future-community/cim/geojson"
	"github.com/future-community/cim/ingest/osmtags"
	"github.com/twpayne/go-geom"
)

// Options configures a Reader.
type Options struct {
	// Dataset is the dataset of the features without a cim:dataset
	// property (which cim's GeoJSON writer adds, so that what cim writes
	// reads back into the datasets it came from). Required.
	Dataset string
	// KeepDataset puts every feature in Dataset, whatever its cim:dataset
	// says: for a dataset the user named.
	KeepDataset bool
	// Stage is given to features without a cim:stage property;
	// cim.StageAny means cim.DefaultStage.
	Stage cim.Stage
	// Name names the input in errors, usually its file name.
	Name string
	// SkipInvalid skips features with a bad geometry or bad cim:
	// property instead of failing; Skipped lists them. Broken JSON is
	// always an error: nothing after it can be trusted.
	SkipInvalid bool
}

// Error is a problem with one feature or with the JSON text, located by
// feature index (counted from 0 in the file) and byte offset, and
// written as cim.Pos writes positions:
//
//	name: feature 13 (byte 3390): message
type Error struct {
	Name    string
	Feature int   // −1 when the error is not in a feature
	Offset  int64 // byte offset in the input, −1 if unknown
	Err     error
}

func (e *Error) Error() string {
	return cim.Pos{Name: e.Name, Offset: e.Offset, Feature: e.Feature}.Message(e.Err.Error())
}

func (e *Error) Unwrap() error { return e.Err }

// ErrNotGeoJSON is wrapped when the input is JSON but not a GeoJSON
// FeatureCollection, Feature or feature sequence.
var ErrNotGeoJSON = errors.New("not a GeoJSON FeatureCollection, Feature or GeoJSONSeq")

// Reader reads features from GeoJSON.
type Reader struct {
	opts     Options
	sc       scanner
	mode     int         // where the next feature comes from
	pending  *rawFeature // a top-level Feature read while telling the format
	first    bool        // no feature of the array read yet
	n        int         // features seen, skipped included
	skipped  []*Error
	warnings map[string]int
	seq      bool
}

const (
	modeArray = iota // inside the FeatureCollection's features array
	modeSeq          // GeoJSONSeq: whitespace- or RS-separated features
	modeDone
)

// NewReader returns a reader of GeoJSON text from r: a FeatureCollection,
// a single Feature, or a sequence of Features separated by newlines or RFC
// 8142 record separators. It reads the start of the input to tell which.
func NewReader(r io.Reader, opts Options) (*Reader, error) {
	if opts.Dataset == "" {
		return nil, errors.New("geojson: no dataset name")
	}
	if opts.Stage == cim.StageAny {
		opts.Stage = cim.DefaultStage
	}
	rd := &Reader{opts: opts, warnings: map[string]int{}, first: true}
	rd.sc.r = bufio.NewReaderSize(r, 256<<10)
	if err := rd.openDocument(); err != nil {
		return nil, err
	}
	return rd, nil
}

// Seq reports whether the input is a feature sequence rather than a
// FeatureCollection or a single Feature.
func (r *Reader) Seq() bool { return r.seq }

func (r *Reader) fail(feature int, offset int64, err error) error {
	return &Error{Name: r.opts.Name, Feature: feature, Offset: offset, Err: err}
}

// located turns a framing or decoding error into an Error.
func (r *Reader) located(feature int, start int64, err error) error {
	var pe *posError
	if errors.As(err, &pe) {
		return r.fail(feature, pe.off, pe.err)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return r.fail(feature, start+se.Offset, fmt.Errorf("invalid JSON: %v", se))
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return r.fail(feature, start+te.Offset, fmt.Errorf("%s: want %s, got JSON %s", te.Field, te.Type, te.Value))
	}
	return r.fail(feature, start, err)
}

// openDocument reads the top-level object up to its features array; or,
// when the object is a Feature, the whole of it, and then tells a single
// Feature from the first of a sequence by what follows.
func (r *Reader) openDocument() error {
	sc := &r.sc
	if c, err := sc.peek(); err == io.EOF {
		return r.fail(-1, 0, fmt.Errorf("%w: the input is empty", ErrNotGeoJSON))
	} else if err != nil {
		return r.fail(-1, sc.off, err)
	} else if c != '{' {
		return r.fail(-1, sc.off, fmt.Errorf("%w: the input does not start with an object", ErrNotGeoJSON))
	}
	start := sc.off
	sc.readByte()
	var one rawFeature
	for i := 0; ; i++ {
		c, err := sc.peek()
		if err != nil {
			return r.located(-1, start, &posError{sc.off, errTruncated})
		}
		if c == '}' {
			sc.readByte()
			break
		}
		if i > 0 {
			if err := sc.expect(',', "',' or '}'"); err != nil {
				return r.located(-1, start, err)
			}
		}
		keyRaw, keyOff, err := sc.value()
		if err != nil {
			return r.located(-1, start, err)
		}
		var key string
		if err := json.Unmarshal(keyRaw, &key); err != nil {
			return r.fail(-1, keyOff, fmt.Errorf("invalid JSON: object key %s", keyRaw))
		}
		if err := sc.expect(':', "':'"); err != nil {
			return r.located(-1, start, err)
		}
		if key == "features" {
			if err := sc.expect('[', "the features array"); err != nil {
				return r.located(-1, start, fmt.Errorf("%w: \"features\" is not an array", ErrNotGeoJSON))
			}
			r.mode = modeArray
			return nil
		}
		raw, off, err := sc.value()
		if err != nil {
			return r.located(-1, start, err)
		}
		if err := r.topMember(key, raw, off, &one); err != nil {
			return err
		}
	}
	switch one.Type {
	case "Feature":
	case "FeatureCollection":
		return r.fail(-1, start, fmt.Errorf("%w: a FeatureCollection without a features array", ErrNotGeoJSON))
	case "":
		return r.fail(-1, start, fmt.Errorf("%w: no \"type\" member", ErrNotGeoJSON))
	default:
		return r.fail(-1, start, fmt.Errorf("%w: type %q", ErrNotGeoJSON, one.Type))
	}
	r.pending, r.mode = &one, modeSeq
	if _, err := sc.peek(); err == io.EOF {
		r.mode = modeDone // a single Feature
	} else {
		r.seq = true
	}
	return nil
}

// topMember takes one member of the top-level object other than features.
func (r *Reader) topMember(key string, raw []byte, off int64, one *rawFeature) error {
	var err error
	switch key {
	case "type":
		err = json.Unmarshal(raw, &one.Type)
		if err == nil && one.Type != "FeatureCollection" && one.Type != "Feature" {
			return r.fail(-1, off, fmt.Errorf("%w: type %q", ErrNotGeoJSON, one.Type))
		}
	case "crs":
		err = checkCRS(raw)
	case "id":
		one.ID = bytes.Clone(raw)
	case "geometry":
		one.Geometry = bytes.Clone(raw)
	case "properties":
		one.Props = raw
		err = one.decodeProps()
	}
	if err != nil {
		return r.located(-1, off, fmt.Errorf("member %q: %w", key, err))
	}
	return nil
}

// closeDocument reads what follows the features array: more members of the
// FeatureCollection, its closing brace, and nothing else.
func (r *Reader) closeDocument() error {
	sc := &r.sc
	var one rawFeature
	for {
		c, err := sc.peek()
		if err != nil {
			return r.located(-1, sc.off, &posError{sc.off, errTruncated})
		}
		if c == '}' {
			sc.readByte()
			break
		}
		if err := sc.expect(',', "',' or '}'"); err != nil {
			return r.located(-1, sc.off, err)
		}
		keyRaw, keyOff, err := sc.value()
		if err != nil {
			return r.located(-1, sc.off, err)
		}
		var key string
		if err := json.Unmarshal(keyRaw, &key); err != nil {
			return r.fail(-1, keyOff, fmt.Errorf("invalid JSON: object key %s", keyRaw))
		}
		if err := sc.expect(':', "':'"); err != nil {
			return r.located(-1, sc.off, err)
		}
		raw, off, err := sc.value()
		if err != nil {
			return r.located(-1, off, err)
		}
		if err := r.topMember(key, raw, off, &one); err != nil {
			return err
		}
	}
	if c, err := sc.peek(); err != io.EOF {
		return r.fail(-1, sc.off, fmt.Errorf("unexpected %q after the FeatureCollection", c))
	}
	return nil
}

// checkCRS accepts the old GeoJSON crs member only when it names WGS84
// longitude/latitude, the only CRS of RFC 7946, or CGCS2000 (EPSG:4490),
// China's geographic CRS, which agrees with WGS84 to well within a metre.
func checkCRS(raw []byte) error {
	var crs struct {
		Properties struct {
			Name string `json:"name"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(raw, &crs); err != nil || string(raw) == "null" {
		return nil
	}
	switch n := crs.Properties.Name; {
	case n == "", strings.HasSuffix(n, "CRS84"), strings.HasSuffix(n, "EPSG::4326"), n == "EPSG:4326",
		strings.HasSuffix(n, "EPSG::4490"), n == "EPSG:4490":
		return nil
	default:
		return fmt.Errorf("coordinates are in %s; cim reads WGS84 longitude/latitude (reproject with: ogr2ogr -t_srs EPSG:4326 out.geojson in.geojson)", n)
	}
}

type rawFeature struct {
	Type       string          `json:"type"`
	ID         json.RawMessage `json:"id"`
	Geometry   json.RawMessage `json:"geometry"`
	Props      borrowed        `json:"properties"`
	Properties map[string]any  `json:"-"` // Props decoded, by decodeProps
}

// borrowed keeps the JSON text it is decoded from without copying it
// (json.RawMessage copies): the properties are decoded from it at once,
// while the framed feature it points into is still unchanged, and then
// let go. A 50 MB property string is so held once, not twice.
type borrowed []byte

func (b *borrowed) UnmarshalJSON(p []byte) error {
	*b = p
	return nil
}

// maxPropValues bounds the JSON values in one feature's properties. A
// value decoded into a map or slice of any takes tens of bytes however
// short its text, so 200 MB of "1," in an array took 4.5 GB; real
// properties hold tens of values, and a million leaves room for large
// lists.
const maxPropValues = 1 << 20

// decodeProps decodes Props into Properties, refusing more than
// maxPropValues values.
func (f *rawFeature) decodeProps() error {
	defer func() { f.Props = nil }()
	if len(f.Props) == 0 {
		return nil
	}
	if n := jsonValues(f.Props); n > maxPropValues {
		return fmt.Errorf("properties: more than %s values (%s)", cim.FormatInt(maxPropValues), cim.FormatInt(int64(n)))
	}
	if err := json.Unmarshal(f.Props, &f.Properties); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field == "" {
			te.Field = "properties"
			return te // located adds where Props starts to its offset
		}
		return fmt.Errorf("properties: %w", err)
	}
	return nil
}

// propsOffset is where Props starts in raw, the text it was decoded
// from (borrowed points into it).
func (f *rawFeature) propsOffset(raw []byte) int64 {
	if len(f.Props) == 0 {
		return 0
	}
	return int64(cap(raw) - cap(f.Props))
}

// jsonValues counts the values in a valid JSON text, about: the elements
// of arrays and members of objects (by their separators) and the
// containers themselves.
func jsonValues(b []byte) int {
	n, inStr, esc := 1, false, false
	for _, c := range b {
		switch {
		case inStr:
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
			}
		case c == '"':
			inStr = true
		case c == ',' || c == '[' || c == '{':
			n++
		}
	}
	return n
}

// Next returns the next feature, or io.EOF after the last. Errors are
// *Error. With SkipInvalid, features that fail are skipped and listed by
// Skipped.
func (r *Reader) Next() (*cim.Feature, error) {
	for {
		raw, start, err := r.nextRaw()
		if err != nil {
			if err != io.EOF {
				r.mode = modeDone
			}
			return nil, err
		}
		i := r.n
		r.n++
		f, err := r.convert(raw, i)
		if err == nil {
			return f, nil
		}
		ferr := r.fail(i, start, err).(*Error)
		if !r.opts.SkipInvalid {
			r.mode = modeDone
			return nil, ferr
		}
		r.skipped = append(r.skipped, ferr)
	}
}

// nextRaw frames and decodes the next feature object and returns it with
// its offset.
func (r *Reader) nextRaw() (*rawFeature, int64, error) {
	if r.pending != nil {
		f := r.pending
		r.pending = nil
		return f, 0, nil
	}
	sc := &r.sc
	switch r.mode {
	case modeDone:
		return nil, 0, io.EOF
	case modeSeq:
		if _, err := sc.peek(); err == io.EOF {
			r.mode = modeDone
			return nil, 0, io.EOF
		}
	case modeArray:
		c, err := sc.peek()
		if err != nil {
			return nil, 0, r.located(r.n, sc.off, &posError{sc.off, errTruncated})
		}
		if c == ']' {
			sc.readByte()
			r.mode = modeDone
			if err := r.closeDocument(); err != nil {
				return nil, 0, err
			}
			return nil, 0, io.EOF
		}
		if !r.first {
			if err := sc.expect(',', "',' or ']'"); err != nil {
				return nil, 0, r.located(r.n, sc.off, err)
			}
		}
		r.first = false
	}
	raw, start, err := sc.value()
	if err != nil {
		return nil, 0, r.located(r.n, start, err)
	}
	var f rawFeature
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, 0, r.located(r.n, start, err)
	}
	at := start + f.propsOffset(raw)
	if err := f.decodeProps(); err != nil {
		return nil, 0, r.located(r.n, at, err)
	}
	return &f, start, nil
}

// Skipped returns the features skipped so far under SkipInvalid.
func (r *Reader) Skipped() []*Error { return r.skipped }

// Warnings returns property values that could not be read and were
// ignored, with how often each occurred, such as
// "unreadable building:levels=abc": 3.
func (r *Reader) Warnings() map[string]int { return r.warnings }

// Count returns how many features have been read, skipped ones included.
func (r *Reader) Count() int { return r.n }

// The cim: properties the reader consumes.

func (r *Reader) convert(raw *rawFeature, index int) (*cim.Feature, error) {
	if raw.Type != "Feature" {
		return nil, fmt.Errorf("type %q, want \"Feature\"", raw.Type)
	}
	g, err := DecodeGeometry(raw.Geometry)
	if err != nil {
		return nil, err
	}
	g = cim.Normalize(g)
	if err := cim.ValidateGeometry(g); err != nil {
		return nil, err
	}
	tags := func(k string) (string, bool) {
		v, ok := raw.Properties[k]
		if !ok || v == nil {
			return "", false
		}
		return cim.PropText(v)
	}
	res := osmtags.Classify(tags)
	for _, w := range res.Warnings {
		r.warnings["unreadable "+w]++
	}
	f := &cim.Feature{
		Class:    res.Class,
		Kind:     res.Kind,
		Geometry: g,
		Levels:   res.Levels,
		Vertical: res.Vertical,
		Dataset:  r.opts.Dataset,
		Stage:    r.opts.Stage,
	}
	if k, ok := tags("cim:kind"); ok {
		f.Kind = k
	}
	if d, ok := tags("cim:dataset"); ok && d != "" && !r.opts.KeepDataset {
		f.Dataset = d
	}
	if s, ok := tags("cim:stage"); ok {
		if f.Stage, err = cim.ParseStage(s); err != nil {
			return nil, fmt.Errorf("cim:stage: %w", err)
		}
	}
	if f.ID, err = featureID(raw, f.Dataset, index); err != nil {
		return nil, err
	}
	if p, ok := tags("cim:parent"); ok && p != "" {
		f.Parent = qualify(p, f.Dataset)
	}
	for k, v := range raw.Properties {
		if gj.Reserved(k) {
			continue
		}
		if f.Props == nil {
			f.Props = make(map[string]any, len(raw.Properties))
		}
		f.Props[k] = v
	}
	return f, f.Validate()
}

// knownPrefixes are the sources whose ids are kept as they are.
var knownPrefixes = []string{"osm:", "geojson:", "ifc:", "cityjson:", "imdf:"}

func featureID(raw *rawFeature, dataset string, index int) (string, error) {
	var id string
	if len(raw.ID) > 0 && string(raw.ID) != "null" {
		var v any
		if err := json.Unmarshal(raw.ID, &v); err != nil {
			return "", fmt.Errorf("id: %w", err)
		}
		switch v := v.(type) {
		case string:
			id = v
		case float64:
			// The number as written: 9007199254740993 is not a float64.
			t := strings.TrimSpace(string(raw.ID))
			if _, err := strconv.ParseInt(t, 10, 64); err != nil {
				if v != math.Trunc(v) {
					return "", fmt.Errorf("id %s is not a string or integer", t)
				}
				t = strconv.FormatFloat(v, 'f', -1, 64)
			}
			id = t
		default:
			return "", fmt.Errorf("id %s is not a string or number", raw.ID)
		}
	}
	if at, ok := raw.Properties["@id"].(string); ok && id == "" {
		id = at
	}
	if id == "" {
		return fmt.Sprintf("geojson:%s:#%d", dataset, index), nil
	}
	return qualify(id, dataset), nil
}

// qualify turns an id from the file into a cim feature id in the dataset.
func qualify(id, dataset string) string {
	for _, p := range knownPrefixes {
		if strings.HasPrefix(id, p) {
			return id
		}
	}
	if typ, num, ok := strings.Cut(id, "/"); ok {
		if _, err := strconv.ParseInt(num, 10, 64); err == nil {
			switch typ {
			case "node", "way", "relation":
				return "osm:" + typ[:1] + num
			}
		}
	}
	return "geojson:" + dataset + ":" + id
}

// DecodeGeometry decodes a GeoJSON geometry object. Positions may carry a
// third ordinate, which is dropped. A GeometryCollection, a null geometry
// and wrongly nested coordinates are errors.
func DecodeGeometry(raw json.RawMessage) (geom.T, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, errors.New("no geometry (null)")
	}
	var g struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	}
	if t := bytes.TrimSpace(raw); len(t) > 0 && t[0] != '{' {
		return nil, fmt.Errorf("geometry is %s, not a GeoJSON geometry object", jsonKind(t[0]))
	}
	if err := json.Unmarshal(raw, &g); err != nil {
		return nil, fmt.Errorf("geometry: %w", err)
	}
	bad := func(err error) (geom.T, error) { return nil, fmt.Errorf("%s: %w", g.Type, err) }
	switch g.Type {
	case "Point":
		var c []float64
		if err := json.Unmarshal(g.Coordinates, &c); err != nil {
			return bad(err)
		}
		p, err := position(c)
		if err != nil {
			return bad(err)
		}
		return geom.NewPointFlat(geom.XY, p), nil
	case "MultiPoint", "LineString":
		var cs [][]float64
		if err := json.Unmarshal(g.Coordinates, &cs); err != nil {
			return bad(err)
		}
		flat, err := positions(nil, cs)
		if err != nil {
			return bad(err)
		}
		if g.Type == "MultiPoint" {
			return geom.NewMultiPointFlat(geom.XY, flat), nil
		}
		if len(cs) < 2 {
			return bad(fmt.Errorf("%d positions, need 2 or more", len(cs)))
		}
		return geom.NewLineStringFlat(geom.XY, flat), nil
	case "MultiLineString", "Polygon":
		var css [][][]float64
		if err := json.Unmarshal(g.Coordinates, &css); err != nil {
			return bad(err)
		}
		flat, ends, err := rings(nil, css)
		if err != nil {
			return bad(err)
		}
		if g.Type == "Polygon" {
			if len(ends) == 0 {
				return bad(errors.New("no rings"))
			}
			return geom.NewPolygonFlat(geom.XY, flat, ends), nil
		}
		return geom.NewMultiLineStringFlat(geom.XY, flat, ends), nil
	case "MultiPolygon":
		var csss [][][][]float64
		if err := json.Unmarshal(g.Coordinates, &csss); err != nil {
			return bad(err)
		}
		var flat []float64
		var endss [][]int
		for i, css := range csss {
			var ends []int
			var err error
			if flat, ends, err = rings(flat, css); err != nil {
				return bad(fmt.Errorf("polygon %d: %w", i, err))
			}
			if len(ends) == 0 {
				return bad(fmt.Errorf("polygon %d has no rings", i))
			}
			endss = append(endss, ends)
		}
		return geom.NewMultiPolygonFlat(geom.XY, flat, endss), nil
	case "GeometryCollection":
		return nil, errors.New("GeometryCollection is not supported: split it into features")
	case "":
		return nil, errors.New("geometry has no type")
	}
	return nil, fmt.Errorf("unknown geometry type %q", g.Type)
}

func position(c []float64) ([]float64, error) {
	if len(c) < 2 {
		return nil, fmt.Errorf("position %v has fewer than 2 numbers", c)
	}
	return c[:2], nil
}

func positions(flat []float64, cs [][]float64) ([]float64, error) {
	for i, c := range cs {
		p, err := position(c)
		if err != nil {
			return nil, fmt.Errorf("vertex %d: %w", i, err)
		}
		flat = append(flat, p...)
	}
	return flat, nil
}

func rings(flat []float64, css [][][]float64) ([]float64, []int, error) {
	var ends []int
	for i, cs := range css {
		var err error
		if flat, err = positions(flat, cs); err != nil {
			return nil, nil, fmt.Errorf("ring %d: %w", i, err)
		}
		ends = append(ends, len(flat))
	}
	return flat, ends, nil
}

// jsonKind names the kind of JSON value that starts with c.
func jsonKind(c byte) string {
	switch {
	case c == '[':
		return "an array"
	case c == '"':
		return "a string"
	case c == 't' || c == 'f':
		return "a boolean"
	}
	return "a number"
}

// DecodeFeature turns one GeoJSON Feature, already taken apart into its
// id and geometry (JSON text, either may be empty) and its decoded
// properties, into a cim feature exactly as Reader does for a feature of a
// file read with opts: the same classification, cim: properties, id
// qualification and validation. An id-less feature gets the id of a first
// feature in a file, "geojson:<dataset>:#0". It returns the property
// values that could not be read and were ignored, as Warnings words them.
// It is for callers that hold one feature, such as an API's request body.
func DecodeFeature(id, geometry json.RawMessage, props map[string]any, opts Options) (*cim.Feature, []string, error) {
	if opts.Dataset == "" {
		return nil, nil, errors.New("geojson: no dataset name")
	}
	if opts.Stage == cim.StageAny {
		opts.Stage = cim.DefaultStage
	}
	r := &Reader{opts: opts, warnings: map[string]int{}}
	f, err := r.convert(&rawFeature{Type: "Feature", ID: id, Geometry: geometry, Properties: props}, 0)
	var ws []string
	for w := range r.warnings {
		ws = append(ws, w)
	}
	slices.Sort(ws)
	return f, ws, err
}
