package tiles

import (
	"math"

	"github.com/future-community/cim/cim"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/simplify"
	"github.com/twpayne/go-geom"
)

const (
	// Extent is the tiles' coordinate range, MVT's usual 4096.
	Extent = 4096
	// Buffer is how far, in tile units, geometry reaches past the
	// tile's edge, so that strokes and labels at the edge join up.
	Buffer = 64
	// pixel is one pixel of a 256-pixel tile in tile units: features
	// smaller than this are dropped, and simplification removes detail
	// below it.
	pixel = Extent / 256
)

// projector maps lon/lat to a tile's coordinates: x right, y down, 0 to
// Extent across the tile.
type projector struct {
	z      maptile.Zoom
	x0, y0 float64
}

func newProjector(t maptile.Tile) projector {
	return projector{z: t.Z, x0: float64(t.X), y0: float64(t.Y)}
}

func (p projector) point(lon, lat float64) orb.Point {
	f := maptile.Fraction(orb.Point{lon, clampLat(lat)}, p.z)
	return orb.Point{(f[0] - p.x0) * Extent, (f[1] - p.y0) * Extent}
}

// clampLat keeps a latitude within Web Mercator's range.
func clampLat(lat float64) float64 {
	const maxLat = 85.0511287798066
	return math.Max(-maxLat, math.Min(maxLat, lat))
}

func (p projector) flat(flat []float64, stride int) []orb.Point {
	pts := make([]orb.Point, 0, len(flat)/stride)
	for i := 0; i+1 < len(flat); i += stride {
		pts = append(pts, p.point(flat[i], flat[i+1]))
	}
	return pts
}

// project turns a go-geom geometry into orb's, in tile coordinates.
func (p projector) project(g geom.T) orb.Geometry {
	stride := g.Stride()
	flat := g.FlatCoords()
	switch g := g.(type) {
	case *geom.Point:
		return p.point(flat[0], flat[1])
	case *geom.MultiPoint:
		return orb.MultiPoint(p.flat(flat, stride))
	case *geom.LineString:
		return orb.LineString(p.flat(flat, stride))
	case *geom.MultiLineString:
		var mls orb.MultiLineString
		start := 0
		for _, end := range g.Ends() {
			mls = append(mls, orb.LineString(p.flat(flat[start:end], stride)))
			start = end
		}
		return mls
	case *geom.Polygon:
		return p.polygon(flat, g.Ends(), 0, stride)
	case *geom.MultiPolygon:
		var mp orb.MultiPolygon
		start := 0
		for _, ends := range g.Endss() {
			mp = append(mp, p.polygon(flat, ends, start, stride))
			if len(ends) > 0 {
				start = ends[len(ends)-1]
			}
		}
		return mp
	}
	return nil
}

func (p projector) polygon(flat []float64, ends []int, start, stride int) orb.Polygon {
	var poly orb.Polygon
	for _, end := range ends {
		poly = append(poly, orb.Ring(p.flat(flat[start:end], stride)))
		start = end
	}
	return poly
}

// clipBound is the tile with its buffer, in tile coordinates.
var clipBound = orb.Bound{Min: orb.Point{-Buffer, -Buffer}, Max: orb.Point{Extent + Buffer, Extent + Buffer}}

// tileGeometry makes a feature's projected geometry fit for a tile, as
// MVT 2.1 wants it: clipped to the tile and its buffer, simplified to a
// pixel, snapped to whole units without repeated points, with rings of
// positive area (clockwise on screen) outside and negative inside. It
// returns nil for what the tile does not show, by these rules:
//
//   - a line or area smaller than a pixel both ways (small);
//   - a line whose part in the buffered tile spans under a unit both
//     ways, and an area whose part spans under a unit either way
//     (slight): snapped to whole units, either is nothing.
//
// Simplification never drops a part or makes a polygon cross itself:
// where it would, the part is kept unsimplified. The work is done in g's
// own memory: g is not to be used after.
func tileGeometry(g orb.Geometry) orb.Geometry {
	switch g := g.(type) {
	case orb.Point:
		if !clipBound.Contains(g) {
			return nil
		}
		return roundPoint(g)
	case orb.MultiPoint:
		var out orb.MultiPoint
		for _, pt := range g {
			if clipBound.Contains(pt) {
				out = append(out, roundPoint(pt))
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	case orb.LineString, orb.MultiLineString:
		if small(g.Bound()) {
			return nil
		}
		var out orb.MultiLineString
		for _, ls := range lines(clipped(g)) {
			if slight(ls.Bound(), false) {
				continue
			}
			ls = simplify.DouglasPeucker(pixel / 4).LineString(ls) // in place
			if ls = roundLine(ls); len(ls) >= 2 {
				out = append(out, ls)
			}
		}
		return collapse(out, out)
	case orb.Polygon, orb.MultiPolygon:
		if small(g.Bound()) {
			return nil
		}
		var out orb.MultiPolygon
		for _, p := range polygons(clipped(g)) {
			if len(p) == 0 || slight(p.Bound(), true) {
				continue
			}
			sp := simplify.DouglasPeucker(pixel / 4).Polygon(p.Clone())
			// Only a simplification that dropped vertices can have made a
			// crossing that the exact part lacks.
			dropped := vertices(sp) < vertices(p)
			simple := finishPolygons(orb.MultiPolygon{sp})
			if len(simple) == 0 || dropped && selfCrossing(simple) {
				if exact := finishPolygons(orb.MultiPolygon{p}); len(exact) > 0 && !selfCrossing(exact) || len(simple) == 0 {
					simple = exact
				}
			}
			out = append(out, simple...)
		}
		return collapse(out, out)
	}
	return nil
}

// clipped returns g clipped to the tile and its buffer: g itself when it
// lies within (as most features of a tile do), which clip would copy.
// Either way the caller owns the result and may change it in place.
func clipped(g orb.Geometry) orb.Geometry {
	if b := g.Bound(); clipBound.Contains(b.Min) && clipBound.Contains(b.Max) {
		return g
	}
	return clip.Geometry(clipBound, g)
}

// vertices counts a polygon's vertices.
func vertices(p orb.Polygon) int {
	n := 0
	for _, r := range p {
		n += len(r)
	}
	return n
}

// slight reports whether a clipped part spans under a unit: both ways
// for a line, either way for an area.
func slight(b orb.Bound, area bool) bool {
	w, h := b.Max[0]-b.Min[0], b.Max[1]-b.Min[1]
	if area {
		return w < 1 || h < 1
	}
	return w < 1 && h < 1
}

// collapse returns nothing for no parts, the part for one, and all (the
// parts as a multi-geometry) for more.
func collapse[T orb.Geometry](parts []T, all orb.Geometry) orb.Geometry {
	switch len(parts) {
	case 0:
		return nil
	case 1:
		return parts[0]
	}
	return all
}

// small reports whether a bound is under a pixel both ways.
func small(b orb.Bound) bool {
	return b.Max[0]-b.Min[0] < pixel && b.Max[1]-b.Min[1] < pixel
}

func roundPoint(p orb.Point) orb.Point { return orb.Point{math.Round(p[0]), math.Round(p[1])} }

func lines(g orb.Geometry) []orb.LineString {
	switch g := g.(type) {
	case orb.LineString:
		return []orb.LineString{g}
	case orb.MultiLineString:
		return g
	}
	return nil
}

func polygons(g orb.Geometry) orb.MultiPolygon {
	switch g := g.(type) {
	case orb.Polygon:
		return orb.MultiPolygon{g}
	case orb.MultiPolygon:
		return g
	}
	return nil
}

// roundLine snaps a line to whole units and drops repeated points, in
// place.
func roundLine(ls orb.LineString) orb.LineString {
	out := ls[:0]
	for _, p := range ls {
		p = roundPoint(p)
		if len(out) > 0 && out[len(out)-1] == p {
			continue
		}
		out = append(out, p)
	}
	return out
}

// finishPolygons snaps rings to whole units, drops those left with no
// area, and orients them: an outer ring's area positive in tile
// coordinates (y down: clockwise as drawn), a hole's negative. A polygon
// whose outer ring collapses goes with its holes.
func finishPolygons(mp orb.MultiPolygon) orb.MultiPolygon {
	var out orb.MultiPolygon
	for _, poly := range mp {
		var p orb.Polygon
		for i, r := range poly {
			r = orb.Ring(roundLine(orb.LineString(r)))
			if len(r) > 0 && r[0] != r[len(r)-1] {
				r = append(r, r[0])
			}
			a := area(r)
			if len(r) < 4 || a == 0 {
				if i == 0 {
					break
				}
				continue
			}
			if (i == 0) != (a > 0) {
				r.Reverse()
			}
			p = append(p, r)
		}
		if len(p) > 0 {
			out = append(out, p)
		}
	}
	return out
}

// area is a ring's signed area by the surveyor's formula, in tile
// coordinates (positive when clockwise on screen, y down).
func area(r orb.Ring) float64 {
	var s float64
	for i := 0; i+1 < len(r); i++ {
		s += r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
	}
	return s / 2
}

// selfCrossing reports whether a multipolygon's rings cross, by cim's own
// validation (shared vertices and touching are allowed). That validation
// wants longitudes and latitudes, so tile units are divided by 64 (which
// is exact) to fall within them.
func selfCrossing(mp orb.MultiPolygon) bool {
	if len(mp) == 0 {
		return false
	}
	var flat []float64
	var endss [][]int
	for _, poly := range mp {
		var ends []int
		for _, r := range poly {
			for _, p := range r {
				flat = append(flat, p[0]/64, p[1]/64)
			}
			ends = append(ends, len(flat))
		}
		endss = append(endss, ends)
	}
	return cim.ValidateGeometry(geom.NewMultiPolygonFlat(geom.XY, flat, endss)) != nil
}
