package features

import (
	"errors"
	"net/url"
	"testing"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/problem"
)

func TestParseParams(t *testing.T) {
	for _, tc := range []struct {
		q     string
		param string // the bad parameter; "" for none
		check func(Params) bool
	}{
		{"", "", func(p Params) bool { return p.Limit == DefaultLimit && p.CRS.isDefault() && p.BBox == nil }},
		{"limit=10000", "", func(p Params) bool { return p.Limit == MaxLimit }},
		{"limit=0", "limit", nil},
		{"limit=-1", "limit", nil},
		{"limit=1&limit=2", "limit", nil},
		{"bbox=1,2,3", "bbox", nil},
		{"bbox=1,2,3,4,5,6", "bbox", nil},
		{"bbox=3,2,1,4", "bbox", nil},
		{"bbox=7.4,43.7,7.5,43.8", "", func(p Params) bool { return *p.BBox == cim.Box{MinLon: 7.4, MinLat: 43.7, MaxLon: 7.5, MaxLat: 43.8} }},
		{"bbox-crs=EPSG:4326", "bbox-crs", nil},
		{"bbox=43.7,7.4,43.8,7.5&bbox-crs=EPSG:4326", "", func(p Params) bool { return *p.BBox == cim.Box{MinLon: 7.4, MinLat: 43.7, MaxLon: 7.5, MaxLat: 43.8} }},
		{"crs=EPSG:4549", "", func(p Params) bool { return p.CRS.northEast && p.CRS.uri == crsURI(4549) }},
		{"crs=EPSG:3857", "", func(p Params) bool { return !p.CRS.northEast }},
		{"crs=" + url.QueryEscape(CRS84), "", func(p Params) bool { return p.CRS.isDefault() }},
		{"crs=EPSG:28992", "crs", nil},
		{"crs=nonsense", "crs", nil},
		{"level=-1..2", "", func(p Params) bool { return *p.Levels == cim.LevelRange{Min: -1, Max: 2} }},
		{"level=2..1", "level", nil},
		{"stage=design&dataset=d", "", func(p Params) bool { return p.Stage == cim.StageDesign && p.Dataset == "d" }},
		{"stage=soon", "stage", nil},
		{"kind=kindergarten&name=x", "", func(p Params) bool {
			return len(p.Where) == 2 && p.Where[0].Key == "cim:kind" && p.Where[1].Key == "name"
		}},
		{"cim:class=building", "cim:class", nil},
		{"cursor=abc", "cursor", nil},
		{"rev=x&cursor=abc", "rev", nil},
		{"filter=height>", "filter", nil},
		{"filter=height>3&filter-lang=sql", "filter-lang", nil},
		{"filter-lang=cql2-text", "filter", nil},
	} {
		t.Run(tc.q, func(t *testing.T) {
			v, err := url.ParseQuery(tc.q)
			if err != nil {
				t.Fatal(err)
			}
			p, err := ParseParams(v)
			var pe *problem.ParamError
			switch {
			case tc.param != "" && (!errors.As(err, &pe) || pe.Name != tc.param):
				t.Fatalf("error %v, want one naming %s", err, tc.param)
			case tc.param == "" && err != nil:
				t.Fatal(err)
			case tc.check != nil && !tc.check(p):
				t.Errorf("%+v", p)
			}
		})
	}
}

// FuzzParseParams checks that any query string is either parameters
// whose links read back to the same parameters, or a *problem.ParamError,
// never a panic.
func FuzzParseParams(f *testing.F) {
	for _, s := range []string{"", "limit=5&bbox=1,2,3,4", "bbox=1,2,3", "crs=EPSG:4549&bbox=3300000,500000,3400000,600000&bbox-crs=EPSG:4549",
		"level=-1..3&stage=design&dataset=x&kind=park", "limit=-1", "rev=3&cursor=AAAA", "filter=x", "bbox=nan,1,2,3", "bbox=-180,-90,180,90&crs=EPSG:3857"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := url.ParseQuery(s)
		if err != nil {
			return
		}
		p, err := ParseParams(v)
		if err != nil {
			var pe *problem.ParamError
			if !errors.As(err, &pe) {
				t.Fatalf("%q: %v is not a ParamError", s, err)
			}
			return
		}
		if p.Limit < 1 || p.Limit > MaxLimit {
			t.Fatalf("%q: limit %d", s, p.Limit)
		}
		again, err := ParseParams(p.values())
		if err != nil {
			t.Fatalf("%q: the link's parameters %q do not parse: %v", s, p.values().Encode(), err)
		}
		if again.values().Encode() != p.values().Encode() {
			t.Fatalf("%q: %q reads back as %q", s, p.values().Encode(), again.values().Encode())
		}
	})
}

func FuzzChangeParams(f *testing.F) {
	for _, s := range []string{"", "since=0", "since=12&after=12.0.5&limit=7", "since=3&wait=25s", "wait=30", "class=building,green&stage=design",
		"after=1.2", "since=-1", "limit=0", "wait=1h", "after=5.0.0&since=9", "x=1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := url.ParseQuery(s)
		if err != nil {
			return
		}
		p, err := parseChangeParams(v)
		if err != nil {
			var pe *problem.ParamError
			if !errors.As(err, &pe) {
				t.Fatalf("%q: %v is not a ParamError", s, err)
			}
			return
		}
		if p.limit < 1 || p.limit > MaxLimit || p.wait < 0 || p.wait > MaxWait || p.after.Rev < p.since {
			t.Fatalf("%q: %+v", s, p)
		}
		if v.Get("after") != "" {
			again, err := parseChangePos(formatChangePos(p.after))
			if err != nil || again != p.after {
				t.Fatalf("%q: position %v reads back as %v, %v", s, p.after, again, err)
			}
		}
	})
}
