package imdf

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/ingest/geojson"
	"github.com/twpayne/go-geom"
)

type rawFeature struct {
	Type        string                     `json:"type"`
	ID          json.RawMessage            `json:"id"`
	FeatureType string                     `json:"feature_type"`
	Geometry    json.RawMessage            `json:"geometry"`
	Properties  map[string]json.RawMessage `json:"properties"`
}

// building is a building read by Open, waiting for its footprints and
// levels.
type building struct {
	f              *cim.Feature // nil when left out
	own            geom.T       // its own geometry, which IMDF wants null
	ground, aerial []geom.T     // the footprints naming it
	levels         []*level
	at             Error // where it is, for errors found later
}

type level struct {
	ordinal  int
	outdoor  bool
	geometry geom.T
}

// convert turns the JSON text of one feature of a typ file into a
// feature, or into what later features need. It returns nil for
// buildings and footprints, which Open assembles, and for features
// skipped under SkipInvalid.
func (r *Reader) convert(typ string, c *collection, raw json.RawMessage, line int) (*cim.Feature, error) {
	id := ""
	fail := func(err error) (*cim.Feature, error) {
		e := &Error{Path: c.path, Line: line, Feature: c.n - 1, ID: id, Err: err}
		if !r.opts.SkipInvalid {
			return nil, e
		}
		r.skipped = append(r.skipped, e)
		if id != "" && r.ids[id] == typ {
			r.skippedID[id] = true
		}
		return nil, nil
	}
	var rf rawFeature
	if err := json.Unmarshal(raw, &rf); err != nil {
		return fail(typeError(err))
	}
	if json.Unmarshal(rf.ID, &id) != nil || id == "" {
		id = ""
		return fail(errors.New("no id, or an id that is not a string"))
	}
	if rf.Type != "Feature" {
		return fail(fmt.Errorf("type %q, want \"Feature\"", rf.Type))
	}
	if rf.FeatureType != "" && rf.FeatureType != typ {
		return fail(fmt.Errorf("feature_type %q in the %s file", rf.FeatureType, typ))
	}
	if t, dup := r.ids[id]; dup {
		return fail(fmt.Errorf("duplicate id: also a %s", t))
	}
	r.ids[id] = typ
	f := &cim.Feature{
		ID: "imdf:" + id, Dataset: r.opts.Dataset, Stage: r.opts.Stage,
		Props: r.props(typ, rf.Properties),
	}
	f.Kind, _ = f.Props["category"].(string)
	var err error
	switch typ {
	case "venue":
		err = r.venueFeature(id, f, rf.Geometry)
	case "building":
		err = r.buildingFeature(id, f, rf.Geometry, Error{Path: c.path, Line: line, Feature: c.n - 1, ID: id})
		f = nil
	case "footprint":
		err = r.footprintFeature(f, rf.Geometry)
		f = nil
	case "level":
		err = r.levelFeature(id, f, rf.Geometry)
	case "unit":
		err = r.unitFeature(id, f, rf.Geometry)
	case "opening":
		err = r.openingFeature(f, rf.Geometry)
	case "amenity":
		err = r.amenityFeature(f, rf.Geometry)
	}
	if err != nil {
		return fail(err)
	}
	return f, nil
}

func typeError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Errorf("%s: want %s, got JSON %s", te.Field, te.Type, te.Value)
	}
	return err
}

func (r *Reader) venueFeature(id string, f *cim.Feature, g json.RawMessage) error {
	f.Class = cim.ClassSite
	var err error
	if f.Geometry, err = shapeOf(g, polygonal); err != nil {
		return err
	}
	if err := f.Validate(); err != nil {
		return err
	}
	if r.venue == "" {
		r.venue = id
	} else {
		r.warnings["more than one venue: buildings belong to the first"]++
	}
	return nil
}

// venueParent is the parent of features whose source names none.
func (r *Reader) venueParent() string {
	if r.venue == "" {
		return ""
	}
	return "imdf:" + r.venue
}

func (r *Reader) buildingFeature(id string, f *cim.Feature, g json.RawMessage, at Error) error {
	f.Class = cim.ClassBuilding
	f.Parent = r.venueParent()
	b := &building{f: f, at: at}
	if len(g) > 0 && !isNull(g) {
		var err error
		if b.own, err = shapeOf(g, polygonal); err != nil {
			return err
		}
	}
	r.buildings[id] = b
	r.buildingList = append(r.buildingList, b)
	return nil
}

func (r *Reader) footprintFeature(f *cim.Feature, g json.RawMessage) error {
	outline, err := shapeOf(g, polygonal)
	if err != nil {
		return err
	}
	ids, err := idList(f.Props, "building_ids")
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		return errors.New("footprint has no building_ids")
	}
	var bs []*building
	for _, bid := range ids {
		b, err := r.building(bid, "footprint")
		if err != nil {
			return err
		}
		if b != nil {
			bs = append(bs, b)
		}
	}
	for _, b := range bs {
		switch f.Kind {
		case "ground":
			b.ground = append(b.ground, outline)
		case "aerial":
			b.aerial = append(b.aerial, outline)
		}
	}
	return nil
}

// building returns the building with IMDF id bid, referenced by a what;
// nil, nil when it was skipped and the referrer only adds to it.
func (r *Reader) building(bid, what string) (*building, error) {
	if b, ok := r.buildings[bid]; ok {
		return b, nil
	}
	if r.skippedID[bid] {
		if what == "footprint" {
			return nil, nil
		}
		return nil, fmt.Errorf("%s references building %s, which was skipped", what, bid)
	}
	return nil, unknownRef("%s references unknown building %s", what, bid)
}

func (r *Reader) levelFeature(id string, f *cim.Feature, g json.RawMessage) error {
	f.Class = cim.ClassStorey
	var err error
	if f.Geometry, err = shapeOf(g, polygonal); err != nil {
		return err
	}
	o, ok := f.Props["ordinal"].(float64)
	switch {
	case !ok:
		return errors.New("level has no numeric ordinal")
	case o != math.Trunc(o) || math.Abs(o) > 1e6:
		return fmt.Errorf("ordinal %v is not an integer", o)
	}
	lvl := &level{ordinal: int(o), geometry: f.Geometry}
	lvl.outdoor, _ = f.Props["outdoor"].(bool)
	f.Levels = cim.Level(o)
	ids, err := idList(f.Props, "building_ids")
	if err != nil {
		return err
	}
	var bs []*building
	for _, bid := range ids {
		b, err := r.building(bid, "level")
		if err != nil {
			return err
		}
		bs = append(bs, b)
	}
	f.Parent = r.venueParent()
	if len(ids) > 0 {
		f.Parent = "imdf:" + ids[0]
	}
	if err := f.Validate(); err != nil {
		return err
	}
	for _, b := range bs {
		b.levels = append(b.levels, lvl)
	}
	r.levels[id] = lvl
	return nil
}

// levelOf finds the level a unit or opening is on, by its level_id.
func (r *Reader) levelOf(f *cim.Feature, what string) (*level, error) {
	lid, _ := f.Props["level_id"].(string)
	if lid == "" {
		return nil, fmt.Errorf("%s has no level_id", what)
	}
	l, ok := r.levels[lid]
	switch {
	case ok:
		f.Levels = cim.Level(float64(l.ordinal))
		f.Parent = "imdf:" + lid
		return l, nil
	case r.skippedID[lid]:
		return nil, fmt.Errorf("%s references level %s, which was skipped", what, lid)
	}
	return nil, unknownRef("%s references unknown level %s", what, lid)
}

func (r *Reader) unitFeature(id string, f *cim.Feature, g json.RawMessage) error {
	f.Class = cim.ClassSpace
	var err error
	if f.Geometry, err = shapeOf(g, polygonal); err != nil {
		return err
	}
	if _, err := r.levelOf(f, "unit"); err != nil {
		return err
	}
	if err := f.Validate(); err != nil {
		return err
	}
	r.units[id] = f.Levels
	return nil
}

func (r *Reader) openingFeature(f *cim.Feature, g json.RawMessage) error {
	f.Class, f.Kind = cim.ClassOther, "opening"
	var err error
	if f.Geometry, err = shapeOf(g, linear); err != nil {
		return err
	}
	if _, err := r.levelOf(f, "opening"); err != nil {
		return err
	}
	return f.Validate()
}

func (r *Reader) amenityFeature(f *cim.Feature, g json.RawMessage) error {
	f.Class = cim.ClassFacility
	var err error
	if f.Geometry, err = shapeOf(g, point); err != nil {
		return err
	}
	ids, err := idList(f.Props, "unit_ids")
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		r.warnings["amenity without unit_ids: placed on the ground floor of the venue"]++
		f.Parent = r.venueParent()
		return f.Validate()
	}
	for i, uid := range ids {
		lv, ok := r.units[uid]
		switch {
		case !ok && r.skippedID[uid]:
			return fmt.Errorf("amenity references unit %s, which was skipped", uid)
		case !ok:
			return unknownRef("amenity references unknown unit %s", uid)
		case i == 0:
			f.Levels = lv
		default:
			f.Levels = cim.LevelRange{Min: min(f.Levels.Min, lv.Min), Max: max(f.Levels.Max, lv.Max)}
		}
	}
	f.Parent = "imdf:" + ids[0]
	return f.Validate()
}

// finishBuildings gives each building its geometry, levels and storey
// counts, once footprints and levels are read.
func (r *Reader) finishBuildings() error {
	for _, b := range r.buildingList {
		f := b.f
		switch {
		case len(b.ground) > 0:
			f.Geometry = union(b.ground)
		case b.own != nil:
			f.Geometry = b.own
			r.warnings["building outline taken from its own geometry, which IMDF wants null (no ground footprint)"]++
		case len(b.aerial) > 0:
			f.Geometry = union(b.aerial)
			r.warnings["building outline taken from its aerial footprint (no ground footprint)"]++
		case len(b.levels) > 0:
			nearest := b.levels[0]
			for _, l := range b.levels[1:] {
				if abs(l.ordinal) < abs(nearest.ordinal) || (abs(l.ordinal) == abs(nearest.ordinal) && l.ordinal > nearest.ordinal) {
					nearest = l
				}
			}
			f.Geometry = nearest.geometry
			r.warnings["building outline taken from its levels (no ground footprint)"]++
		default:
			r.warnings["building without footprint or levels: left out"]++
			b.f = nil
			continue
		}
		above, below := map[int]bool{}, map[int]bool{}
		for i, l := range b.levels {
			o := float64(l.ordinal)
			if i == 0 {
				f.Levels = cim.Level(o)
			}
			f.Levels = cim.LevelRange{Min: min(f.Levels.Min, o), Max: max(f.Levels.Max, o)}
			switch {
			case l.outdoor:
			case l.ordinal >= 0:
				above[l.ordinal] = true
			default:
				below[l.ordinal] = true
			}
		}
		if len(b.levels) > 0 {
			f.Vertical.SetLevelsAbove(len(above))
			f.Vertical.SetLevelsBelow(len(below))
		}
		if err := f.Validate(); err != nil {
			e := b.at
			e.Err = err
			if !r.opts.SkipInvalid {
				return &e
			}
			r.skipped = append(r.skipped, &e)
			b.f = nil
		}
	}
	return nil
}

func abs(i int) int { return max(i, -i) }

// union collects polygonal geometries into one: the geometry itself when
// there is one, else a MultiPolygon of all their polygons (which may
// overlap).
func union(gs []geom.T) geom.T {
	if len(gs) == 1 {
		return gs[0]
	}
	// Push fails only on a layout other than XY, which Normalize rules out.
	mp := geom.NewMultiPolygon(geom.XY)
	for _, g := range gs {
		switch g := g.(type) {
		case *geom.Polygon:
			_ = mp.Push(g)
		case *geom.MultiPolygon:
			for i := range g.NumPolygons() {
				_ = mp.Push(g.Polygon(i))
			}
		}
	}
	return mp
}

// shape is the kind of geometry a feature type has.
type shape int

const (
	polygonal shape = iota
	linear
	point
)

func (s shape) String() string {
	return [...]string{"a Polygon or MultiPolygon", "a LineString or MultiLineString", "a Point"}[s]
}

// shapeOf decodes, normalises and checks a feature's geometry.
func shapeOf(raw json.RawMessage, want shape) (geom.T, error) {
	g, err := geojson.DecodeGeometry(raw)
	if err != nil {
		return nil, fmt.Errorf("geometry: %w", err)
	}
	g = cim.Normalize(g)
	var got shape
	switch g.(type) {
	case *geom.Polygon, *geom.MultiPolygon:
		got = polygonal
	case *geom.LineString, *geom.MultiLineString:
		got = linear
	case *geom.Point:
		got = point
	default:
		got = -1
	}
	if got != want {
		return nil, fmt.Errorf("geometry is a %s, want %s", strings.TrimPrefix(fmt.Sprintf("%T", g), "*geom."), want)
	}
	if err := cim.ValidateGeometry(g); err != nil {
		return nil, fmt.Errorf("geometry: %w", err)
	}
	return g, nil
}

// idList reads a property holding an array of ids; absent or null is
// empty.
func idList(p map[string]any, key string) ([]string, error) {
	v, ok := p[key]
	if !ok {
		return nil, nil
	}
	a, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("%s is not an array of ids", key)
	}
	ids := make([]string, 0, len(a))
	for _, x := range a {
		s, ok := x.(string)
		if !ok || s == "" {
			return nil, fmt.Errorf("%s holds %v, not an id", key, x)
		}
		ids = append(ids, s)
	}
	return ids, nil
}

// labelKeys are the properties holding LABELS: language-tagged names.
var labelKeys = map[string]bool{"name": true, "alt_name": true, "short_name": true}

// props converts a feature's IMDF properties: nulls are dropped, labels
// flattened to key (in the manifest's language, else the first) and
// key:<language>, and imdf:type added.
func (r *Reader) props(typ string, raw map[string]json.RawMessage) map[string]any {
	p := make(map[string]any, len(raw)+4)
	for k, v := range raw {
		if isNull(v) {
			continue
		}
		if labelKeys[k] {
			if ls, ok := decodeLabels(v); ok {
				if len(ls) > 0 {
					p[k] = pickLabel(ls, r.manifest.Language)
				}
				for _, l := range ls {
					p[k+":"+l.lang] = l.text
				}
				continue
			}
		}
		var x any
		if json.Unmarshal(v, &x) == nil { // always: the text was framed as JSON
			p[k] = x
		}
	}
	p["imdf:type"] = typ
	return p
}

func isNull(raw json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }

type label struct{ lang, text string }

// decodeLabels reads a LABELS object in the order of the file. ok is
// false when raw is not an object of strings.
func decodeLabels(raw json.RawMessage) (ls []label, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, false
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return nil, false
		}
		v, err := dec.Token()
		if err != nil {
			return nil, false
		}
		switch v := v.(type) {
		case string:
			ls = append(ls, label{k.(string), v})
		case nil:
		default:
			return nil, false
		}
	}
	return ls, true
}

// pickLabel returns the label in language lang, or in a language that
// contains it or that it contains ("en" for "en-US" and the other way
// round), else the first.
func pickLabel(ls []label, lang string) string {
	for _, l := range ls {
		if strings.EqualFold(l.lang, lang) {
			return l.text
		}
	}
	for _, l := range ls {
		a, b := strings.ToLower(l.lang), strings.ToLower(lang)
		if lang != "" && (strings.HasPrefix(a, b+"-") || strings.HasPrefix(b, a+"-")) {
			return l.text
		}
	}
	return ls[0].text
}
