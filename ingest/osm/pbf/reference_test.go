package pbf_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/future-community/cim/ingest/osm/pbf"
	"github.com/qedus/osmpbf"
)

const shared = "../../../../shared"

func sharedFile(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(shared, rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("%s not found: the shared test data (../shared beside the repository) is absent", p)
	}
	return p
}

// sameStream decodes a file with this package and with qedus/osmpbf, an
// independent decoder (unmodified, from the module proxy, used only here),
// and reports the first objects that differ.
func sameStream(t *testing.T, path string) {
	f1, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f1.Close()
	f2, _ := os.Open(path)
	defer f2.Close()
	ref := osmpbf.NewDecoder(f2)
	if err := ref.Start(2); err != nil {
		t.Fatal(err)
	}
	r, err := pbf.NewReader(context.Background(), f1, pbf.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var counts [3]int
	bad := 0
	for bad < 5 {
		b, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range b.Groups {
			for i := g.Start; i < g.End; i++ {
				counts[g.Kind]++
				want, err := ref.Decode()
				if err != nil {
					t.Fatalf("qedus/osmpbf: %v after %v objects", err, counts)
				}
				if got := object(b, g.Kind, i); got != describe(want) {
					t.Errorf("object %v: got\n\t%s\nqedus/osmpbf\n\t%s", counts, got, describe(want))
					bad++
				}
			}
		}
	}
	if v, err := ref.Decode(); bad == 0 && err != io.EOF {
		t.Errorf("qedus/osmpbf has more: %v %v", describe(v), err)
	}
	t.Logf("%d nodes, %d ways, %d relations alike", counts[0], counts[1], counts[2])
}

func tagString(m map[string]string) string {
	var s string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		s += fmt.Sprintf(" %q=%q", k, m[k])
	}
	return s
}

// object describes object i of a block as describe does qedus's.
func object(b *pbf.Block, k pbf.Kind, i int) string {
	switch k {
	case pbf.Node:
		lat, lon := 1e-9*float64(b.Nodes.Lat[i]), 1e-9*float64(b.Nodes.Lon[i])
		return fmt.Sprintf("node %d %v %v%s", b.Nodes.ID[i], lat, lon, tagString(b.NodeTags(i).Map()))
	case pbf.Way:
		return fmt.Sprintf("way %d %v%s", b.Ways.ID[i], b.WayRefs(i), tagString(b.WayTags(i).Map()))
	}
	ids, kinds, roles := b.Members(i)
	var ms []string
	for j := range ids {
		ms = append(ms, fmt.Sprintf("%d/%d/%s", kinds[j], ids[j], b.Strings[roles[j]]))
	}
	return fmt.Sprintf("relation %d %v%s", b.Relations.ID[i], ms, tagString(b.RelationTags(i).Map()))
}

func describe(v any) string {
	switch o := v.(type) {
	case *osmpbf.Node:
		return fmt.Sprintf("node %d %v %v%s", o.ID, o.Lat, o.Lon, tagString(o.Tags))
	case *osmpbf.Way:
		return fmt.Sprintf("way %d %v%s", o.ID, o.NodeIDs, tagString(o.Tags))
	case *osmpbf.Relation:
		var ms []string
		for _, m := range o.Members {
			ms = append(ms, fmt.Sprintf("%d/%d/%s", m.Type, m.ID, m.Role))
		}
		return fmt.Sprintf("relation %d %v%s", o.ID, ms, tagString(o.Tags))
	}
	return fmt.Sprintf("%T", v)
}

// TestSameAsQedus: every node (id, location, tags), way (id, node ids,
// tags) and relation (id, members, tags) comes out as qedus/osmpbf decodes
// it, in the same order, for the shared extracts and a 5-copy archipelago.
func TestSameAsQedus(t *testing.T) {
	for _, f := range []string{"data/osm/monaco-latest.osm.pbf", "data/osm/bremen-trams.osm.pbf", "data/osm/taipei-osm2streets.osm.pbf"} {
		t.Run(filepath.Base(f), func(t *testing.T) { sameStream(t, sharedFile(t, f)) })
	}
	t.Run("archipelago-5", func(t *testing.T) {
		monaco := sharedFile(t, "data/osm/monaco-latest.osm.pbf")
		tool := sharedFile(t, "tools/make_archipelago.py")
		if _, err := exec.LookPath("osmium"); err != nil {
			t.Skip("osmium not installed (Debian osmium-tool): cannot make the archipelago")
		}
		out := filepath.Join(t.TempDir(), "archipelago-5.osm.pbf")
		if msg, err := exec.Command("python3", tool, monaco, "5", out).CombinedOutput(); err != nil {
			t.Fatalf("make_archipelago: %v\n%s", err, msg)
		}
		sameStream(t, out)
	})
}

// BenchmarkQedus reads Monaco with qedus/osmpbf on 4 workers, as a peer
// for BenchmarkReader.
func BenchmarkQedus(b *testing.B) {
	data, err := os.ReadFile(filepath.Join(shared, "data/osm/monaco-latest.osm.pbf"))
	if err != nil {
		b.Skip("shared test data absent")
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		d := osmpbf.NewDecoder(bytes.NewReader(data))
		if err := d.Start(4); err != nil {
			b.Fatal(err)
		}
		for {
			if _, err := d.Decode(); err != nil {
				if err != io.EOF {
					b.Fatal(err)
				}
				break
			}
		}
	}
}
