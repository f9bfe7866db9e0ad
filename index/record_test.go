package index

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/dgraph-io/badger/v4"
	"github.com/future-community/cim/cim"
	"github.com/twpayne/go-geom"
)

func TestRecordRoundTrip(t *testing.T) {
	var v cim.Vertical
	v.SetLevelsAbove(26)
	v.SetLevelsBelow(2)
	v.SetRoofLevels(1)
	v.SetHeight(81.5)
	v.SetMinHeight(0.25)
	v.SetElevation(-4.5)
	v.SetStoreyHeight(3.15)
	tests := []struct {
		name string
		f    cim.Feature
	}{
		{"point, nano coding", cim.Feature{Class: cim.ClassTransitStop, Kind: "bus_stop", Geometry: geom.NewPointFlat(geom.XY, []float64{120.2104567, 30.2551234})}},
		{"full-precision coordinates", cim.Feature{Geometry: geom.NewLineStringFlat(geom.XY, []float64{120.21045673412345, 30.1, math.Nextafter(120.3, 121), 30.2})}},
		{"polygon with hole and every fact", cim.Feature{
			Class: cim.ClassBuilding, Kind: "residential", Levels: cim.LevelRange{Min: -2, Max: 25.5}, Vertical: v, Parent: "geojson:s:site",
			Geometry: geom.NewPolygonFlat(geom.XY, []float64{0, 0, 1, 0, 1, 1, 0, 0, 0.2, 0.1, 0.3, 0.2, 0.4, 0.1, 0.2, 0.1}, []int{8, 16}),
			Props:    map[string]any{"name": "一号楼", "levels": 26.0, "ok": true, "no": false, "none": nil, "nested": map[string]any{"a": []any{1.0, "x"}}},
		}},
		{"odd levels", cim.Feature{Levels: cim.LevelRange{Min: 0.3, Max: 1.7}, Geometry: geom.NewPointFlat(geom.XY, []float64{1, 2})}},
		{"multi geometries", cim.Feature{Geometry: geom.NewMultiPolygonFlat(geom.XY, []float64{0, 0, 1, 0, 1, 1, 0, 0, 5, 5, 6, 5, 6, 6, 5, 5}, [][]int{{8}, {16}})}},
		{"multiline", cim.Feature{Geometry: geom.NewMultiLineStringFlat(geom.XY, []float64{0, 0, 1, 1, 2, 2, 3, 3}, []int{4, 8})}},
		{"multipoint", cim.Feature{Geometry: geom.NewMultiPointFlat(geom.XY, []float64{0, 0, -179.9999999, -89.9999999})}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := appendRecord(nil, &tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var got cim.Feature
			if err := decodeRecord(b, &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Geometry.FlatCoords(), tt.f.Geometry.FlatCoords()) || reflect.TypeOf(got.Geometry) != reflect.TypeOf(tt.f.Geometry) {
				t.Errorf("geometry %T%v, want %T%v", got.Geometry, got.Geometry.FlatCoords(), tt.f.Geometry, tt.f.Geometry.FlatCoords())
			}
			got.Geometry, tt.f.Geometry = nil, nil
			if !reflect.DeepEqual(got, tt.f) {
				t.Errorf("got  %+v\nwant %+v", got, tt.f)
			}
		})
	}
}

func TestNanoCodingIsExactOrNotUsed(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	for range 100000 {
		v := (r.Float64()*2 - 1) * 180
		if r.IntN(2) == 0 {
			v = math.Round(v*1e7) / 1e7
		}
		if n, ok := nano(v); ok && float64(n)/1e9 != v {
			t.Fatalf("nano(%v) = %d claims exact", v, n)
		}
	}
	for _, v := range []float64{120.2104567, -0.0000001, 30.123456789} {
		if _, ok := nano(v); !ok {
			t.Errorf("nano(%v) not exact", v)
		}
	}
}

func FuzzDecodeRecord(f *testing.F) {
	for _, fe := range []cim.Feature{
		{Class: cim.ClassBuilding, Geometry: geom.NewPolygonFlat(geom.XY, []float64{0, 0, 1, 0, 1, 1, 0, 0}, []int{8}), Props: map[string]any{"a": "b"}},
		{Geometry: geom.NewMultiPolygonFlat(geom.XY, []float64{0.5, 0, 1, 0, 1, 1, 0.5, 0}, [][]int{{8}})},
		{Geometry: geom.NewPointFlat(geom.XY, []float64{1.123456789123, 2})},
	} {
		b, _ := appendRecord(nil, &fe)
		f.Add(b)
	}
	var r reader // kept between inputs, as a scan keeps it
	var sl slab
	f.Fuzz(func(t *testing.T, b []byte) {
		var fe cim.Feature
		err := decodeRecord(b, &fe) // must not panic or allocate without bound
		// A scan's decoder, with its reused buffers and chunks, agrees.
		var got cim.Feature
		if err2 := r.record(b, &got, &sl, 0); (err == nil) != (err2 == nil) {
			t.Fatalf("decodeRecord: %v; scan decoder: %v", err, err2)
		}
		if err == nil && show(&got) != show(&fe) {
			t.Fatalf("scan decoder %s, decodeRecord %s", show(&got), show(&fe))
		}
		for _, omit := range []Fields{FieldGeometry, FieldProps, FieldGeometry | FieldProps, FieldOtherProps} {
			r.record(b, &got, &sl, omit)
		}
	})
}

// show prints a feature, geometry included; unlike reflect.DeepEqual,
// it finds NaN equal to NaN.
func show(f *cim.Feature) string {
	g := *f
	g.Geometry = nil
	if f.Geometry == nil {
		return fmt.Sprintf("%+v", g)
	}
	return fmt.Sprintf("%+v %T%v%v", g, f.Geometry, f.Geometry.FlatCoords(), f.Geometry.Ends())
}

// TestWriterDeleteHidesKey checks badgerBitDelete against Badger: a key
// deleted through the writer must read as absent.
func TestWriterDeleteHidesKey(t *testing.T) {
	s := openTemp(t)
	w := writer{db: s.db, ts: 5}
	w.set([]byte("k"), []byte("v"))
	if err := w.finish(); err != nil {
		t.Fatal(err)
	}
	w = writer{db: s.db, ts: 6}
	w.del([]byte("k"))
	if err := w.finish(); err != nil {
		t.Fatal(err)
	}
	at := func(ts uint64) error {
		txn := s.db.NewTransactionAt(ts, false)
		defer txn.Discard()
		_, err := txn.Get([]byte("k"))
		return err
	}
	if err := at(5); err != nil {
		t.Errorf("at version 5: %v, want the value", err)
	}
	if err := at(6); err != badger.ErrKeyNotFound {
		t.Errorf("at version 6: %v, want ErrKeyNotFound", err)
	}
}

func TestRadixSortOrdersByHead(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 2))
	in := make([]pending, 5000)
	for i := range in {
		k := []byte{byte(r.IntN(3)) + 'A', byte(r.IntN(256)), byte(r.IntN(256)), byte(r.IntN(4)), 0, 0, 0, byte(r.IntN(256)), byte(i >> 8), byte(i)}
		in[i] = pending{head: keyHead(k), key: k}
	}
	out, _ := radixSort(append([]pending(nil), in...), nil)
	for i := 1; i < len(out); i++ {
		if out[i-1].head > out[i].head {
			t.Fatalf("out of order at %d", i)
		}
		if out[i-1].head == out[i].head && string(out[i-1].key[8:]) > string(out[i].key[8:]) {
			t.Fatalf("not stable at %d", i)
		}
	}
}

func TestMortonRangesCoverTheBox(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	for range 300 {
		x0, y0 := r.Uint32(), r.Uint32()
		w, h := r.Uint32()>>uint(r.IntN(32)), r.Uint32()>>uint(r.IntN(32))
		q := qbox{x0, y0, x0 + min(w, math.MaxUint32-x0), y0 + min(h, math.MaxUint32-y0)}
		rs := mortonRanges(q, rangeBudget)
		if len(rs) == 0 {
			t.Fatalf("no ranges for %v", q)
		}
		for i := 1; i < len(rs); i++ {
			if rs[i-1].hi >= rs[i].lo {
				t.Fatalf("ranges overlap or are unsorted: %v", rs)
			}
		}
		for range 200 { // points inside the box are covered
			x := q.x0 + uint32(r.Uint64N(uint64(q.x1-q.x0)+1))
			y := q.y0 + uint32(r.Uint64N(uint64(q.y1-q.y0)+1))
			m := morton(x, y)
			if !coveredBy(m, rs) {
				t.Fatalf("point (%d,%d) of %v not covered", x, y, q)
			}
			if ux, uy := unmorton(m); ux != x || uy != y {
				t.Fatalf("unmorton(morton(%d,%d)) = %d,%d", x, y, ux, uy)
			}
		}
	}
}

func coveredBy(m uint64, rs []mrange) bool {
	for _, r := range rs {
		if r.lo <= m && m <= r.hi {
			return true
		}
	}
	return false
}

func TestTierBoundsTheReach(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	for range 10000 {
		x0, y0 := r.Uint32()>>1, r.Uint32()>>1
		q := qbox{x0, y0, x0 + r.Uint32()>>uint(1+r.IntN(31)), y0 + r.Uint32()>>uint(1+r.IntN(31))}
		tier := tierOf(q)
		if reach := cellReach(tier); q.x1-q.x0 > reach || q.y1-q.y0 > reach {
			t.Fatalf("box %v of tier %d is wider than the reach %d", q, tier, reach)
		}
		if tier < maxTier {
			if reach := cellReach(tier + 1); q.x1-q.x0 <= reach && q.y1-q.y0 <= reach {
				t.Fatalf("box %v fits tier %d but got %d", q, tier+1, tier)
			}
		}
	}
}

func TestReadOnlyStoreRefusesWrites(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	ingest(t, s, []*cim.Feature{randomFeature(rand.New(rand.NewPCG(5, 5)), 1)})
	s.Close()
	ro, err := Open(dir, &Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if _, err := ro.Begin(); err != ErrReadOnly {
		t.Errorf("Begin on a read-only store: %v", err)
	}
	sn, _ := ro.Snapshot()
	defer sn.Close()
	if n := len(scanKeys(t, sn, Filter{})); n != 1 {
		t.Errorf("read-only store shows %d features", n)
	}
}
