package features

import (
	"context"
	"fmt"
	"maps"
	"math"
	"net/http"
	"slices"
	"strings"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/geojson"
	"github.com/future-community/cim/index"
	"github.com/future-community/cim/plan"
	"github.com/future-community/cim/problem"
	"github.com/future-community/cim/query"
)

// sampleSize is how many features of a collection the queryables sample
// for the properties present.
const sampleSize = 500

// fieldSchemas are the queryables every collection has: cim's own fields.
var fieldSchemas = map[string]map[string]any{
	"id":        {"type": "string", "title": "The CIM id"},
	"class":     {"type": "string", "title": "The CIM class"},
	"kind":      {"type": "string", "title": "The source's word for the kind of thing"},
	"name":      {"type": "string", "title": "The name"},
	"dataset":   {"type": "string", "title": "The dataset"},
	"stage":     {"type": "string", "enum": []string{"planning", "design", "construction", "as-built"}},
	"level_min": {"type": "number", "title": "The lowest floor"},
	"level_max": {"type": "number", "title": "The highest floor"},
	"height":    {"type": "number", "title": "The height in metres"},
	"parent":    {"type": "string", "title": "The enclosing feature's id"},
	// The same fields by the names the GeoJSON of items gives them.
	"cim:class":   {"type": "string", "title": "The CIM class (as class)"},
	"cim:kind":    {"type": "string", "title": "As kind"},
	"cim:dataset": {"type": "string", "title": "As dataset"},
	"cim:stage":   {"type": "string", "enum": []string{"planning", "design", "construction", "as-built"}},
	"cim:parent":  {"type": "string", "title": "As parent"},
	"cim:level":   {"type": "string", "title": "The floors, as items give them: 2, or -1..25"},
}

// queryables returns the JSON Schema properties of a collection,
// computed once per revision and class.
func (h *Handler) queryables(ctx context.Context, sn *index.Snapshot, c cim.Class) (map[string]any, error) {
	key := fmt.Sprint(sn.Revision(), "/", c)
	h.mu.Lock()
	if h.queryCache == nil || h.queryRev != sn.Revision() {
		h.queryCache, h.queryRev = map[string]map[string]any{}, sn.Revision()
	}
	if q, ok := h.queryCache[key]; ok {
		h.mu.Unlock()
		return q, nil
	}
	h.mu.Unlock()
	props := map[string]any{}
	for k, v := range fieldSchemas {
		props[k] = v
	}
	rows := query.Run(ctx, sn, query.Query{Classes: []cim.Class{c}, Limit: sampleSize, Omit: index.FieldGeometry})
	defer rows.Close()
	for rows.Next() {
		for k, v := range rows.Feature().Props {
			if _, ok := props[k]; ok || geojson.Reserved(k) {
				continue
			}
			t := "string"
			switch v.(type) {
			case float64:
				t = "number"
			case bool:
				t = "boolean"
			case nil, []any, map[string]any:
				continue
			}
			props[k] = map[string]any{"type": t}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	h.mu.Lock()
	h.queryCache[key] = props
	h.mu.Unlock()
	return props, nil
}

func (h *Handler) serveQueryables(w http.ResponseWriter, r *http.Request) {
	c, ok := class(w, r)
	if !ok {
		return
	}
	sn, err := h.store.Snapshot()
	if err != nil {
		problem.Status(w, r, http.StatusServiceUnavailable, "the store is closed")
		return
	}
	defer sn.Close()
	props, err := h.queryables(r.Context(), sn, c)
	if err != nil {
		problem.Status(w, r, http.StatusInternalServerError, err.Error())
		return
	}
	// The draft of Part 3 listed queryables as {"queryables": [{"id"…}]},
	// which GDAL before 3.9 reads to learn what it may filter on; the
	// list rides along the JSON Schema as an annotation.
	var list []map[string]any
	for _, k := range slices.Sorted(maps.Keys(props)) {
		list = append(list, map[string]any{"id": k, "type": props[k].(map[string]any)["type"]})
	}
	// JSON Schema's own media type, unless the client asks for JSON
	// without it (GDAL does, and wants what it asked for).
	ctype := "application/schema+json"
	if a := r.Header.Get("Accept"); strings.Contains(a, typeJSON) && !strings.Contains(a, ctype) {
		ctype = typeJSON
	}
	h.writeJSON(w, r, ctype, sn.Revision(), map[string]any{
		"$schema": "https://json-schema.org/draft/2020-12/schema",
		"$id":     baseURL(r) + "/collections/" + c.String() + "/queryables",
		"type":    "object", "title": c.String(), "properties": props, "additionalProperties": true,
		"queryables": list,
	})
}

// fullStoreyM is the height from which a storey's floor area counts in
// full (GB/T 50353-2013 3.0.1): the check's own default, so that the floor
// stack and cim check count GFA alike.
var fullStoreyM = plan.DefaultParams().StoreyFullHeightM

// level is one floor of a building's stack.
type level struct {
	Level      float64  `json:"level"`
	Name       string   `json:"name,omitempty"`
	ElevationM *float64 `json:"elevation_m,omitempty"`
	HeightM    *float64 `json:"height_m,omitempty"`
	AreaM2     float64  `json:"floor_area_m2"`
	GFAM2      float64  `json:"gfa_counted_m2"`
	Spaces     int      `json:"spaces"`
	ID         string   `json:"id"`
}

// serveLevels answers a building's floor stack: its storeys (the
// features of class storey whose parent it is), lowest first, each with
// the spaces whose parent the storey is. A storey's counted GFA (计容建筑
// 面积) is its floor area when it is at or above the ground floor, in
// full when it is at least fullStoreyM high (or its height is unknown)
// and in half below, as GB/T 50353-2013 counts it; a basement counts
// none.
func (h *Handler) serveLevels(w http.ResponseWriter, r *http.Request) {
	c, ok := class(w, r)
	if !ok {
		return
	}
	if c != cim.ClassBuilding {
		problem.Status(w, r, http.StatusNotFound, "levels are of buildings: /collections/building/items/{featureId}/levels")
		return
	}
	p, err := ParseParams(r.URL.Query())
	if err != nil {
		badParam(w, r, err)
		return
	}
	b, sn, ok := h.item(w, r, c, p)
	if !ok {
		return
	}
	defer sn.Close()
	kids := func(cl cim.Class, parent string) ([]*cim.Feature, error) {
		rows := query.Run(r.Context(), sn, query.Query{Classes: []cim.Class{cl}, Dataset: b.Dataset, Stage: p.Stage,
			Where: []query.Cond{{Key: "cim:parent", Value: parent}}})
		defer rows.Close()
		var fs []*cim.Feature
		for rows.Next() {
			fs = append(fs, rows.Feature())
		}
		return fs, rows.Err()
	}
	storeys, err := kids(cim.ClassStorey, b.ID)
	if err != nil {
		problem.Status(w, r, http.StatusInternalServerError, err.Error())
		return
	}
	out := []level{}
	for _, s := range storeys {
		spaces, err := kids(cim.ClassSpace, s.ID)
		if err != nil {
			problem.Status(w, r, http.StatusInternalServerError, err.Error())
			return
		}
		l := level{Level: s.Levels.Min, ID: s.ID, AreaM2: math.Round(cim.AreaM2(s.Geometry)*100) / 100, Spaces: len(spaces)}
		if l.Level >= 0 {
			l.GFAM2 = l.AreaM2
			if v := s.Vertical; v.Has(cim.KnownStoreyHeight) && v.StoreyHeightM < fullStoreyM {
				l.GFAM2 /= 2
			}
		}
		if n, ok := s.Props["name"].(string); ok {
			l.Name = n
		}
		if v := s.Vertical; v.Has(cim.KnownElevation) {
			e := v.ElevationM
			l.ElevationM = &e
		}
		if v := s.Vertical; v.Has(cim.KnownStoreyHeight) {
			e := v.StoreyHeightM
			l.HeightM = &e
		}
		out = append(out, l)
	}
	slices.SortFunc(out, func(a, b level) int {
		if a.Level < b.Level {
			return -1
		}
		if a.Level > b.Level {
			return 1
		}
		return 0
	})
	h.writeJSON(w, r, typeJSON, sn.Revision(), map[string]any{"building": b.ID, "dataset": b.Dataset, "levels": out})
}
