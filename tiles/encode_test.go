package tiles

import (
	"bytes"
	"context"
	"testing"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/index"
	"github.com/future-community/cim/internal/storetest"
	"github.com/future-community/cim/query"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
)

// TestEncodeMatchesOrb builds tiles of the sample and of Monaco with Build
// and with orb's own encoder (mvt.Marshal over geojson features, the way
// Build made tiles before it encoded them itself) and wants the same
// bytes: same layers, features, tags, keys, values and geometry.
func TestEncodeMatchesOrb(t *testing.T) {
	for _, tc := range []struct {
		name   string
		store  func(*testing.T) *index.Store
		centre orb.Point
	}{
		{"sample", func(t *testing.T) *index.Store { return storetest.Sample(t) }, orb.Point{120.2123, 30.2572}},
		{"monaco", func(t *testing.T) *index.Store { return storetest.File(t, monaco, asBuilt) }, orb.Point{7.4246, 43.7384}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sn, err := tc.store(t).Snapshot()
			if err != nil {
				t.Fatal(err)
			}
			defer sn.Close()
			n, encoded := 0, 0
			for z := maptile.Zoom(10); z <= 18; z++ {
				c := maptile.At(tc.centre, z)
				for dx := -1; dx <= 1; dx++ {
					for dy := -1; dy <= 1; dy++ {
						x, y := uint32(int(c.X)+dx), uint32(int(c.Y)+dy)
						for _, p := range []Params{{}, {Levels: &cim.LevelRange{Min: 1, Max: 1}}} {
							got, st, err := Build(context.Background(), sn, uint32(z), x, y, p)
							if err != nil {
								t.Fatal(err)
							}
							want := orbBuild(t, sn, uint32(z), x, y, p)
							if !bytes.Equal(got, want) {
								t.Fatalf("tile %d/%d/%d %+v: Build gave %d bytes, orb's encoder %d", z, x, y, p, len(got), len(want))
							}
							n++
							encoded += st.Encoded
						}
					}
				}
			}
			if encoded == 0 {
				t.Fatalf("%d tiles compared, all empty", n)
			}
			t.Logf("%d tiles, %d features: the same bytes", n, encoded)
		})
	}
}

// orbBuild is Build through orb's encoder.
func orbBuild(t *testing.T, sn *index.Snapshot, z, x, y uint32, p Params) []byte {
	t.Helper()
	layers := LayersAt(z, p)
	byClass := map[cim.Class]int{}
	var classes []cim.Class
	for i, l := range layers {
		classes = append(classes, l.Class)
		byClass[l.Class] = i
	}
	box := TileBox(z, x, y)
	rows := query.Run(context.Background(), sn, query.Query{BBox: &box, Classes: classes, Omit: index.FieldOtherProps})
	defer rows.Close()
	proj := newProjector(maptile.New(x, y, maptile.Zoom(z)))
	fcs := make([]*geojson.FeatureCollection, len(layers))
	for rows.Next() {
		f := rows.Feature()
		i, ok := byClass[f.Class]
		if !ok || p.Levels != nil && layers[i].OnFloors && !f.Levels.Overlaps(*p.Levels) {
			continue
		}
		g := tileGeometry(proj.project(f.Geometry))
		if g == nil {
			continue
		}
		tf := geojson.NewFeature(g)
		tf.ID = FeatureID(f)
		tf.Properties = attributes(f)
		if fcs[i] == nil {
			fcs[i] = geojson.NewFeatureCollection()
		}
		fcs[i].Append(tf)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	var ls mvt.Layers
	for i, fc := range fcs {
		if fc != nil {
			l := mvt.NewLayer(layers[i].Name, fc)
			l.Version, l.Extent = 2, Extent
			ls = append(ls, l)
		}
	}
	if len(ls) == 0 {
		return nil
	}
	data, err := mvt.Marshal(ls)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// attributes are a tile feature's properties (Fields).
func attributes(f *cim.Feature) geojson.Properties {
	p := geojson.Properties{
		"id":        f.ID,
		"class":     f.Class.String(),
		"dataset":   f.Dataset,
		"stage":     f.Stage.String(),
		"level_min": f.Levels.Min,
		"level_max": f.Levels.Max,
	}
	if f.Kind != "" {
		p["kind"] = f.Kind
	}
	if v, ok := f.Props["name"]; ok {
		if s, ok := cim.PropText(v); ok && s != "" {
			p["name"] = s
		}
	}
	if lo, hi, ok := cim.Heights(f); ok {
		p["min_height"] = round2(lo)
		p["height"] = round2(hi)
	}
	return p
}
