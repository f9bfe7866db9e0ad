// Command tilebench fetches a fixed list of vector tiles from a tile
// server, each once, in order, and prints their latencies as JSON: the
// client half of bench/tiles.sh.
//
// The tiles come from a file (-tiles, one "z x y" or "z/x/y" a line) or
// from a box and zooms (-bbox W,S,E,N -zooms 12-16: every tile touching
// the box). Requests go to BASE/{z}/{x}/{y}.mvt?QUERY over one keep-alive
// connection per worker with Accept-Encoding: gzip, as MapLibre sends
// them. A latency is from sending the request to reading the last byte of
// the body. Every answer must be 200 (a tile) or 204 (an empty tile);
// anything else stops the run with the tile and the status. A 200's body
// is gunzipped (when gzipped) after the clock stops and walked as an MVT
// protobuf (layers, names, features), so a truncated or garbled tile is
// an error too.
//
// Usage:
//
//	tilebench -base http://127.0.0.1:8080/tiles -tiles tiles.txt -query layers=building
//	tilebench -base http://127.0.0.1:8080/tiles -bbox 7.40,43.72,7.45,43.75 -zooms 12-16 -list
package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

type tile struct{ z, x, y int }

func (t tile) String() string { return fmt.Sprintf("%d/%d/%d", t.z, t.x, t.y) }

type result struct {
	ms       float64
	wire     int // bytes on the wire (gzipped when the server gzips)
	raw      int // bytes of the MVT
	features int
	status   int
}

// Summary is the JSON printed for all tiles and for each zoom.
type Summary struct {
	Count     int     `json:"count"`
	NonEmpty  int     `json:"non_empty"`
	Features  int     `json:"features"`
	WireBytes int64   `json:"wire_bytes"`
	MVTBytes  int64   `json:"mvt_bytes"`
	P50       float64 `json:"p50_ms"`
	P90       float64 `json:"p90_ms"`
	P99       float64 `json:"p99_ms"`
	Max       float64 `json:"max_ms"`
	Mean      float64 `json:"mean_ms"`
	TilesPerS float64 `json:"tiles_per_s"`
}

// Report is tilebench's output.
type Report struct {
	URL         string          `json:"url"`
	Concurrency int             `json:"concurrency"`
	WallS       float64         `json:"wall_s"`
	All         Summary         `json:"all"`
	PerZoom     map[int]Summary `json:"per_zoom"`
	Slowest     []Slow          `json:"slowest"`
}

// Slow names one of the slowest tiles.
type Slow struct {
	Tile string  `json:"tile"`
	Ms   float64 `json:"ms"`
}

func main() {
	base := flag.String("base", "", "tile URL prefix: BASE/{z}/{x}/{y}.mvt")
	tilesFile := flag.String("tiles", "", "file of tiles, one \"z x y\" or \"z/x/y\" a line")
	bbox := flag.String("bbox", "", "W,S,E,N in degrees: every tile touching it (with -zooms)")
	zooms := flag.String("zooms", "12-16", "zoom range A-B for -bbox")
	query := flag.String("query", "", "query string added to every URL (without ?)")
	conc := flag.Int("c", 1, "concurrent requests (connections)")
	list := flag.Bool("list", false, "print the tile list (z x y) and exit")
	ext := flag.String("ext", ".mvt", "suffix after {y}")
	slowest := flag.Int("slowest", 5, "how many of the slowest tiles to name")
	connect := flag.String("connect", "", "URL fetched on every connection before the clock starts (e.g. the server's /healthz), so no timed request pays for a TCP connect")
	flag.Parse()
	if err := run(*base, *tilesFile, *bbox, *zooms, *query, *ext, *connect, *conc, *slowest, *list); err != nil {
		fmt.Fprintln(os.Stderr, "tilebench:", err)
		os.Exit(1)
	}
}

func run(base, tilesFile, bbox, zooms, query, ext, connect string, conc, nslow int, list bool) error {
	var tiles []tile
	var err error
	switch {
	case tilesFile != "" && bbox == "":
		tiles, err = readTiles(tilesFile)
	case bbox != "" && tilesFile == "":
		tiles, err = bboxTiles(bbox, zooms)
	default:
		return errors.New("give one of -tiles and -bbox")
	}
	if err != nil {
		return err
	}
	if list {
		w := bufio.NewWriter(os.Stdout)
		for _, t := range tiles {
			fmt.Fprintf(w, "%d %d %d\n", t.z, t.x, t.y)
		}
		return w.Flush()
	}
	if base == "" {
		return errors.New("-base is required")
	}
	if len(tiles) == 0 {
		return errors.New("no tiles")
	}
	if conc < 1 {
		conc = 1
	}
	base = strings.TrimRight(base, "/")
	if query != "" {
		query = "?" + query
	}
	client := &http.Client{
		Timeout: 60 * time.Second,
		Transport: &http.Transport{
			MaxIdleConnsPerHost: conc,
			MaxConnsPerHost:     conc,
			DisableCompression:  true, // we ask for gzip ourselves and gunzip outside the clock
		},
	}
	// The body is read into one buffer per connection, grown and touched
	// before the clock, so that the clock counts neither the client's
	// allocations nor its first touch of that memory.
	bufs := make([]*bytes.Buffer, conc)
	for i := range bufs {
		b := make([]byte, 4<<20)
		for j := range b {
			b[j] = 1
		}
		bufs[i] = bytes.NewBuffer(b[:0])
	}
	if connect != "" {
		// Open conc connections at once, so each worker finds one idle, and
		// run the client's request path once on each (the first run of
		// code pages it in).
		var cw sync.WaitGroup
		cerr := make([]error, conc)
		for i := range cerr {
			cw.Add(1)
			go func() {
				defer cw.Done()
				req, err := http.NewRequest(http.MethodGet, connect, nil)
				if err != nil {
					cerr[i] = err
					return
				}
				req.Header.Set("Accept-Encoding", "gzip")
				resp, err := client.Do(req)
				if err == nil {
					bufs[i].Reset()
					_, err = bufs[i].ReadFrom(resp.Body)
					resp.Body.Close()
				}
				cerr[i] = err
			}()
		}
		cw.Wait()
		if err := errors.Join(cerr...); err != nil {
			return fmt.Errorf("-connect: %w", err)
		}
	}
	results := make([]result, len(tiles))
	next := make(chan int)
	errc := make(chan error, conc)
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := bufs[w]
			for i := range next {
				r, err := fetch(client, base+"/"+tiles[i].String()+ext+query, buf)
				if err != nil {
					errc <- fmt.Errorf("tile %s: %w", tiles[i], err)
					return
				}
				results[i] = r
			}
		}()
	}
	var ferr error
feed:
	for i := range tiles {
		select {
		case next <- i:
		case ferr = <-errc:
			break feed
		}
	}
	close(next)
	wg.Wait()
	wall := time.Since(start).Seconds()
	if ferr == nil {
		select {
		case ferr = <-errc:
		default:
		}
	}
	if ferr != nil {
		return ferr
	}

	rep := Report{URL: base + "/{z}/{x}/{y}" + ext + query, Concurrency: conc, WallS: wall, PerZoom: map[int]Summary{}}
	rep.All = summarize(results, wall)
	byZoom := map[int][]result{}
	for i, t := range tiles {
		byZoom[t.z] = append(byZoom[t.z], results[i])
	}
	for z, rs := range byZoom {
		var sum float64
		for _, r := range rs {
			sum += r.ms
		}
		// Per zoom, tiles/s is over the time spent on that zoom's tiles.
		rep.PerZoom[z] = summarize(rs, sum/1000/float64(conc))
	}
	idx := make([]int, len(tiles))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return results[idx[a]].ms > results[idx[b]].ms })
	for _, i := range idx[:min(nslow, len(idx))] {
		rep.Slowest = append(rep.Slowest, Slow{tiles[i].String(), round3(results[i].ms)})
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

func fetch(c *http.Client, url string, buf *bytes.Buffer) (result, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return result{}, err
	}
	req.Header.Set("Accept-Encoding", "gzip")
	t0 := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		return result{}, err
	}
	buf.Reset()
	_, err = buf.ReadFrom(resp.Body)
	body := buf.Bytes()
	resp.Body.Close()
	ms := float64(time.Since(t0).Nanoseconds()) / 1e6
	if err != nil {
		return result{}, err
	}
	r := result{ms: ms, wire: len(body), status: resp.StatusCode}
	switch resp.StatusCode {
	case http.StatusNoContent:
		if len(body) != 0 {
			return r, fmt.Errorf("204 with a %d-byte body", len(body))
		}
		return r, nil
	case http.StatusOK:
	default:
		return r, fmt.Errorf("status %d: %.200s", resp.StatusCode, body)
	}
	raw := body
	if resp.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return r, fmt.Errorf("gunzip: %w", err)
		}
		if raw, err = io.ReadAll(zr); err != nil {
			return r, fmt.Errorf("gunzip: %w", err)
		}
	}
	r.raw = len(raw)
	if r.features, err = mvtFeatures(raw); err != nil {
		return r, fmt.Errorf("not a vector tile (%d bytes): %w", len(raw), err)
	}
	return r, nil
}

// mvtFeatures walks an MVT's protobuf: every top-level field must be a
// layer (field 3, bytes) with a name and version, whose fields all parse;
// it returns the features of all layers.
func mvtFeatures(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, errors.New("200 with an empty body (an empty tile should be 204)")
	}
	n, layers := 0, 0
	err := fields(b, func(num, wt int, v []byte) error {
		if num != 3 || wt != 2 {
			return fmt.Errorf("top-level field %d wire type %d, want layers (3, bytes)", num, wt)
		}
		layers++
		var name, version bool
		err := fields(v, func(num, wt int, v []byte) error {
			switch num {
			case 1:
				name = wt == 2 && len(v) > 0
			case 2:
				if wt != 2 {
					return errors.New("feature is not bytes")
				}
				n++
				return fields(v, func(int, int, []byte) error { return nil })
			case 15:
				version = wt == 0
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("layer %d: %w", layers, err)
		}
		if !name || !version {
			return fmt.Errorf("layer %d: no name or no version", layers)
		}
		return nil
	})
	if err == nil && layers == 0 {
		err = errors.New("no layer")
	}
	return n, err
}

// fields calls f with each field of a protobuf message (for varints v is
// nil).
func fields(b []byte, f func(num, wt int, v []byte) error) error {
	for len(b) > 0 {
		key, k := uvarint(b)
		if k <= 0 {
			return errors.New("bad field key")
		}
		b = b[k:]
		num, wt := int(key>>3), int(key&7)
		var v []byte
		switch wt {
		case 0:
			_, k = uvarint(b)
			if k <= 0 {
				return errors.New("bad varint")
			}
			b = b[k:]
		case 1, 5:
			w := 8
			if wt == 5 {
				w = 4
			}
			if len(b) < w {
				return errors.New("truncated fixed field")
			}
			v, b = b[:w], b[w:]
		case 2:
			l, k := uvarint(b)
			if k <= 0 || l > uint64(len(b)-k) {
				return errors.New("bad length")
			}
			v, b = b[k:k+int(l)], b[k+int(l):]
		default:
			return fmt.Errorf("wire type %d", wt)
		}
		if err := f(num, wt, v); err != nil {
			return err
		}
	}
	return nil
}

func uvarint(b []byte) (uint64, int) {
	var x uint64
	for i, c := range b {
		if i == 10 {
			return 0, -1
		}
		x |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			return x, i + 1
		}
	}
	return 0, 0
}

func summarize(rs []result, wallS float64) Summary {
	s := Summary{Count: len(rs)}
	ms := make([]float64, len(rs))
	var sum float64
	for i, r := range rs {
		ms[i] = r.ms
		sum += r.ms
		s.WireBytes += int64(r.wire)
		s.MVTBytes += int64(r.raw)
		s.Features += r.features
		if r.status == http.StatusOK {
			s.NonEmpty++
		}
	}
	sort.Float64s(ms)
	s.P50, s.P90, s.P99 = round3(rank(ms, .5)), round3(rank(ms, .9)), round3(rank(ms, .99))
	s.Max = round3(ms[len(ms)-1])
	s.Mean = round3(sum / float64(len(ms)))
	if wallS > 0 {
		s.TilesPerS = math.Round(float64(len(rs))/wallS*10) / 10
	}
	return s
}

// rank is the nearest-rank percentile of sorted xs (as the PostGIS
// harness's percentile_disc).
func rank(xs []float64, p float64) float64 {
	i := int(math.Ceil(p*float64(len(xs)))) - 1
	return xs[max(0, min(i, len(xs)-1))]
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

func readTiles(path string) ([]tile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var ts []tile
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		s := strings.TrimSpace(sc.Text())
		if s == "" || s[0] == '#' {
			continue
		}
		p := strings.FieldsFunc(s, func(r rune) bool { return r == '/' || r == ' ' || r == '\t' || r == ',' })
		if len(p) != 3 {
			return nil, fmt.Errorf("%s:%d: %q: want z x y", path, line, s)
		}
		var v [3]int
		for i := range p {
			if v[i], err = strconv.Atoi(p[i]); err != nil {
				return nil, fmt.Errorf("%s:%d: %q: %w", path, line, s, err)
			}
		}
		if v[0] < 0 || v[0] > 30 || v[1] < 0 || v[2] < 0 || v[1] >= 1<<v[0] || v[2] >= 1<<v[0] {
			return nil, fmt.Errorf("%s:%d: %q: not a tile", path, line, s)
		}
		ts = append(ts, tile{v[0], v[1], v[2]})
	}
	return ts, sc.Err()
}

// bboxTiles lists every tile of the zooms touching the box, by zoom, x, y
// (the formulas of the PostGIS harness's sql/20_tiles.sql).
func bboxTiles(bbox, zooms string) ([]tile, error) {
	p := strings.Split(bbox, ",")
	if len(p) != 4 {
		return nil, fmt.Errorf("-bbox %q: want W,S,E,N", bbox)
	}
	var b [4]float64
	for i := range p {
		var err error
		if b[i], err = strconv.ParseFloat(strings.TrimSpace(p[i]), 64); err != nil {
			return nil, fmt.Errorf("-bbox %q: %w", bbox, err)
		}
	}
	if b[0] > b[2] || b[1] > b[3] || b[1] < -85.05 || b[3] > 85.05 || b[0] < -180 || b[2] > 180 {
		return nil, fmt.Errorf("-bbox %q: not W,S,E,N", bbox)
	}
	var z0, z1 int
	if _, err := fmt.Sscanf(zooms, "%d-%d", &z0, &z1); err != nil {
		if z0, err = strconv.Atoi(zooms); err != nil {
			return nil, fmt.Errorf("-zooms %q: want A-B", zooms)
		}
		z1 = z0
	}
	if z0 < 0 || z1 > 24 || z0 > z1 {
		return nil, fmt.Errorf("-zooms %q: want 0 ≤ A ≤ B ≤ 24", zooms)
	}
	var ts []tile
	for z := z0; z <= z1; z++ {
		n := math.Exp2(float64(z))
		tx := func(lon float64) int { return min(int(n)-1, int(math.Floor((lon+180)/360*n))) }
		ty := func(lat float64) int {
			r := lat * math.Pi / 180
			return min(int(n)-1, int(math.Floor((1-math.Log(math.Tan(r)+1/math.Cos(r))/math.Pi)/2*n)))
		}
		for x := tx(b[0]); x <= tx(b[2]); x++ {
			for y := ty(b[3]); y <= ty(b[1]); y++ {
				ts = append(ts, tile{z, x, y})
			}
		}
	}
	return ts, nil
}
