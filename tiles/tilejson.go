package tiles

import (
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/future-community/cim/problem"
)

// TileJSON is a TileJSON 3.0.0 document.
type TileJSON struct {
	TileJSON     string        `json:"tilejson"`
	Name         string        `json:"name"`
	Description  string        `json:"description,omitempty"`
	Version      string        `json:"version,omitempty"`
	Attribution  string        `json:"attribution,omitempty"`
	Scheme       string        `json:"scheme"`
	Tiles        []string      `json:"tiles"`
	MinZoom      int           `json:"minzoom"`
	MaxZoom      int           `json:"maxzoom"`
	Bounds       []float64     `json:"bounds,omitempty"`
	Center       []float64     `json:"center,omitempty"`
	VectorLayers []VectorLayer `json:"vector_layers"`
}

// VectorLayer describes a layer of the tiles, as TileJSON's vector_layers.
type VectorLayer struct {
	ID          string            `json:"id"`
	Description string            `json:"description,omitempty"`
	MinZoom     int               `json:"minzoom"`
	MaxZoom     int               `json:"maxzoom"`
	Fields      map[string]string `json:"fields"`
}

// VectorLayers describes the layers that tiles under p hold, for
// TileJSON and a PMTiles archive's metadata.
func VectorLayers(p Params) []VectorLayer {
	var out []VectorLayer
	for _, l := range LayersAt(MaxZoom, p) {
		out = append(out, VectorLayer{ID: l.Name, Description: l.Description, MinZoom: l.MinZoom, MaxZoom: MaxZoom, Fields: Fields})
	}
	return out
}

// baseURL is the scheme and host the client reached the server at.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (h *Handler) serveTileJSON(w http.ResponseWriter, r *http.Request) {
	p, sn, sum, ok := h.document(w, r)
	if !ok {
		return
	}
	defer sn.Close()
	tmpl := baseURL(r) + "/tiles/{z}/{x}/{y}.mvt"
	if q := p.Query(); q != "" {
		tmpl += "?" + q
	}
	tj := TileJSON{
		TileJSON: "3.0.0", Name: "cim", Scheme: "xyz", Tiles: []string{tmpl},
		Description: "Community Information Model: sites, parcels, buildings, storeys, spaces, green, water, roads, stops and facilities",
		Version:     strconv.FormatUint(sum.rev, 10),
		MinZoom:     0, MaxZoom: MaxZoom,
	}
	if len(sum.datasets) > 0 {
		tj.Attribution = "cim datasets: " + strings.Join(sum.datasets, ", ")
		if sum.osm {
			tj.Attribution = `<a href="https://www.openstreetmap.org/copyright">© OpenStreetMap contributors</a>; ` + tj.Attribution
		}
	}
	if !sum.empty {
		e := sum.extent
		tj.Bounds = []float64{round6(e.MinLon), round6(e.MinLat), round6(e.MaxLon), round6(e.MaxLat)}
		tj.Center = sum.center()
	}
	tj.VectorLayers = VectorLayers(p)
	writeJSON(w, r, tj, sum.rev, p.Query(), h.maxAge)
}

// fitZoom is the zoom at which a box of that many degrees fills about a
// 1000-pixel view, between 2 and 18.
func fitZoom(dLon, dLat float64) int {
	d := math.Max(dLon, dLat*1.3)
	if d <= 0 {
		return 16
	}
	z := int(math.Floor(math.Log2(360 * 1000 / 256 / d)))
	return max(2, min(18, z))
}

func round6(v float64) float64 { return math.Round(v*1e6) / 1e6 }

// writeJSON answers with v as JSON, with an ETag of the revision and key.
func writeJSON(w http.ResponseWriter, r *http.Request, v any, rev uint64, key string, maxAge interface{ Seconds() float64 }) {
	etag := etagOf(strconv.FormatUint(rev, 10) + "/" + r.URL.Path + "?" + key + "@" + r.Host)
	w.Header().Set("ETag", etag)
	w.Header().Set("Cache-Control", "public, max-age="+strconv.Itoa(int(maxAge.Seconds())))
	if match(r, etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		problem.Status(w, r, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(append(body, '\n'))
}
