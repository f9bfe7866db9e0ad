// Package query answers feature queries against a store snapshot: by id,
// by bounding box (the geometry intersects the box, as in OGC API –
// Features and GDAL), by floor (one level, a range, or all), by class,
// dataset and stage, and by property equality, with a limit and a cursor
// for the next page. Results stream from the index; they are never
// collected in memory first.
//
// The HTTP API and the tile server build on this package.
package query

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/index"
)

// Query selects features. The zero Query selects every feature that the
// latest view sees (View): one version of each, each dataset at its
// latest stage.
type Query struct {
	// ID selects the feature with this id (in every dataset and stage
	// that has one, narrowed by the other fields).
	ID string
	// BBox keeps features whose geometry intersects the box.
	BBox *cim.Box
	// Levels keeps features on at least one floor of the range; nil keeps
	// features on any floor.
	Levels *cim.LevelRange
	// Classes keeps features of any of these classes.
	Classes []cim.Class
	// Dataset keeps features of that dataset.
	Dataset string
	// Stage reads the model as that stage sees it (View); cim.StageAny,
	// the zero value, as each dataset's latest stage sees it.
	Stage cim.Stage
	// AllVersions reads the stored versions themselves instead of a
	// stage's view: every version, or with Stage those stored at exactly
	// that stage.
	AllVersions bool
	// Where keeps features whose properties equal all of these.
	Where []Cond
	// Omit lists fields the features found by a scan need not carry
	// (index.FieldGeometry, index.FieldProps), which the scan then does
	// not decode: a count or a list of ids needs neither. Properties are
	// decoded anyway when Where tests them.
	Omit index.Fields
	// Limit caps how many features a page holds; 0 means no limit.
	Limit int
	// Cursor continues from a previous page (Rows.Cursor).
	Cursor string
}

// Cond is a property equality test. Key is a property name, or one of the
// model fields "cim:kind" and "cim:parent". A property matches when its
// value as text (cim.PropText) equals Value: numbers in their shortest
// form ("5", "2.5"), booleans as "yes"/"no" (or "true"/"false").
type Cond struct {
	Key, Value string
}

// ParseCond reads "key=value".
func ParseCond(s string) (Cond, error) {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return Cond{}, fmt.Errorf("condition %q: want key=value", s)
	}
	return Cond{k, v}, nil
}

// ParseBBox reads "W,S,E,N" in degrees.
func ParseBBox(s string) (cim.Box, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return cim.Box{}, fmt.Errorf("bbox %q: want W,S,E,N (four numbers)", s)
	}
	var v [4]float64
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return cim.Box{}, fmt.Errorf("bbox %q: %q is not a number", s, p)
		}
		v[i] = f
	}
	b := cim.Box{MinLon: v[0], MinLat: v[1], MaxLon: v[2], MaxLat: v[3]}
	return b, b.Validate()
}

// ErrBadCursor is returned for a cursor that is malformed or belongs to
// another query.
var ErrBadCursor = errors.New("invalid cursor")

// Rows is the result of Run. Use it like database/sql.Rows:
//
//	rows := query.Run(ctx, snap, q)
//	defer rows.Close()
//	for rows.Next() { f := rows.Feature(); … }
//	if err := rows.Err(); err != nil { … }
type Rows struct {
	q    Query
	it   *index.Iter
	ctx  context.Context
	byID []*cim.Feature
	view *View // nil when the scan's stage filter is the whole view
	cur  *cim.Feature
	n    int
	pos  []byte // position of the last feature returned
	more bool
	err  error
	tag  []byte
}

// Run starts a query on a snapshot. Errors in the query itself (a bad box,
// level range or cursor) are reported by Rows.Err.
func Run(ctx context.Context, sn *index.Snapshot, q Query) *Rows {
	r := &Rows{q: q, tag: queryTag(q)}
	if q.Limit < 0 {
		r.err = fmt.Errorf("limit %d is negative", q.Limit)
		return r
	}
	stage := q.Stage // the scan's filter
	if !q.AllVersions {
		stage = cim.StageAny
		v, err := NewView(sn, q.Stage)
		if err != nil {
			r.err = err
			return r
		}
		if st, whole := v.StoredStage(); whole {
			stage = st
		} else {
			r.view = v
			if q.ID == "" && v.HasContext(q.Dataset) {
				if r.err = v.Prepare(ctx, q.BBox); r.err != nil {
					return r
				}
			}
		}
	}
	if q.ID != "" {
		var fs []*cim.Feature
		var err error
		if q.Dataset != "" && stage != cim.StageAny && r.view == nil {
			var f *cim.Feature
			if f, err = sn.Get(q.Dataset, stage, q.ID); err == nil {
				fs = []*cim.Feature{f}
			} else if errors.Is(err, index.ErrNotFound) {
				err = nil
			}
		} else {
			fs, err = sn.Lookup(q.ID)
		}
		if err == nil && r.view != nil {
			fs, err = r.view.Pick(ctx, fs)
		}
		if err != nil {
			r.err = err
			return r
		}
		for _, f := range fs {
			if r.matchesAll(f, stage) {
				r.byID = append(r.byID, f)
			}
		}
		return r
	}
	var after []byte
	if q.Cursor != "" {
		if after, r.err = r.decodeCursor(q.Cursor); r.err != nil {
			return r
		}
	}
	omit := q.Omit
	if len(q.Where) > 0 {
		omit &^= index.FieldProps | index.FieldOtherProps
	}
	if r.view != nil && r.view.HasContext(q.Dataset) {
		omit &^= index.FieldGeometry // the view measures context features' cover
	}
	r.ctx = ctx
	r.it, r.err = sn.Scan(ctx, index.Filter{
		Box: q.BBox, Levels: q.Levels, Classes: q.Classes, Dataset: q.Dataset, Stage: stage, After: after, Omit: omit,
	})
	return r
}

// matchesAll checks every filter; for features found by id.
func (r *Rows) matchesAll(f *cim.Feature, stage cim.Stage) bool {
	q := r.q
	return (q.Dataset == "" || f.Dataset == q.Dataset) &&
		(stage == cim.StageAny || f.Stage == stage) &&
		(len(q.Classes) == 0 || slices.Contains(q.Classes, f.Class)) &&
		(q.Levels == nil || f.Levels.Overlaps(*q.Levels)) &&
		(q.BBox == nil || cim.IntersectsBox(f.Geometry, *q.BBox)) &&
		matchWhere(f, q.Where)
}

// Next advances to the next feature.
func (r *Rows) Next() bool {
	if r.err != nil {
		return false
	}
	if r.q.Limit > 0 && r.n >= r.q.Limit {
		if r.it != nil && !r.more {
			r.more = r.advance()
		}
		return false
	}
	if r.it == nil {
		if r.n >= len(r.byID) {
			return false
		}
		r.cur = r.byID[r.n]
		r.n++
		return true
	}
	if !r.advance() {
		return false
	}
	r.pos = append(r.pos[:0], r.it.Pos()...)
	r.n++
	return true
}

// advance moves the iterator to the next feature that passes the where
// conditions and sets r.cur.
func (r *Rows) advance() bool {
	for r.it.Next() {
		f, err := r.it.Feature()
		if err != nil {
			r.err = err
			return false
		}
		if !matchWhere(f, r.q.Where) {
			continue
		}
		if r.view != nil {
			ok, err := r.view.Sees(r.ctx, f)
			if err != nil {
				r.err = err
				return false
			}
			if !ok {
				continue
			}
		}
		r.cur = f
		return true
	}
	r.err = r.it.Err()
	return false
}

// Feature returns the current feature.
func (r *Rows) Feature() *cim.Feature { return r.cur }

// Err returns the error that stopped Next, if any.
func (r *Rows) Err() error { return r.err }

// Plan names the index the query reads, for explaining it.
func (r *Rows) Plan() string {
	if r.it == nil {
		return "lookup by id"
	}
	return r.it.Plan().String()
}

// Cursor returns the cursor for the next page once Next has returned false
// because the page is full, or "" when there is nothing more.
func (r *Rows) Cursor() string {
	if !r.more || r.pos == nil {
		return ""
	}
	b := append(bytes.Clone(r.tag), r.pos...)
	return base64.RawURLEncoding.EncodeToString(b)
}

// CursorAfter returns a cursor that continues after the current feature
// (the last one Next returned), for a caller that pages by itself, such
// as one that applies a filter of its own to the rows; "" for features
// found by id, which come in one page.
func (r *Rows) CursorAfter() string {
	if r.it == nil || r.pos == nil {
		return ""
	}
	b := append(bytes.Clone(r.tag), r.pos...)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Close releases the rows.
func (r *Rows) Close() {
	if r.it != nil {
		r.it.Close()
	}
}

// queryTag fingerprints the filter part of a query, so that a cursor is
// refused by a different query.
func queryTag(q Query) []byte {
	h := sha256.New()
	fmt.Fprintf(h, "%v|%v|%v|%q|%v|%v|%v", q.BBox, q.Levels, q.Classes, q.Dataset, q.Stage, q.AllVersions, q.Where)
	return binary.BigEndian.AppendUint32([]byte{1}, binary.BigEndian.Uint32(h.Sum(nil)))
}

func (r *Rows) decodeCursor(s string) ([]byte, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) <= len(r.tag) {
		return nil, ErrBadCursor
	}
	if !bytes.Equal(b[:len(r.tag)], r.tag) {
		return nil, fmt.Errorf("%w: it belongs to another query", ErrBadCursor)
	}
	return b[len(r.tag):], nil
}

func matchWhere(f *cim.Feature, where []Cond) bool {
	for _, c := range where {
		var s string
		ok := true
		switch c.Key {
		case "cim:kind":
			s = f.Kind
		case "cim:parent":
			s = f.Parent
		default:
			s, ok = cim.PropText(f.Props[c.Key])
		}
		if !ok || !(s == c.Value || isBoolMatch(s, c.Value)) {
			return false
		}
	}
	return true
}

// isBoolMatch lets "true" and "false" match booleans, which PropText
// writes as "yes" and "no".
func isBoolMatch(s, want string) bool {
	return (s == "yes" && want == "true") || (s == "no" && want == "false")
}
