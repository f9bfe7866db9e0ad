package features

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/problem"
	"github.com/future-community/cim/query"
	"github.com/future-community/cim/query/cql2"
)

// DefaultLimit is how many features a page of items holds when the
// request names no limit; MaxLimit is the most a request may ask for.
const (
	DefaultLimit = 100
	MaxLimit     = 10000
)

// maxParam bounds a parameter's value: no valid one comes near.
const maxParam = 1024

// Params are an items request's query parameters.
type Params struct {
	// Limit is the page size, 1 to MaxLimit.
	Limit int
	// BBox keeps features whose geometry intersects it (in WGS84, after
	// conversion from bbox-crs).
	BBox *cim.Box
	// CRS is the CRS of the answer's coordinates (crs=).
	CRS *outCRS
	// Levels, Stage and Dataset narrow the features as in package query.
	Levels  *cim.LevelRange
	Stage   cim.Stage
	Dataset string
	// Where lists property equalities (?kind=kindergarten).
	Where []query.Cond
	// Rev and Cursor continue a paging: the revision the first page read
	// and the position after the previous page. Before (a prev link's)
	// asks instead for the page that ends at that position.
	Rev    uint64
	Cursor string
	Before string
	// AsOf reads the store as it was at a revision or a time
	// (index.Store.SnapshotAsOf); "" reads it as it is.
	AsOf string
	// Filter is the CQL2 filter (filter=, filter-lang=), nil for none.
	// The handler binds it to the collection's queryables; what passes
	// is counted in the page.
	Filter cql2.Expr
}

// reserved are the parameters that are not property equalities.
var reserved = map[string]bool{
	"f": true, "limit": true, "bbox": true, "bbox-crs": true, "crs": true, "level": true, "stage": true,
	"dataset": true, "rev": true, "cursor": true, "before": true, "as_of": true, "filter": true, "filter-lang": true, "filter-crs": true,
	"datetime": true,
}

// fieldKeys maps the queryable names of cim's own fields to query.Cond keys.
var fieldKeys = map[string]string{"kind": "cim:kind", "parent": "cim:parent"}

// ParseParams reads an items request's query. A bad value is a
// *problem.ParamError naming it. Parameters other than the ones above
// are property equalities: kind=kindergarten, name=…, parent=….
func ParseParams(q url.Values) (Params, error) {
	p := Params{Limit: DefaultLimit}
	var bad *problem.ParamError
	get := func(name string) string {
		vs := q[name]
		switch {
		case len(vs) == 0 || bad != nil:
			return ""
		case len(vs) > 1:
			bad = &problem.ParamError{Name: name, Value: strings.Join(vs, ","), Reason: "given more than once"}
			return ""
		case len(vs[0]) > maxParam:
			bad = &problem.ParamError{Name: name, Value: vs[0][:32] + "…", Reason: fmt.Sprintf("longer than %d bytes", maxParam)}
			return ""
		}
		return vs[0]
	}
	fail := func(name, v, reason string) {
		if bad == nil {
			bad = &problem.ParamError{Name: name, Value: v, Reason: reason}
		}
	}
	if v := get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxLimit {
			fail("limit", v, fmt.Sprintf("want a whole number from 1 to %d", MaxLimit))
		}
		p.Limit = n
	}
	var err error
	if p.CRS, err = parseCRS(get("crs")); err != nil {
		fail("crs", q.Get("crs"), err.Error())
	}
	bboxCRS, err := parseCRS(get("bbox-crs"))
	if err != nil {
		fail("bbox-crs", q.Get("bbox-crs"), err.Error())
	}
	if v := get("bbox"); v != "" && bad == nil {
		parts := strings.Split(v, ",")
		var n [4]float64
		switch len(parts) {
		case 4:
			for i, s := range parts {
				if n[i], err = strconv.ParseFloat(strings.TrimSpace(s), 64); err != nil {
					fail("bbox", v, fmt.Sprintf("%q is not a number", s))
				}
			}
		case 6:
			fail("bbox", v, "a 3D box (six numbers) is not supported: give four, lower left and upper right corners")
		default:
			fail("bbox", v, fmt.Sprintf("want four numbers (lower left and upper right corners), got %d", len(parts)))
		}
		if bad == nil {
			b, err := bboxCRS.boxToLonLat(n)
			if err != nil {
				fail("bbox", v, err.Error())
			}
			p.BBox = &b
		}
	} else if q.Has("bbox-crs") && bad == nil {
		fail("bbox-crs", q.Get("bbox-crs"), "given without bbox")
	}
	if v := get("level"); v != "" {
		r, err := cim.ParseLevelRange(v)
		if err != nil {
			fail("level", v, "want a floor (0 is the ground floor, -1 the first basement) or a range A..B: "+err.Error())
		}
		p.Levels = &r
	}
	if v := get("stage"); v != "" {
		if p.Stage, err = cim.ParseStage(v); err != nil {
			fail("stage", v, err.Error())
		}
	}
	p.Dataset = get("dataset")
	p.AsOf = get("as_of")
	if v := get("rev"); v != "" {
		if p.Rev, err = strconv.ParseUint(v, 10, 64); err != nil || p.Rev == 0 {
			fail("rev", v, "want the revision a next link gave")
		}
	}
	p.Cursor = get("cursor")
	if p.Cursor != "" && p.Rev == 0 {
		fail("cursor", p.Cursor, "given without rev: follow the next link as it is")
	}
	p.Before = get("before")
	switch {
	case p.Before != "" && p.Rev == 0:
		fail("before", p.Before, "given without rev: follow the prev link as it is")
	case p.Before != "" && p.Cursor != "":
		fail("before", p.Before, "given with cursor: a page either follows a position (cursor, next links) or ends at one (before, prev links)")
	}
	if p.Filter, err = parseFilter(get("filter"), get("filter-lang"), get("filter-crs")); err != nil && bad == nil {
		bad = err.(*problem.ParamError)
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		if !reserved[k] {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := get(k)
		if k == "" || strings.HasPrefix(k, "cim:") {
			fail(k, v, "not a property that can be queried")
			continue
		}
		if fk, ok := fieldKeys[k]; ok {
			k = fk
		}
		p.Where = append(p.Where, query.Cond{Key: k, Value: v})
	}
	if bad != nil {
		return Params{}, bad
	}
	return p, nil
}

// parseFilter reads filter=, filter-lang= and filter-crs= (OGC API –
// Features Part 3): CQL2 text (filter-lang cql2-text, the default, or
// cql-text as GDAL names it) or CQL2 JSON (cql2-json); nil when there is
// no filter. Geometries in a filter are CRS84 longitude and latitude.
func parseFilter(filter, lang, filterCRS string) (cql2.Expr, error) {
	if filterCRS != "" && !isCRS84(filterCRS) {
		return nil, &problem.ParamError{Name: "filter-crs", Value: filterCRS, Reason: "filters take CRS84 longitude and latitude (" + CRS84 + ") only"}
	}
	if filter == "" {
		if lang != "" || filterCRS != "" {
			return nil, &problem.ParamError{Name: "filter", Reason: "filter-lang or filter-crs given without a filter"}
		}
		return nil, nil
	}
	var e cql2.Expr
	var err error
	switch lang {
	case "", "cql2-text", "cql-text":
		e, err = cql2.ParseText(filter)
	case "cql2-json", "cql-json":
		e, err = cql2.ParseJSON([]byte(filter))
	default:
		return nil, &problem.ParamError{Name: "filter-lang", Value: lang, Reason: "want cql2-text or cql2-json"}
	}
	if err != nil {
		return nil, &problem.ParamError{Name: "filter", Value: filter, Reason: err.Error()}
	}
	return e, nil
}

// query returns the index query of the parameters.
func (p Params) query(class cim.Class) query.Query {
	return query.Query{BBox: p.BBox, Levels: p.Levels, Classes: []cim.Class{class}, Dataset: p.Dataset,
		Stage: p.Stage, Where: p.Where, Cursor: p.Cursor}
}

// values returns the parameters as a query string for links: the given
// spelling normalised, without rev and cursor.
func (p Params) values() url.Values {
	v := url.Values{}
	v.Set("limit", strconv.Itoa(p.Limit))
	if p.BBox != nil {
		b := p.BBox
		v.Set("bbox", fmt.Sprintf("%s,%s,%s,%s", num(b.MinLon), num(b.MinLat), num(b.MaxLon), num(b.MaxLat)))
	}
	if p.CRS != nil && !p.CRS.isDefault() {
		v.Set("crs", p.CRS.uri)
	}
	if p.Levels != nil {
		v.Set("level", p.Levels.String())
	}
	if p.Stage != cim.StageAny {
		v.Set("stage", p.Stage.String())
	}
	if p.Dataset != "" {
		v.Set("dataset", p.Dataset)
	}
	if p.AsOf != "" {
		v.Set("as_of", p.AsOf)
	}
	for _, c := range p.Where {
		k := c.Key
		for name, fk := range fieldKeys {
			if fk == k {
				k = name
			}
		}
		v.Set(k, c.Value)
	}
	if p.Filter != nil {
		// The filter as CQL2 text, whichever language it came in: the
		// same expression (cql2.String round-trips).
		v.Set("filter", cql2.String(p.Filter))
		v.Set("filter-lang", "cql2-text")
	}
	return v
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
