package query

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"testing"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/index"
	"github.com/twpayne/go-geom"
)

type src struct {
	fs []*cim.Feature
	i  int
}

func (s *src) Next() (*cim.Feature, error) {
	if s.i == len(s.fs) {
		return nil, io.EOF
	}
	s.i++
	return s.fs[s.i-1], nil
}

func rect(x0, y0, x1, y1 float64) geom.T {
	return geom.NewPolygonFlat(geom.XY, []float64{x0, y0, x1, y0, x1, y1, x0, y1, x0, y0}, []int{10})
}

// fixture: a row of ten 0.001°-wide buildings on floors 0..i, an L-shaped
// green whose bounding box covers building 0 but whose arms do not, and
// the same building 3 in the design stage.
func fixture(t *testing.T) *index.Snapshot {
	t.Helper()
	s, err := index.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	var fs []*cim.Feature
	for i := range 10 {
		x := 120 + float64(i)*0.002
		fs = append(fs, &cim.Feature{
			ID: fmt.Sprintf("b%d", i), Class: cim.ClassBuilding, Kind: []string{"residential", "school"}[i%2],
			Geometry: rect(x, 30, x+0.001, 30.001), Levels: cim.LevelRange{Min: 0, Max: float64(i)},
			Dataset: "s", Stage: cim.StagePlanning, Props: map[string]any{"n": float64(i), "name": fmt.Sprint("B", i)},
		})
	}
	design := *fs[3]
	design.Stage = cim.StageDesign
	fs = append(fs, &design)
	// An L around building 0: west arm and south arm, open to the north-east.
	fs = append(fs, &cim.Feature{
		ID: "green", Class: cim.ClassGreen, Dataset: "s", Stage: cim.StagePlanning,
		Geometry: geom.NewPolygonFlat(geom.XY, []float64{
			119.998, 29.998, 120.0015, 29.998, 120.0015, 29.999, 119.999, 29.999, 119.999, 30.0015, 119.998, 30.0015, 119.998, 29.998,
		}, []int{14}),
	})
	if _, _, err := s.Ingest(context.Background(), &src{fs: fs}, nil); err != nil {
		t.Fatal(err)
	}
	sn, err := s.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sn.Close)
	return sn
}

func ids(t *testing.T, sn *index.Snapshot, q Query) []string {
	t.Helper()
	rows := Run(context.Background(), sn, q)
	defer rows.Close()
	var out []string
	for rows.Next() {
		f := rows.Feature()
		out = append(out, f.ID+"@"+f.Stage.String())
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

func TestQueries(t *testing.T) {
	sn := fixture(t)
	box := func(w, s, e, n float64) *cim.Box { return &cim.Box{MinLon: w, MinLat: s, MaxLon: e, MaxLat: n} }
	lv := func(a, b float64) *cim.LevelRange { return &cim.LevelRange{Min: a, Max: b} }
	tests := []struct {
		name string
		q    Query
		want []string
	}{
		{"by id, every version", Query{ID: "b3", AllVersions: true}, []string{"b3@design", "b3@planning"}},
		{"by id, latest view", Query{ID: "b3"}, []string{"b3@design"}},
		{"by id, planning view", Query{ID: "b3", Stage: cim.StagePlanning}, []string{"b3@planning"}},
		{"by id, versions stored at design", Query{ID: "b3", Stage: cim.StageDesign, AllVersions: true}, []string{"b3@design"}},
		{"unknown id", Query{ID: "nope"}, nil},
		{"box inside building 0, not in the green's arms", Query{BBox: box(120.0002, 30.0002, 120.0003, 30.0003)}, []string{"b0@planning"}},
		{"box in the green's empty corner", Query{BBox: box(119.9995, 29.9993, 119.9996, 29.9994)}, nil},
		{"box on the green's arm", Query{BBox: box(119.9985, 29.9985, 119.9986, 29.9986)}, []string{"green@planning"}},
		{"floor 8", Query{Levels: lv(8, 8)}, []string{"b8@planning", "b9@planning"}},
		{"floors 7..8 in a box", Query{Levels: lv(7, 8), BBox: box(120.0139, 30, 120.02, 30.001)}, []string{"b7@planning", "b8@planning", "b9@planning"}},
		{"class green", Query{Classes: []cim.Class{cim.ClassGreen}}, []string{"green@planning"}},
		{"stored at design", Query{Stage: cim.StageDesign, AllVersions: true, Classes: []cim.Class{cim.ClassBuilding}}, []string{"b3@design"}},
		{"design view", Query{Stage: cim.StageDesign, Levels: lv(3, 4)}, []string{"b3@design", "b4@planning", "b5@planning", "b6@planning", "b7@planning", "b8@planning", "b9@planning"}},
		{"where", Query{Where: []Cond{{"n", "4"}}}, []string{"b4@planning"}},
		{"where kind", Query{Where: []Cond{{"cim:kind", "school"}}, Levels: lv(8, 9)}, []string{"b9@planning"}},
		{"where on a missing property", Query{Where: []Cond{{"height", "3"}}}, nil},
		{"unknown dataset", Query{Dataset: "other"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ids(t, sn, tt.q); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestOmit(t *testing.T) {
	sn := fixture(t)
	tests := []struct {
		name         string
		q            Query
		geom, props  bool
		wantFeatures int
	}{
		{"everything", Query{Levels: &cim.LevelRange{Min: 5, Max: 9}}, true, true, 5},
		{"no geometry", Query{Levels: &cim.LevelRange{Min: 5, Max: 9}, Omit: index.FieldGeometry}, false, true, 5},
		{"neither", Query{Classes: []cim.Class{cim.ClassBuilding}, Omit: index.FieldGeometry | index.FieldProps}, false, false, 10},
		{"neither, every version", Query{Classes: []cim.Class{cim.ClassBuilding}, Omit: index.FieldGeometry | index.FieldProps, AllVersions: true}, false, false, 11},
		{"props kept for where", Query{Where: []Cond{{"n", "4"}}, Omit: index.FieldProps}, true, true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows := Run(context.Background(), sn, tt.q)
			defer rows.Close()
			n := 0
			for rows.Next() {
				f := rows.Feature()
				if (f.Geometry != nil) != tt.geom || (f.Props != nil) != tt.props {
					t.Errorf("%s: geometry %v, props %v; want geometry %v, props %v", f.ID, f.Geometry != nil, f.Props != nil, tt.geom, tt.props)
				}
				n++
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			if n != tt.wantFeatures {
				t.Errorf("%d features, want %d", n, tt.wantFeatures)
			}
		})
	}
}

func TestPaging(t *testing.T) {
	sn := fixture(t)
	for _, q := range []Query{{}, {Levels: &cim.LevelRange{Min: 2, Max: 5}}, {BBox: &cim.Box{MinLon: 119, MinLat: 29, MaxLon: 121, MaxLat: 31}}, {Where: []Cond{{"cim:kind", "residential"}}}} {
		all := ids(t, sn, q)
		var paged []string
		q.Limit = 3
		for pages := 0; ; pages++ {
			if pages > 10 {
				t.Fatal("paging does not end")
			}
			rows := Run(context.Background(), sn, q)
			n := 0
			for rows.Next() {
				f := rows.Feature()
				paged = append(paged, f.ID+"@"+f.Stage.String())
				n++
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			if n > 3 {
				t.Fatalf("page of %d", n)
			}
			q.Cursor = rows.Cursor()
			rows.Close()
			if q.Cursor == "" {
				break
			}
		}
		slices.Sort(paged)
		if !slices.Equal(paged, all) {
			t.Errorf("paged %v\n  all %v", paged, all)
		}
	}
}

func TestCursorBelongsToItsQuery(t *testing.T) {
	sn := fixture(t)
	rows := Run(context.Background(), sn, Query{Limit: 2})
	for rows.Next() {
	}
	cur := rows.Cursor()
	rows.Close()
	if cur == "" {
		t.Fatal("no cursor after a full page")
	}
	for _, q := range []Query{{Cursor: cur, Classes: []cim.Class{cim.ClassGreen}}, {Cursor: "!!!"}, {Cursor: "AAAA"}} {
		rows := Run(context.Background(), sn, q)
		if rows.Next() || !errors.Is(rows.Err(), ErrBadCursor) {
			t.Errorf("cursor %q with another query: err %v", q.Cursor, rows.Err())
		}
		rows.Close()
	}
}

func TestNoCursorWhenNothingIsLeft(t *testing.T) {
	sn := fixture(t)
	rows := Run(context.Background(), sn, Query{Classes: []cim.Class{cim.ClassGreen}, Limit: 1})
	defer rows.Close()
	for rows.Next() {
	}
	if c := rows.Cursor(); c != "" {
		t.Errorf("cursor %q for a complete result", c)
	}
}

func TestParse(t *testing.T) {
	if b, err := ParseBBox("120.1, 30.2,120.3,30.4"); err != nil || b != (cim.Box{MinLon: 120.1, MinLat: 30.2, MaxLon: 120.3, MaxLat: 30.4}) {
		t.Errorf("ParseBBox = %v, %v", b, err)
	}
	for _, bad := range []string{"", "1,2,3", "a,b,c,d", "10,0,5,1", "0,10,1,5", "-200,0,0,1", "0,0,1,NaN"} {
		if _, err := ParseBBox(bad); err == nil {
			t.Errorf("ParseBBox(%q) accepted", bad)
		}
	}
	if c, err := ParseCond("building:levels=5"); err != nil || c != (Cond{"building:levels", "5"}) {
		t.Errorf("ParseCond = %v, %v", c, err)
	}
	if c, err := ParseCond("note=a=b"); err != nil || c.Value != "a=b" {
		t.Errorf("ParseCond = %v, %v", c, err)
	}
	for _, bad := range []string{"", "=x", "novalue"} {
		if _, err := ParseCond(bad); err == nil {
			t.Errorf("ParseCond(%q) accepted", bad)
		}
	}
}

func FuzzParseBBox(f *testing.F) {
	for _, s := range []string{"1,2,3,4", "-180,-90,180,90", "1e308,0,1e309,1", ",,,"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := ParseBBox(s)
		if err == nil && b.Validate() != nil {
			t.Fatalf("ParseBBox(%q) = %v without error but invalid", s, b)
		}
	})
}
