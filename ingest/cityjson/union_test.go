package cityjson

import (
	"fmt"
	"math"
	"testing"
)

func sq(x0, y0, x1, y1 int64) []gpt {
	return []gpt{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}}
}

func rev(r []gpt) []gpt {
	out := make([]gpt, len(r))
	for i, p := range r {
		out[len(r)-1-i] = p
	}
	return out
}

func totalArea(ps []polygon) float64 {
	var a float64
	for _, p := range ps {
		for _, r := range p {
			a += area2(r) / 2
		}
	}
	return a
}

func TestUnion(t *testing.T) {
	tests := []struct {
		name  string
		in    []polygon
		polys int     // polygons in the union
		holes int     // holes in all
		area  float64 // of the union
	}{
		{"one square", []polygon{{sq(0, 0, 2, 2)}}, 1, 0, 4},
		{"clockwise square", []polygon{{rev(sq(0, 0, 2, 2))}}, 1, 0, 4},
		{"overlapping squares", []polygon{{sq(0, 0, 2, 2)}, {sq(1, 1, 3, 3)}}, 1, 0, 7},
		{"nested squares", []polygon{{sq(0, 0, 4, 4)}, {sq(1, 1, 2, 2)}}, 1, 0, 16},
		{"the same square twice", []polygon{{sq(0, 0, 2, 2)}, {rev(sq(0, 0, 2, 2))}}, 1, 0, 4},
		{"tiled triangles", []polygon{{{{0, 0}, {4, 0}, {4, 4}}}, {{{0, 0}, {4, 4}, {0, 4}}}}, 1, 0, 16},
		{"T-junction", []polygon{{sq(0, 0, 4, 2)}, {sq(0, 2, 2, 4)}, {sq(2, 2, 4, 4)}}, 1, 0, 16},
		{"ring of squares", []polygon{{sq(0, 0, 3, 1)}, {sq(0, 2, 3, 3)}, {sq(0, 1, 1, 2)}, {sq(2, 1, 3, 2)}}, 1, 1, 8},
		{"square with a hole", []polygon{{sq(0, 0, 4, 4), sq(1, 1, 3, 3)}}, 1, 1, 12},
		{"hole filled by another face", []polygon{{sq(0, 0, 4, 4), sq(1, 1, 3, 3)}, {sq(1, 1, 3, 3)}}, 1, 0, 16},
		{"corners touching", []polygon{{sq(0, 0, 1, 1)}, {sq(1, 1, 2, 2)}}, 2, 0, 2},
		{"apart", []polygon{{sq(0, 0, 1, 1)}, {sq(5, 5, 6, 6)}}, 2, 0, 2},
		{"crossing bars", []polygon{{sq(0, 1, 3, 2)}, {sq(1, 0, 2, 3)}}, 1, 0, 5},
		{"wall faces drop out", []polygon{{{{0, 0}, {1, 0}, {1, 0}, {0, 0}}}, {sq(0, 0, 1, 1)}}, 1, 0, 1},
		{"only walls", []polygon{{{{0, 0}, {1, 0}, {0, 0}}}}, 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := union(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			holes := 0
			for _, p := range got {
				holes += len(p) - 1
				if area2(p[0]) <= 0 {
					t.Errorf("exterior %v not counter-clockwise", p[0])
				}
				for _, h := range p[1:] {
					if area2(h) >= 0 {
						t.Errorf("hole %v not clockwise", h)
					}
				}
			}
			if len(got) != tt.polys || holes != tt.holes || math.Abs(totalArea(got)-tt.area) > 1e-9 {
				t.Errorf("union %v: %d polygons, %d holes, area %v; want %d, %d, %v", got, len(got), holes, totalArea(got), tt.polys, tt.holes, tt.area)
			}
		})
	}
}

// TestUnionRoundedCrossings: edges that cross at points off the grid are
// bent through the rounded points; the union must still close.
func TestUnionRoundedCrossings(t *testing.T) {
	for i := range int64(50) {
		in := []polygon{
			{{{0, 0}, {1000 + i, 3}, {997, 1001 + 2*i}, {3, 999}}},
			{{{500, -7 - i}, {1501, 499}, {1003 + 3*i, 1511}, {-5, 507}}},
			{{{250, 250}, {2001, 251 + i}, {2000, 257}}},
		}
		got, err := union(in)
		if err != nil || len(got) == 0 {
			t.Fatalf("case %d: %v %v", i, got, err)
		}
	}
}

func BenchmarkUnion(b *testing.B) {
	// A 20 × 20 grid of unit squares, each split in two triangles: the
	// ground surface of a triangulated LoD2 model.
	var in []polygon
	for x := range int64(20) {
		for y := range int64(20) {
			in = append(in, polygon{{{x, y}, {x + 1, y}, {x + 1, y + 1}}}, polygon{{{x, y}, {x + 1, y + 1}, {x, y + 1}}})
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if got, err := union(in); err != nil || len(got) != 1 {
			b.Fatal(fmt.Sprint(got), err)
		}
	}
}
