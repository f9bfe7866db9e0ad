// Command sunground is the cim half of bench/sunlight.sh: it generates the
// issue's 100 ha community (200 residential towers of 6–33 storeys on a
// 1 km square at Hangzhou, from a fixed seed, as sunlight's
// BenchmarkCommunity does) and
//
//   - gen: writes the towers as GeoJSON in CGCS2000 / 3-degree
//     Gauss–Krüger CM 120E (EPSG:4549), for GRASS to rasterise, and the
//     insolation time of a 1 m ground grid over the square on 大寒日 from
//     sunrise to sunset (the span r.sun's insol_time covers), computed by
//     package sunlight, as an ESRI ASCII grid; it prints the timings and
//     the Sun's declination at noon, for r.sun;
//   - facade: evaluates every storey's sills of every tower at 1 m
//     (the Hangzhou rule: 大寒日 8:00–16:00 true solar time, 1 min steps),
//     for the 10 s target, and prints the time;
//   - compare: reads the cim grid and GRASS's and says how many cells
//     agree within 10 minutes, near building walls and away from them.
//
// The local frame's metres are laid on the projection's grid at the
// frame's origin: grid north and true north differ there by the
// meridian convergence, 0.08°, and the scale by 1.000001, both below what
// the comparison resolves.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/future-community/cim/crs"
	"github.com/future-community/cim/sun"
	"github.com/future-community/cim/sunlight"
)

var hangzhou = sun.Site{Lat: 30.2741, Lon: 120.1551}

const half = 500.0 // the square is [-half, half]² local metres

func main() {
	mode := flag.String("mode", "gen", "gen, facade or compare")
	dir := flag.String("dir", ".", "where the files go")
	year := flag.Int("year", 2026, "the year of the standard day")
	stepMin := flag.Int("step", 3, "the time step in minutes (gen)")
	flag.Parse()
	var err error
	switch *mode {
	case "gen":
		err = gen(*dir, *year, time.Duration(*stepMin)*time.Minute)
	case "facade":
		err = facade(*year)
	case "compare":
		err = compare(filepath.Join(*dir, "cim.asc"), filepath.Join(*dir, "grass.asc"))
	default:
		err = fmt.Errorf("-mode %q: want gen, facade or compare", *mode)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "sunground:", err)
		os.Exit(1)
	}
}

type tower struct {
	x0, y0, x1, y1 float64
	storeys        int
}

// community is sunlight's BenchmarkCommunity's: the same seed and draws.
func community() []tower {
	rng := rand.New(rand.NewPCG(22, 2026))
	const cols, cell = 15, 1000.0 / 15
	var out []tower
	for i := 0; i < 200; i++ {
		w, d := 20+20*rng.Float64(), 20+20*rng.Float64()
		x0 := float64(i%cols)*cell + rng.Float64()*(cell-w) - 500
		y0 := float64(i/cols)*(1000.0/14) + rng.Float64()*(1000.0/14-d) - 500
		out = append(out, tower{x0, y0, x0 + w, y0 + d, 6 + rng.IntN(28)})
	}
	return out
}

func prisms(ts []tower) []sunlight.Prism {
	var ps []sunlight.Prism
	for i, t := range ts {
		ps = append(ps, sunlight.Prism{Rings: [][][2]float64{{{t.x0, t.y0}, {t.x1, t.y0}, {t.x1, t.y1}, {t.x0, t.y1}}},
			Z1: 3 * float64(t.storeys), Building: i})
	}
	return ps
}

func gen(dir string, year int, step time.Duration) error {
	ts := community()
	gk, err := crs.Lookup(4549)
	if err != nil {
		return err
	}
	e0, n0 := gk.FromLonLat(hangzhou.Lon, hangzhou.Lat)
	e0, n0 = math.Round(e0), math.Round(n0)

	// The towers, for GRASS.
	var fs []string
	for i, t := range ts {
		ring := fmt.Sprintf("[[%.3f,%.3f],[%.3f,%.3f],[%.3f,%.3f],[%.3f,%.3f],[%.3f,%.3f]]",
			e0+t.x0, n0+t.y0, e0+t.x1, n0+t.y0, e0+t.x1, n0+t.y1, e0+t.x0, n0+t.y1, e0+t.x0, n0+t.y0)
		fs = append(fs, fmt.Sprintf(`{"type":"Feature","properties":{"id":%d,"height":%d},"geometry":{"type":"Polygon","coordinates":[%s]}}`, i, 3*t.storeys, ring))
	}
	gj := `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4549"}},"features":[` + strings.Join(fs, ",\n") + "]}\n"
	if err := os.WriteFile(filepath.Join(dir, "towers.geojson"), []byte(gj), 0o644); err != nil {
		return err
	}

	// The ground grid: a receiver at each 1 m cell's centre, 1 cm up,
	// but in the towers (GRASS puts those on the roofs).
	const n = int(2 * half)
	inside := make([]bool, n*n)
	for _, t := range ts {
		for y := int(math.Floor(t.y0 + half)); y < int(math.Ceil(t.y1+half)); y++ {
			for x := int(math.Floor(t.x0 + half)); x < int(math.Ceil(t.x1+half)); x++ {
				cx, cy := float64(x)+0.5-half, float64(y)+0.5-half
				if x >= 0 && x < n && y >= 0 && y < n && cx > t.x0 && cx < t.x1 && cy > t.y0 && cy < t.y1 {
					inside[y*n+x] = true
				}
			}
		}
	}
	var recs []sunlight.Receiver
	var cells []int
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			if !inside[y*n+x] {
				recs = append(recs, sunlight.Receiver{X: float64(x) + 0.5 - half, Y: float64(y) + 0.5 - half, Z: 0.01, Building: -1})
				cells = append(cells, y*n+x)
			}
		}
	}
	// Sunrise to sunset: the whole day, the Sun below the horizon dark.
	rule := sunlight.Rule{Name: "insolation time, 大寒日", Day: sun.MajorCold, Band: sun.Band{Start: 0, End: 24 * time.Hour}, Step: step}
	tr, err := sunlight.NewTrack(hangzhou, year, rule, sun.Options{})
	if err != nil {
		return err
	}
	scene, err := sunlight.NewScene(prisms(ts), 0)
	if err != nil {
		return err
	}
	start := time.Now()
	res, err := sunlight.Evaluate(context.Background(), scene, tr, rule, recs)
	if err != nil {
		return err
	}
	took := time.Since(start)
	hours := make([]float64, n*n)
	for i := range hours {
		hours[i] = -9999
	}
	for i, c := range cells {
		hours[c] = res[i].Counted.Hours()
	}
	if err := writeASC(filepath.Join(dir, "cim.asc"), n, e0-half, n0-half, hours); err != nil {
		return err
	}
	mid := tr.Steps[len(tr.Steps)/2]
	pos := sun.Compute(mid.Beijing, hangzhou, sun.Options{})
	day, _ := sun.MajorCold.Day(year, nil, sun.Options{})
	out := map[string]any{"receivers": len(recs), "seconds": took.Seconds(), "cpus": runtime.GOMAXPROCS(0),
		"step_min": step.Minutes(), "declination_rad": pos.Delta * math.Pi / 180, "day": day.Format("2006-01-02"),
		"day_of_year": day.YearDay(), "e0": e0, "n0": n0, "west": e0 - half, "south": n0 - half, "east": e0 + half, "north": n0 + half}
	return json.NewEncoder(os.Stdout).Encode(out)
}

func facade(year int) error {
	ts := community()
	ps := prisms(ts)
	var recs []sunlight.Receiver
	for i, t := range ts {
		for s := 0; s < t.storeys; s++ {
			rs, err := sunlight.Facade(ps[i].Rings, 3*float64(s)+0.9, 1, 0, i)
			if err != nil {
				return err
			}
			recs = append(recs, rs...)
		}
	}
	tr, err := sunlight.NewTrack(hangzhou, year, sunlight.Hangzhou, sun.Options{})
	if err != nil {
		return err
	}
	start := time.Now()
	scene, err := sunlight.NewScene(ps, 0)
	if err != nil {
		return err
	}
	res, err := sunlight.Evaluate(context.Background(), scene, tr, sunlight.Hangzhou, recs)
	if err != nil {
		return err
	}
	took := time.Since(start)
	pass := 0
	for _, r := range res {
		if r.Pass {
			pass++
		}
	}
	return json.NewEncoder(os.Stdout).Encode(map[string]any{"receivers": len(recs), "seconds": took.Seconds(),
		"seconds_per_million": took.Seconds() / float64(len(recs)) * 1e6, "pass_share": float64(pass) / float64(len(recs)), "cpus": runtime.GOMAXPROCS(0)})
}

func writeASC(path string, n int, west, south float64, v []float64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintf(w, "ncols %d\nnrows %d\nxllcorner %.3f\nyllcorner %.3f\ncellsize 1\nNODATA_value -9999\n", n, n, west, south)
	for y := n - 1; y >= 0; y-- { // the first row is the north
		for x := 0; x < n; x++ {
			if x > 0 {
				w.WriteByte(' ')
			}
			w.WriteString(strconv.FormatFloat(v[y*n+x], 'f', 4, 64))
		}
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// readASC reads an ESRI ASCII grid, north row first, into rows from the
// south, as writeASC wrote them; nodata cells are NaN.
func readASC(path string) (n int, v []float64, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, nil, err
	}
	fields := strings.Fields(string(b))
	hdr := map[string]string{}
	i := 0
	for ; i+1 < len(fields); i += 2 {
		// ESRI's "ncols 1000" or GRASS's "cols: 1000" (r.out.ascii).
		k := strings.TrimSuffix(strings.ToLower(fields[i]), ":")
		switch k {
		case "cols":
			k = "ncols"
		case "rows":
			k = "nrows"
		}
		if _, err := strconv.ParseFloat(k, 64); err == nil {
			break
		}
		hdr[k] = fields[i+1]
	}
	cols, _ := strconv.Atoi(hdr["ncols"])
	rows, _ := strconv.Atoi(hdr["nrows"])
	if cols == 0 || cols != rows || len(fields)-i != cols*rows {
		return 0, nil, fmt.Errorf("%s: %d×%d grid with %d values", path, cols, rows, len(fields)-i)
	}
	nodata := hdr["nodata_value"]
	if nodata == "" {
		nodata = "-9999" // r.out.ascii null_value=-9999
	}
	v = make([]float64, cols*rows)
	for r := 0; r < rows; r++ {
		for c := 0; c < cols; c++ {
			s := fields[i+r*cols+c]
			x, err := strconv.ParseFloat(s, 64)
			nd, _ := strconv.ParseFloat(nodata, 64)
			if err != nil || x == nd || s == "*" {
				x = math.NaN()
			}
			v[(rows-1-r)*cols+c] = x
		}
	}
	return cols, v, nil
}

func compare(cimPath, grassPath string) error {
	n, a, err := readASC(cimPath)
	if err != nil {
		return err
	}
	m, b, err := readASC(grassPath)
	if err != nil {
		return err
	}
	if n != m {
		return fmt.Errorf("grids of %d and %d", n, m)
	}
	// Distance to the nearest tower cell, to split the disagreements.
	near := make([]bool, n*n)
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			if !math.IsNaN(a[y*n+x]) {
				continue
			}
			for dy := -2; dy <= 2; dy++ {
				for dx := -2; dx <= 2; dx++ {
					if xx, yy := x+dx, y+dy; xx >= 0 && xx < n && yy >= 0 && yy < n {
						near[yy*n+xx] = true
					}
				}
			}
		}
	}
	// How far apart the disagreements are: GRASS minus cim, in bins of
	// 10 minutes, and the hours cim gives those cells.
	bins := map[string]int{}
	type tally struct{ cells, agree, cimMore int }
	var all, walls, open tally
	sumAbs := 0.0
	for i := range a {
		if math.IsNaN(a[i]) || math.IsNaN(b[i]) {
			continue
		}
		d := a[i] - b[i]
		ok := math.Abs(d) <= 10.0/60
		t := &open
		if near[i] {
			t = &walls
		}
		for _, u := range []*tally{&all, t} {
			u.cells++
			if ok {
				u.agree++
			}
			if d > 10.0/60 {
				u.cimMore++
			}
		}
		sumAbs += math.Abs(d)
		if !ok {
			lo := math.Floor(-d*6) * 10
			bins[fmt.Sprintf("%+04.0f..%+04.0f min", lo, lo+10)]++
		}
	}
	share := func(t tally) float64 { return float64(t.agree) / math.Max(1, float64(t.cells)) }
	return json.NewEncoder(os.Stdout).Encode(map[string]any{
		"cells": all.cells, "agree_10min": share(all), "mean_abs_diff_min": sumAbs / math.Max(1, float64(all.cells)) * 60,
		"near_walls_cells": walls.cells, "near_walls_agree": share(walls), "near_walls_cim_more": walls.cimMore,
		"open_cells": open.cells, "open_agree": share(open), "open_cim_more": open.cimMore,
		"cim_more_than_grass": all.cimMore, "grass_more_than_cim": all.cells - all.agree - all.cimMore,
		"disagreements_grass_minus_cim": bins,
	})
}
