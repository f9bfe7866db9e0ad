package features_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"os/exec"
	"strings"
	"testing"

	"github.com/future-community/cim/internal/storetest"
)

// flatten returns the positions of GeoJSON coordinates of any depth.
func flatten(t *testing.T, raw json.RawMessage) [][2]float64 {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	var out [][2]float64
	var walk func(any)
	walk = func(v any) {
		a := v.([]any)
		if x, ok := a[0].(float64); ok {
			out = append(out, [2]float64{x, a[1].(float64)})
			return
		}
		for _, e := range a {
			walk(e)
		}
	}
	walk(v)
	return out
}

// TestCRSMatchesPROJ asks for the sample's buildings in other CRSs and
// checks every coordinate against PROJ's cs2cs converting the CRS84
// answer, within 1 mm (1e-8° for geographic CRSs), in the axis order
// that PROJ gives the EPSG definition (EPSG:4326 latitude first,
// EPSG:4549 northing first), as OGC API – Features Part 2 asks.
func TestCRSMatchesPROJ(t *testing.T) {
	if _, err := exec.LookPath("cs2cs"); err != nil {
		t.Skip("cs2cs (PROJ) is not installed: apt-get install proj-bin")
	}
	s := storetest.Sample(t)
	srv := serve(t, s)
	items := func(params string) fc {
		resp, b := get(t, srv.URL+"/collections/building/items?limit=20&"+params)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", params, resp.StatusCode, b)
		}
		var c fc
		if err := json.Unmarshal(b, &c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	base := items("")
	var lonLat [][2]float64
	for _, f := range base.Features {
		lonLat = append(lonLat, flatten(t, f.Geometry.Coordinates)...)
	}
	for _, tc := range []struct {
		crs string
		tol float64
	}{
		{"EPSG:4549", 0.001},
		{"http://www.opengis.net/def/crs/EPSG/0/4549", 0.001},
		{"EPSG:4550", 0.001},
		{"EPSG:4528", 0.001},
		{"EPSG:3857", 0.001},
		{"EPSG:4326", 1e-8},
		{"EPSG:4490", 1e-8},
	} {
		t.Run(tc.crs, func(t *testing.T) {
			c := items("crs=" + url.QueryEscape(tc.crs))
			epsg := tc.crs[strings.LastIndexAny(tc.crs, ":/")+1:]
			resp, _ := get(t, srv.URL+"/collections/building/items?limit=1&crs="+url.QueryEscape(tc.crs))
			if h, w := resp.Header.Get("Content-Crs"), "<http://www.opengis.net/def/crs/EPSG/0/"+epsg+">"; h != w {
				t.Errorf("Content-Crs %s, want %s", h, w)
			}
			var got [][2]float64
			for _, f := range c.Features {
				got = append(got, flatten(t, f.Geometry.Coordinates)...)
			}
			if len(got) != len(lonLat) {
				t.Fatalf("%d positions, want %d", len(got), len(lonLat))
			}
			var in bytes.Buffer
			for _, p := range lonLat {
				fmt.Fprintf(&in, "%.12f %.12f\n", p[1], p[0]) // EPSG:4326 is latitude first
			}
			cmd := exec.Command("cs2cs", "-f", "%.10f", "EPSG:4326", "EPSG:"+epsg)
			cmd.Stdin = &in
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("cs2cs: %v", err)
			}
			lines := strings.Split(strings.TrimSpace(string(out)), "\n")
			worst := 0.0
			for i, l := range lines {
				var a, b, z float64
				if _, err := fmt.Sscan(l, &a, &b, &z); err != nil {
					t.Fatalf("cs2cs line %q: %v", l, err)
				}
				d := math.Max(math.Abs(a-got[i][0]), math.Abs(b-got[i][1]))
				worst = math.Max(worst, d)
				if d > tc.tol {
					t.Fatalf("position %d: cim (%.6f, %.6f), cs2cs (%.6f, %.6f)", i, got[i][0], got[i][1], a, b)
				}
			}
			t.Logf("%d positions, largest difference %.3g", len(lines), worst)
		})
	}
}

// TestBBoxCRS asks for the buildings in a box given in EPSG:4549
// (northing, easting) around one building's first position, converted by
// cs2cs, and finds that building.
func TestBBoxCRS(t *testing.T) {
	if _, err := exec.LookPath("cs2cs"); err != nil {
		t.Skip("cs2cs (PROJ) is not installed: apt-get install proj-bin")
	}
	s := storetest.Sample(t)
	srv := serve(t, s)
	resp, b := get(t, srv.URL+"/collections/building/items?limit=1")
	var c fc
	if err := json.Unmarshal(b, &c); err != nil || resp.StatusCode != 200 || len(c.Features) != 1 {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
	p := flatten(t, c.Features[0].Geometry.Coordinates)[0]
	cmd := exec.Command("cs2cs", "-f", "%.4f", "EPSG:4326", "EPSG:4549")
	cmd.Stdin = strings.NewReader(fmt.Sprintf("%.12f %.12f\n", p[1], p[0]))
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	var n, e float64
	fmt.Sscan(string(out), &n, &e)
	q := fmt.Sprintf("bbox=%f,%f,%f,%f&bbox-crs=%s", n-1, e-1, n+1, e+1, url.QueryEscape("http://www.opengis.net/def/crs/EPSG/0/4549"))
	resp, b = get(t, srv.URL+"/collections/building/items?"+q)
	var in fc
	if err := json.Unmarshal(b, &in); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
	found := false
	for _, f := range in.Features {
		found = found || f.ID == c.Features[0].ID
	}
	if !found {
		t.Errorf("the 2 m box around %s in EPSG:4549 (%s) does not find it: %d features", c.Features[0].ID, q, len(in.Features))
	}
	// The same box with easting first is far away: nothing.
	q = fmt.Sprintf("bbox=%f,%f,%f,%f&bbox-crs=EPSG:4549", e-1, n-1, e+1, n+1)
	if resp, b = get(t, srv.URL+"/collections/building/items?"+q); resp.StatusCode == 200 {
		json.Unmarshal(b, &in)
		if len(in.Features) != 0 {
			t.Errorf("easting first found %d features", len(in.Features))
		}
	}
}
