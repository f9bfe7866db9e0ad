package tiles

import (
	"net/http"
	"strconv"
)

// Style returns a MapLibre style (version 8) on the tiles of tileJSONURL:
// every layer drawn by class, buildings, building parts and storeys as
// fill-extrusion from min_height to height (so storeys stack in 3D), and
// no text, so the style needs no glyph server and cim stays
// self-contained. center and zoom place the first view.
func Style(tileJSONURL string, center []float64) map[string]any {
	src := "cim"
	fill := func(id, layer, color string, opacity float64, minzoom int) map[string]any {
		return map[string]any{
			"id": id, "type": "fill", "source": src, "source-layer": layer, "minzoom": minzoom,
			"paint": map[string]any{"fill-color": color, "fill-opacity": opacity, "fill-outline-color": color},
		}
	}
	line := func(id, layer, color string, width any, minzoom int, dash []float64) map[string]any {
		l := map[string]any{
			"id": id, "type": "line", "source": src, "source-layer": layer, "minzoom": minzoom,
			"layout": map[string]any{"line-join": "round", "line-cap": "round"},
			"paint":  map[string]any{"line-color": color, "line-width": width},
		}
		if dash != nil {
			l["paint"].(map[string]any)["line-dasharray"] = dash
		}
		return l
	}
	extrusion := func(id, layer string, color any, opacity float64, minzoom int) map[string]any {
		return map[string]any{
			"id": id, "type": "fill-extrusion", "source": src, "source-layer": layer, "minzoom": minzoom,
			"paint": map[string]any{
				"fill-extrusion-color":   color,
				"fill-extrusion-height":  []any{"coalesce", []any{"get", "height"}, 3},
				"fill-extrusion-base":    []any{"coalesce", []any{"get", "min_height"}, 0},
				"fill-extrusion-opacity": opacity,
			},
		}
	}
	circle := func(id, layer, color string, radius float64, minzoom int) map[string]any {
		return map[string]any{
			"id": id, "type": "circle", "source": src, "source-layer": layer, "minzoom": minzoom,
			"paint": map[string]any{"circle-color": color, "circle-radius": radius, "circle-stroke-color": "#ffffff", "circle-stroke-width": 1.5},
		}
	}
	// Buildings and storeys coloured by use, as planning drawings do.
	byKind := []any{"match", []any{"get", "kind"},
		"residential", "#e8b04b", "apartments", "#e8b04b", "house", "#e8b04b",
		"commercial", "#d9634c", "retail", "#d9634c", "office", "#9a6fb0",
		"school", "#4c8fd9", "kindergarten", "#4c8fd9", "hospital", "#d94c7a",
		"#c9c3b8"}
	s := map[string]any{
		"version": 8,
		"name":    "cim",
		"sources": map[string]any{src: map[string]any{"type": "vector", "url": tileJSONURL}},
		"layers": []any{
			map[string]any{"id": "background", "type": "background", "paint": map[string]any{"background-color": "#f4f1ea"}},
			fill("parcel", "parcel", "#e6e0d4", 0.6, 12),
			line("parcel-outline", "parcel", "#b8ad99", 0.5, 14, nil),
			fill("water", "water", "#a8cbe8", 1, 10),
			fill("green", "green", "#9fd08a", 0.85, 12),
			line("road", "road", "#ffffff", []any{"interpolate", []any{"linear"}, []any{"zoom"}, 12, 0.5, 18, 8}, 12, nil),
			line("road-casing", "road", "#d4cdbf", []any{"interpolate", []any{"linear"}, []any{"zoom"}, 12, 0.25, 18, 1}, 14, nil),
			fill("space", "space", "#f7e7c6", 0.7, 16),
			line("space-outline", "space", "#9c8a6a", 0.6, 17, nil),
			extrusion("building", "building", byKind, 0.85, 13),
			extrusion("building-part", "building_part", "#bdb6a9", 0.9, 15),
			extrusion("storey", "storey", byKind, 0.8, 16),
			line("site", "site", "#d9634c", 2.5, 10, []float64{2, 1}),
			circle("facility", "facility", "#4c8fd9", 5, 14),
			circle("transit-stop", "transit_stop", "#2a6f3e", 6, 13),
		},
	}
	if len(center) == 3 {
		s["center"] = center[:2]
		s["zoom"] = center[2]
		s["pitch"] = 45
	}
	return s
}

func (h *Handler) serveStyle(w http.ResponseWriter, r *http.Request) {
	p, sn, sum, ok := h.document(w, r)
	if !ok {
		return
	}
	defer sn.Close()
	url := baseURL(r) + "/tiles.json"
	if q := p.Query(); q != "" {
		url += "?" + q
	}
	center := sum.center()
	writeJSON(w, r, Style(url, center), sum.rev, p.Query()+strconv.Itoa(len(center)), h.maxAge)
}
