package walk

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/twpayne/go-geom"
)

// streetGrid returns k east–west and k north–south streets about 50 m
// apart near (lon0, lat0). With vertices false each street is one segment,
// so every junction comes from a crossing; with vertices true each street
// has a vertex at every junction.
func streetGrid(k int, vertices bool) []geom.T {
	const dx, dy = 0.0005, 0.00045 // about 48 m and 50 m
	var lines []geom.T
	for i := range k {
		var ew, ns []float64
		for j := range k {
			if vertices || j == 0 || j == k-1 {
				ew = append(ew, lon0+float64(j)*dx, lat0+float64(i)*dy)
				ns = append(ns, lon0+float64(i)*dx, lat0+float64(j)*dy)
			}
		}
		lines = append(lines, line(ew...), line(ns...))
	}
	return lines
}

func BenchmarkBuild(b *testing.B) {
	for _, bb := range []struct {
		name     string
		vertices bool
	}{{"300x300/crossings", false}, {"300x300/vertices", true}} {
		b.Run(bb.name, func(b *testing.B) {
			lines := streetGrid(300, bb.vertices)
			b.ReportAllocs()
			var n *Network
			for b.Loop() {
				n = Build(lines, Options{})
			}
			nodes, edges := n.Len()
			b.ReportMetric(float64(nodes), "nodes")
			b.ReportMetric(float64(edges), "edges")
		})
	}
}

func BenchmarkFrom(b *testing.B) {
	n := Build(streetGrid(300, false), Options{})
	src := [][2]float64{{lon0 + 0.075, lat0 + 0.0675}} // the middle
	for _, maxM := range []float64{800, math.Inf(1)} {
		name := "800m"
		if math.IsInf(maxM, 1) {
			name = "all"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				n.From(src, maxM)
			}
		})
	}
}

// BenchmarkTo times 10,000 To calls at random points over the grid.
func BenchmarkTo(b *testing.B) {
	n := Build(streetGrid(300, false), Options{})
	f := n.From([][2]float64{{lon0 + 0.075, lat0 + 0.0675}}, math.Inf(1))
	r := rand.New(rand.NewPCG(7, 8))
	pts := make([][2]float64, 10000)
	for i := range pts {
		pts[i] = [2]float64{lon0 + r.Float64()*0.149, lat0 + r.Float64()*0.134}
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range pts {
			if _, ok := f.To(p[0], p[1]); !ok {
				b.Fatalf("To(%v) not ok", p)
			}
		}
	}
}
