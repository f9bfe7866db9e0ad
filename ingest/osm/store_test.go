package osm

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestNegativeIDsInOsmiumOrder: osmium sort puts −1, −2, … before the
// positive ids.
func TestNegativeIDsInOsmiumOrder(t *testing.T) {
	ns := newNodeStore(1<<20, t.TempDir())
	defer ns.close()
	for i, id := range []int64{-1, -2, -30, 1, 2, 40} {
		if err := ns.add(id, int32(i), 0); err != nil {
			t.Fatalf("add %d: %v", id, err)
		}
	}
	for i, id := range []int64{-1, -2, -30, 1, 2, 40} {
		if lon, _, ok, _ := ns.get(id); !ok || lon != int32(i) {
			t.Errorf("get %d: %d %v", id, lon, ok)
		}
	}
	if _, _, ok, _ := ns.get(-3); ok {
		t.Error("found -3")
	}
	if err := ns.add(40, 0, 0); !errors.Is(err, errUnsorted) || !strings.Contains(err.Error(), "twice") {
		t.Errorf("duplicate id: %v", err)
	}
}

// TestStoresSpillAndReadBack fills the node and way stores far past a tiny
// memory budget and reads everything back, in and out of order.
func TestStoresSpillAndReadBack(t *testing.T) {
	for _, budget := range []int64{1, 64 << 20} { // spill at once; never spill
		ns := newNodeStore(budget, t.TempDir())
		ws := newWayStore(budget, t.TempDir())
		r := rand.New(rand.NewPCG(1, 2))
		var ids []int64
		id := int64(100)
		for i := range 300_000 {
			id += 1 + r.Int64N(3)
			ids = append(ids, id)
			if err := ns.add(id, int32(i), int32(-i)); err != nil {
				t.Fatal(err)
			}
			if err := ws.add(id, []int64{id, id + 1, int64(i)}); err != nil {
				t.Fatal(err)
			}
		}
		if budget == 1 && ns.ids.spilled == 0 {
			t.Fatal("nothing was spilled")
		}
		for _, k := range append(r.Perm(len(ids))[:20000], 0, len(ids)-1) {
			lon, lat, ok, err := ns.get(ids[k])
			if err != nil || !ok || lon != int32(k) || lat != int32(-k) {
				t.Fatalf("node %d: %d %d %v %v", ids[k], lon, lat, ok, err)
			}
			refs, ok, err := ws.get(nil, ids[k])
			if err != nil || !ok || len(refs) != 3 || refs[2] != int64(k) {
				t.Fatalf("way %d: %v %v %v", ids[k], refs, ok, err)
			}
		}
		for _, missing := range []int64{0, 99, ids[5] + 1, id + 1} {
			if missing == ids[6] {
				continue
			}
			if _, _, ok, _ := ns.get(missing); ok {
				t.Errorf("node %d found", missing)
			}
			if _, ok, _ := ws.get(nil, missing); ok {
				t.Errorf("way %d found", missing)
			}
		}
		if err := ns.add(5, 0, 0); !errors.Is(err, errUnsorted) {
			t.Errorf("descending id accepted: %v", err)
		}
		ns.close()
		ws.close()
	}
}

// BenchmarkNodeLookup looks up random nodes among 4M, held in memory and
// with three quarters of them spilled to disk.
func BenchmarkNodeLookup(b *testing.B) {
	for _, c := range []struct {
		name   string
		budget int64
	}{{"memory", 1 << 30}, {"spilled", 16 << 20}} {
		b.Run(c.name, func(b *testing.B) {
			ns := newNodeStore(c.budget, b.TempDir())
			defer ns.close()
			const n = 4_000_000
			for i := range n {
				ns.add(int64(i)*3, int32(i), int32(i))
			}
			r := rand.New(rand.NewPCG(1, 1))
			b.ResetTimer()
			for range b.N {
				k := r.IntN(n)
				if lon, _, ok, err := ns.get(int64(k) * 3); !ok || err != nil || lon != int32(k) {
					b.Fatal(k, ok, err)
				}
			}
		})
	}
}
