package osm

import (
	"math"
	"testing"

	"github.com/twpayne/go-geom"
)

// planarArea is the area of a polygon or multipolygon in its own units,
// holes subtracted.
func planarArea(g geom.T) float64 {
	var a float64
	add := func(flat []float64, ends []int) {
		start := 0
		for i, end := range ends {
			s := math.Abs(shoelace(flat[start:end]))
			if i == 0 {
				a += s
			} else {
				a -= s
			}
			start = end
		}
	}
	switch g := g.(type) {
	case *geom.Polygon:
		add(g.FlatCoords(), g.Ends())
	case *geom.MultiPolygon:
		start := 0
		for _, ends := range g.Endss() {
			rel := make([]int, len(ends))
			for i, e := range ends {
				rel[i] = e - start
			}
			add(g.FlatCoords()[start:], rel)
			start = ends[len(ends)-1]
		}
	}
	return a
}

// assemble joins member ways given as node ids, with node coordinates.
func assemble(t *testing.T, nodes map[int64][2]float64, ways ...[]int64) (geom.T, error) {
	t.Helper()
	rings, err := joinRings(ways)
	if err != nil {
		return nil, err
	}
	flats := make([][]float64, len(rings))
	for i, r := range rings {
		for _, id := range r {
			flats[i] = append(flats[i], nodes[id][0], nodes[id][1])
		}
	}
	return nestRings(rings, flats), nil
}

// The cases come from a review that ran osmium export and GDAL on the same
// synthetic relations; want is osmium's area.
func TestAssembleRings(t *testing.T) {
	square := map[int64][2]float64{1: {0, 0}, 2: {1, 0}, 3: {1, 1}, 4: {0, 1}, 5: {0, -1}, 6: {-1, -1}, 7: {-1, 0}}
	small := map[int64][2]float64{1: {0, 0}, 2: {1, 0}, 3: {1, 1}, 4: {0, 1}, 5: {0, -0.5}, 6: {-0.5, -0.5}, 7: {-0.5, 0}}
	frame := map[int64][2]float64{1: {0, 0}, 2: {4, 0}, 3: {4, 4}, 4: {0, 4}, 5: {1, 2}, 6: {2, 2}, 7: {2, 1}}
	nested := map[int64][2]float64{
		1: {0, 0}, 2: {10, 0}, 3: {10, 10}, 4: {0, 10}, // an outer
		11: {2, 2}, 12: {8, 2}, 13: {8, 8}, 14: {2, 8}, // a lake in it
		21: {4, 4}, 22: {6, 4}, 23: {6, 6}, 24: {4, 6}, // an island in the lake
	}
	tests := []struct {
		name  string
		nodes map[int64][2]float64
		ways  [][]int64
		want  float64
		parts int
	}{
		{"two outers touching at a node", square, [][]int64{{1, 2, 3}, {3, 4, 1}, {1, 5, 6}, {6, 7, 1}}, 2, 2},
		{"the same, other member order", square, [][]int64{{3, 4, 1}, {1, 5, 6}, {6, 7, 1}, {1, 2, 3}}, 2, 2},
		{"a smaller second ring", small, [][]int64{{3, 4, 1}, {1, 5, 6}, {6, 7, 1}, {1, 2, 3}}, 1.25, 2},
		{"split inner ring touching the outer", frame, [][]int64{{4, 1}, {1, 5, 6}, {6, 7, 1}, {1, 2, 3, 4}}, 16 - 2, 1},
		{"split inner ring touching the outer, reversed", frame, [][]int64{{4, 1}, {1, 7, 6}, {6, 5, 1}, {1, 2, 3, 4}}, 16 - 2, 1},
		{"island in a lake", nested, [][]int64{{1, 2, 3, 4, 1}, {11, 12, 13, 14, 11}, {21, 22, 23, 24, 21}}, 100 - 36 + 4, 2},
		{"outer split in three", nested, [][]int64{{1, 2}, {3, 4, 1}, {2, 3}}, 100, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := assemble(t, tt.nodes, tt.ways...)
			if err != nil {
				t.Fatal(err)
			}
			parts := 1
			if mp, ok := g.(*geom.MultiPolygon); ok {
				parts = mp.NumPolygons()
			}
			if a := planarArea(g); math.Abs(a-tt.want) > 1e-9 || parts != tt.parts {
				t.Errorf("area %g in %d parts, want %g in %d", a, parts, tt.want, tt.parts)
			}
		})
	}
	if _, err := joinRings([][]int64{{1, 2, 3}, {3, 4}}); err != errOpenRing {
		t.Errorf("an open chain: %v", err)
	}
}
