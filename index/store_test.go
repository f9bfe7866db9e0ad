package index

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/dgraph-io/badger/v4"
	"github.com/future-community/cim/cim"
	"github.com/twpayne/go-geom"
)

func openTemp(t testing.TB) *Store {
	t.Helper()
	s, err := Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func rect(x0, y0, x1, y1 float64) geom.T {
	return geom.NewPolygonFlat(geom.XY, []float64{x0, y0, x1, y0, x1, y1, x0, y1, x0, y0}, []int{10})
}

// randomFeature returns a feature near (120.15, 30.25): mostly small
// rectangles and L-shapes, some points and lines, on random floors.
func randomFeature(r *rand.Rand, i int) *cim.Feature {
	x := 120.1 + r.Float64()*0.1
	y := 30.2 + r.Float64()*0.1
	w := 0.0001 + r.Float64()*r.Float64()*0.01
	h := 0.0001 + r.Float64()*r.Float64()*0.01
	switch r.IntN(50) {
	case 0: // a huge feature, a low tier
		x, y, w, h = 100+r.Float64()*20, 20+r.Float64()*10, 10+r.Float64()*20, 5+r.Float64()*30
	case 1: // at the edges of the world
		x, y = 180-(1+r.Float64())*1e-6, 90-(1+r.Float64())*1e-6
		w, h = (180-x)/2, 90-y
	case 2:
		x, y = -180, -90
	}
	var g geom.T
	switch r.IntN(6) {
	case 0:
		g = geom.NewPointFlat(geom.XY, []float64{x, y})
	case 1:
		g = geom.NewLineStringFlat(geom.XY, []float64{x, y, x + w, y + h, x + 2*w, y})
	case 2: // an L: its bounding box has an empty corner
		g = geom.NewPolygonFlat(geom.XY, []float64{x, y, x + w, y, x + w, y + h/4, x + w/4, y + h/4, x + w/4, y + h, x, y + h, x, y}, []int{14})
	default:
		g = rect(x, y, x+w, y+h)
	}
	lo := float64(r.IntN(8) - 2)
	switch r.IntN(10) {
	case 0:
		lo += 0.5
	case 1:
		lo += []float64{0.1, 0.2, 0.3, 0.75}[r.IntN(4)] // not exact in float32
	}
	hi := lo
	if r.IntN(4) == 0 {
		hi += float64(r.IntN(12))
	}
	return &cim.Feature{
		ID:       fmt.Sprintf("t:%d", i),
		Class:    cim.Class(r.IntN(int(cim.ClassFacility) + 1)),
		Geometry: g,
		Levels:   cim.LevelRange{Min: lo, Max: hi},
		Dataset:  []string{"alpha", "beta"}[r.IntN(2)],
		Stage:    []cim.Stage{cim.StagePlanning, cim.StageAsBuilt}[r.IntN(2)],
		Props:    props(i),
	}
}

// props are a random feature's properties: a number, and a name on every
// third feature.
func props(i int) map[string]any {
	p := map[string]any{"n": float64(i)}
	if i%3 == 0 {
		p["name"] = fmt.Sprintf("feature %d", i)
	}
	return p
}

type sliceSource struct {
	fs []*cim.Feature
	i  int
}

func (s *sliceSource) Next() (*cim.Feature, error) {
	if s.i == len(s.fs) {
		return nil, io.EOF
	}
	s.i++
	return s.fs[s.i-1], nil
}

func ingest(t testing.TB, s *Store, fs []*cim.Feature) {
	t.Helper()
	if _, _, err := s.Ingest(context.Background(), &sliceSource{fs: fs}, nil); err != nil {
		t.Fatal(err)
	}
}

func key(f *cim.Feature) string { return f.Dataset + "/" + f.Stage.String() + "/" + f.ID }

func matches(f *cim.Feature, flt Filter) bool {
	if flt.Dataset != "" && f.Dataset != flt.Dataset {
		return false
	}
	if flt.Stage != cim.StageAny && f.Stage != flt.Stage {
		return false
	}
	if len(flt.Classes) > 0 && !slices.Contains(flt.Classes, f.Class) {
		return false
	}
	if flt.Levels != nil && !f.Levels.Overlaps(*flt.Levels) {
		return false
	}
	if flt.Box != nil && !cim.IntersectsBox(f.Geometry, *flt.Box) {
		return false
	}
	return true
}

func scanKeys(t testing.TB, sn *Snapshot, flt Filter) []string {
	t.Helper()
	it, err := sn.Scan(context.Background(), flt)
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	var out []string
	for it.Next() {
		f, err := it.Feature()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, key(f))
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func randomFilter(r *rand.Rand) Filter {
	var flt Filter
	if r.IntN(4) > 0 {
		x, y := 120.1+r.Float64()*0.1, 30.2+r.Float64()*0.1
		w, h := r.Float64()*r.Float64()*0.05, r.Float64()*r.Float64()*0.05
		switch r.IntN(20) {
		case 0:
			x, y, w, h = 90+r.Float64()*40, 10+r.Float64()*30, r.Float64()*20, r.Float64()*20
		case 1:
			x, y, w, h = 180-r.Float64()*1e-5, 90-r.Float64()*1e-5, r.Float64()*1e-8, r.Float64()*1e-8
		case 2:
			x, y, w, h = -180, -90, r.Float64()*1e-7, r.Float64()*1e-7
		}
		flt.Box = &cim.Box{MinLon: x, MinLat: y, MaxLon: min(180, x+w), MaxLat: min(90, y+h)}
	}
	if r.IntN(2) == 0 {
		lo := float64(r.IntN(12) - 3)
		switch r.IntN(6) {
		case 0:
			lo += 0.5
		case 1:
			lo += []float64{0.1, 0.2, 0.3, 0.75}[r.IntN(4)]
		}
		lr := cim.LevelRange{Min: lo, Max: lo + float64(r.IntN(3)*r.IntN(4))}
		flt.Levels = &lr
	}
	for range r.IntN(3) {
		flt.Classes = append(flt.Classes, cim.Class(r.IntN(int(cim.ClassFacility)+1)))
	}
	if r.IntN(3) == 0 {
		flt.Dataset = []string{"alpha", "beta", "gamma"}[r.IntN(3)]
	}
	if r.IntN(3) == 0 {
		flt.Stage = []cim.Stage{cim.StagePlanning, cim.StageAsBuilt, cim.StageDesign}[r.IntN(3)]
	}
	return flt
}

// TestScanMatchesBruteForce is the index's property test: every scan over
// random data returns exactly what a filter over all features returns.
func TestScanMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	dir := t.TempDir()
	s, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	fs := make([]*cim.Feature, 3000)
	for i := range fs {
		fs[i] = randomFeature(r, i)
	}
	// Two batches with a reopen between, so that the bucket catalog is
	// read back from the store and merged.
	ingest(t, s, fs[:1500])
	s.Close()
	if s, err = Open(dir, nil); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ingest(t, s, fs[1500:])
	sn, err := s.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer sn.Close()
	for q := range 400 {
		flt := randomFilter(r)
		var want []string
		for _, f := range fs {
			if matches(f, flt) {
				want = append(want, key(f))
			}
		}
		got := scanKeys(t, sn, flt)
		if dup := firstDuplicate(got); dup != "" {
			t.Fatalf("query %d %s: %s reported twice", q, describe(flt), dup)
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Fatalf("query %d %s: got %d features, want %d\nmissing %v\nextra %v", q, describe(flt), len(got), len(want), minus(want, got), minus(got, want))
		}
	}
}

func describe(f Filter) string {
	var b strings.Builder
	if f.Box != nil {
		fmt.Fprintf(&b, "bbox=%v ", *f.Box)
	}
	if f.Levels != nil {
		fmt.Fprintf(&b, "level=%v ", *f.Levels)
	}
	fmt.Fprintf(&b, "classes=%v dataset=%q stage=%v", f.Classes, f.Dataset, f.Stage)
	return b.String()
}

func firstDuplicate(s []string) string {
	seen := map[string]bool{}
	for _, k := range s {
		if seen[k] {
			return k
		}
		seen[k] = true
	}
	return ""
}

func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	if len(out) > 5 {
		out = append(out[:5], "…")
	}
	return out
}

func TestPagingResumesWhereItStopped(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	s := openTemp(t)
	fs := make([]*cim.Feature, 1000)
	for i := range fs {
		fs[i] = randomFeature(r, i)
	}
	ingest(t, s, fs)
	sn, _ := s.Snapshot()
	defer sn.Close()
	for _, flt := range []Filter{
		{},
		{Classes: []cim.Class{cim.ClassBuilding, cim.ClassGreen}},
		{Box: &cim.Box{MinLon: 120.1, MinLat: 30.2, MaxLon: 120.17, MaxLat: 30.26}},
		{Box: &cim.Box{MinLon: 120.1, MinLat: 30.2, MaxLon: 120.2, MaxLat: 30.3}, Levels: &cim.LevelRange{Min: 0, Max: 3}},
	} {
		all := scanKeys(t, sn, flt)
		var paged []string
		for page := 0; ; page++ {
			it, err := sn.Scan(context.Background(), flt)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for n < 37 && it.Next() {
				f, _ := it.Feature()
				paged = append(paged, key(f))
				n++
			}
			flt.After = slices.Clone(it.Pos())
			it.Close()
			if n < 37 {
				break
			}
		}
		if !slices.Equal(paged, all) {
			t.Errorf("%s: paged %d features, unpaged %d", describe(flt), len(paged), len(all))
		}
	}
}

func TestReplaceRemovesStaleEntries(t *testing.T) {
	s := openTemp(t)
	f := &cim.Feature{ID: "x:1", Class: cim.ClassBuilding, Geometry: rect(120, 30, 120.001, 30.001),
		Levels: cim.LevelRange{Min: 0, Max: 5}, Dataset: "d", Stage: cim.StageDesign}
	ingest(t, s, []*cim.Feature{f})
	moved := *f
	moved.Geometry = rect(121, 31, 121.001, 31.001)
	moved.Levels = cim.LevelRange{Min: 2, Max: 2}
	moved.Class = cim.ClassGreen
	ingest(t, s, []*cim.Feature{&moved})
	sn, _ := s.Snapshot()
	defer sn.Close()
	old := cim.Box{MinLon: 119.9, MinLat: 29.9, MaxLon: 120.1, MaxLat: 30.1}
	for _, flt := range []Filter{
		{Box: &old},
		{Box: &old, Levels: &cim.LevelRange{Min: 0, Max: 5}},
		{Levels: &cim.LevelRange{Min: 0, Max: 1}},
		{Classes: []cim.Class{cim.ClassBuilding}},
	} {
		if got := scanKeys(t, sn, flt); len(got) != 0 {
			t.Errorf("%s: stale entries %v", describe(flt), got)
		}
	}
	if got := scanKeys(t, sn, Filter{Levels: &cim.LevelRange{Min: 2, Max: 2}, Classes: []cim.Class{cim.ClassGreen}}); len(got) != 1 {
		t.Errorf("moved feature found %d times, want 1", len(got))
	}
	if got := keysOfAll(t, s); len(got) != 2 { // record, one 'S'
		t.Errorf("store holds %d keys, want 2: %q", len(got), got)
	}
}

// keysOfAll lists every key except the meta keys.
func keysOfAll(t testing.TB, s *Store) []string {
	sn, _ := s.Snapshot()
	defer sn.Close()
	it := sn.txn.NewIterator(badger.IteratorOptions{})
	defer it.Close()
	var out []string
	for it.Rewind(); it.Valid(); it.Next() {
		if k := it.Item().Key(); k[0] != pMeta {
			out = append(out, fmt.Sprintf("%q", k))
		}
	}
	return out
}

func TestSameIDTwiceInOneBatchKeepsTheLast(t *testing.T) {
	s := openTemp(t)
	a := &cim.Feature{ID: "x:1", Class: cim.ClassBuilding, Geometry: rect(120, 30, 120.001, 30.001), Levels: cim.LevelRange{Min: 0, Max: 3}, Dataset: "d", Stage: cim.StageDesign}
	b := *a
	b.Geometry = rect(120.5, 30.5, 120.501, 30.501)
	b.Levels = cim.Level(1)
	c := b
	c.Class = cim.ClassGreen
	ingest(t, s, []*cim.Feature{a, &b, &c})
	if got := keysOfAll(t, s); len(got) != 2 {
		t.Errorf("store holds %d keys, want 2: %q", len(got), got)
	}
}

type failingSource struct {
	sliceSource
	err error
}

func (f *failingSource) Next() (*cim.Feature, error) {
	if f.i == len(f.fs) {
		return nil, f.err
	}
	return f.sliceSource.Next()
}

func TestFailedIngestLeavesStoreAsItWas(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	s := openTemp(t)
	good := make([]*cim.Feature, 500)
	for i := range good {
		good[i] = randomFeature(r, i)
	}
	ingest(t, s, good)
	rev := s.Revision()
	before := keysOfAll(t, s)

	// A second ingest that replaces half the features, adds new ones and a
	// new dataset, then fails.
	var next []*cim.Feature
	for i := range 250 {
		f := randomFeature(r, i) // same ids, new geometry
		f.Dataset, f.Stage = good[i].Dataset, good[i].Stage
		next = append(next, f)
	}
	for i := range 20000 { // enough to span several Badger write batches
		f := randomFeature(r, 1000+i)
		f.Dataset = "new"
		next = append(next, f)
	}
	boom := errors.New("boom")
	_, _, err := s.Ingest(context.Background(), &failingSource{sliceSource{fs: next}, boom}, nil)
	if !errors.Is(err, boom) {
		t.Fatalf("ingest error = %v, want boom", err)
	}
	if s.Revision() != rev {
		t.Errorf("revision moved from %d to %d", rev, s.Revision())
	}
	if after := keysOfAll(t, s); !slices.Equal(before, after) {
		t.Fatalf("store changed: %d keys before, %d after", len(before), len(after))
	}
	sn, _ := s.Snapshot()
	defer sn.Close()
	for _, f := range good[:50] {
		got, err := sn.Get(f.Dataset, f.Stage, f.ID)
		if err != nil {
			t.Fatal(err)
		}
		if cim.BoundsOf(got.Geometry) != cim.BoundsOf(f.Geometry) {
			t.Fatalf("%s: geometry changed", f.ID)
		}
	}
	// The store still takes writes afterwards.
	ingest(t, s, next[:10])
	if s.Revision() == rev {
		t.Error("revision did not change after a commit")
	}
}

func TestInterruptedBatchIsUndoneOnOpen(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(7, 8))
	good := []*cim.Feature{randomFeature(r, 1), randomFeature(r, 2)}
	ingest(t, s, good)
	before := keysOfAll(t, s)
	b, err := s.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5000 {
		if err := b.Put(randomFeature(r, i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.w.finish(); err != nil { // the writes reach the LSM tree…
		t.Fatal(err)
	}
	s.db.Close() // …and the process dies before Commit,
	s.unlock()   // giving up its locks.

	s, err = Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if after := keysOfAll(t, s); !slices.Equal(before, after) {
		t.Fatalf("store after recovery holds %d keys, want %d", len(after), len(before))
	}
}

func TestSnapshotDoesNotSeeUncommittedOrLaterWrites(t *testing.T) {
	s := openTemp(t)
	r := rand.New(rand.NewPCG(9, 10))
	ingest(t, s, []*cim.Feature{randomFeature(r, 1)})
	sn, _ := s.Snapshot()
	defer sn.Close()
	b, _ := s.Begin()
	for i := range 3000 {
		if err := b.Put(randomFeature(r, 100+i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.w.finish(); err != nil {
		t.Fatal(err)
	}
	during, _ := s.Snapshot()
	if n := len(scanKeys(t, during, Filter{})); n != 1 {
		t.Errorf("snapshot during the batch sees %d features, want 1", n)
	}
	during.Close()
	if _, err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	if n := len(scanKeys(t, sn, Filter{})); n != 1 {
		t.Errorf("older snapshot sees %d features after the commit, want 1", n)
	}
	after, _ := s.Snapshot()
	defer after.Close()
	if n := len(scanKeys(t, after, Filter{})); n != 3001 {
		t.Errorf("new snapshot sees %d features, want 3001", n)
	}
	if after.Revision() == sn.Revision() {
		t.Error("revision unchanged by a commit")
	}
}

func TestDeleteDataset(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	s := openTemp(t)
	var fs []*cim.Feature
	for i := range 400 {
		fs = append(fs, randomFeature(r, i))
	}
	ingest(t, s, fs)
	b, _ := s.Begin()
	n, err := b.DeleteDataset(context.Background(), "alpha", cim.StagePlanning)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, f := range fs {
		if f.Dataset == "alpha" && f.Stage == cim.StagePlanning {
			want++
		}
	}
	if n != want {
		t.Errorf("deleted %d, want %d", n, want)
	}
	sn, _ := s.Snapshot()
	defer sn.Close()
	world := cim.Box{MinLon: -180, MinLat: -90, MaxLon: 180, MaxLat: 90}
	for _, flt := range []Filter{{}, {Box: &world}, {Levels: &cim.LevelRange{Min: -10, Max: 20}}, {Classes: cim.Classes()}} {
		for _, k := range scanKeys(t, sn, flt) {
			if strings.HasPrefix(k, "alpha/planning/") {
				t.Fatalf("%s: deleted feature %s still found", describe(flt), k)
			}
		}
	}
	if got, want := len(keysOfAll(t, s)), keyCount(fs, func(f *cim.Feature) bool { return !(f.Dataset == "alpha" && f.Stage == cim.StagePlanning) }); got != want {
		t.Errorf("store holds %d keys, want %d", got, want)
	}
}

// keyCount is the number of keys the features that pass keep should have.
func keyCount(fs []*cim.Feature, keep func(*cim.Feature) bool) int {
	n := 0
	for _, f := range fs {
		if !keep(f) {
			continue
		}
		// A record, and an 'S' key, or an 'A' key and an 'M' key per floor.
		if floors := int(levelBucket(f.Levels.Max)-levelBucket(f.Levels.Min)) + 1; floors == 1 {
			n += 2
		} else {
			n += 2 + floors
		}
	}
	return n
}

func TestReplaceDatasetDropsWhatTheNewVersionLacks(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	s := openTemp(t)
	var v1 []*cim.Feature
	for i := range 300 {
		f := randomFeature(r, i)
		f.Dataset = "scheme"
		v1 = append(v1, f)
	}
	other := randomFeature(r, 1)
	other.Dataset = "context"
	ingest(t, s, append(v1, other))

	// Version 2 keeps features 0..149 (moved), drops 150..299, adds 300..349.
	var v2 []*cim.Feature
	for i := range 150 {
		f := randomFeature(r, i)
		f.Dataset, f.Stage = "scheme", v1[i].Stage
		v2 = append(v2, f)
	}
	for i := 300; i < 350; i++ {
		f := randomFeature(r, i)
		f.Dataset = "scheme"
		v2 = append(v2, f)
	}
	b, _ := s.Begin()
	b.ReplaceDataset("scheme")
	for _, f := range v2 {
		if err := b.Put(f); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	if got, want := b.Stats().Deleted, 150; got != want {
		t.Errorf("deleted %d, want %d", got, want)
	}
	all := append(v2, other)
	if got, want := len(keysOfAll(t, s)), keyCount(all, func(*cim.Feature) bool { return true }); got != want {
		t.Errorf("store holds %d keys, want %d", got, want)
	}
	sn, _ := s.Snapshot()
	defer sn.Close()
	want := map[string]bool{}
	for _, f := range all {
		want[key(f)] = true
	}
	for _, k := range scanKeys(t, sn, Filter{}) {
		if !want[k] {
			t.Errorf("unexpected %s", k)
		}
		delete(want, k)
	}
	if len(want) != 0 {
		t.Errorf("missing %d features", len(want))
	}
}

func TestSummaryCountsWhatWasStored(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	s := openTemp(t)
	var fs []*cim.Feature
	for i := range 500 {
		fs = append(fs, randomFeature(r, i))
	}
	ingest(t, s, fs)
	sn, _ := s.Snapshot()
	defer sn.Close()
	sums, err := sn.Summary(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	type dk struct {
		ds string
		st cim.Stage
	}
	want := map[dk]*DatasetSummary{}
	for _, f := range fs {
		k := dk{f.Dataset, f.Stage}
		w := want[k]
		if w == nil {
			w = &DatasetSummary{Classes: map[cim.Class]int{}, Floors: map[int]int{}, Extent: cim.BoundsOf(f.Geometry)}
			want[k] = w
		}
		w.Features++
		w.Classes[f.Class]++
		for l := int(math.Floor(f.Levels.Min)); l <= int(math.Floor(f.Levels.Max)); l++ {
			w.Floors[l]++
		}
		w.Extent = w.Extent.Extend(cim.BoundsOf(f.Geometry))
	}
	if len(sums) != len(want) {
		t.Fatalf("%d summaries, want %d", len(sums), len(want))
	}
	for _, got := range sums {
		w := want[dk{got.Dataset, got.Stage}]
		if w == nil {
			t.Fatalf("unexpected summary %s/%v", got.Dataset, got.Stage)
		}
		if got.Features != w.Features || !maps.Equal(got.Classes, w.Classes) || !maps.Equal(got.Floors, w.Floors) {
			t.Errorf("%s/%v: got %d %v %v, want %d %v %v", got.Dataset, got.Stage, got.Features, got.Classes, got.Floors, w.Features, w.Classes, w.Floors)
		}
		const grid = 1e-6 // the extent is snapped outwards to the index grid
		e, x := got.Extent, w.Extent
		if e.MinLon > x.MinLon || e.MinLat > x.MinLat || e.MaxLon < x.MaxLon || e.MaxLat < x.MaxLat ||
			x.MinLon-e.MinLon > grid || x.MinLat-e.MinLat > grid || e.MaxLon-x.MaxLon > grid || e.MaxLat-x.MaxLat > grid {
			t.Errorf("%s/%v: extent %v, want %v", got.Dataset, got.Stage, e, x)
		}
	}
}

// TestSummaryIsKeptPerRevision: a second snapshot of the revision gets the
// same summary (a copy the caller may change), and a commit changes it.
func TestSummaryIsKeptPerRevision(t *testing.T) {
	r := rand.New(rand.NewPCG(19, 20))
	s := openTemp(t)
	var fs []*cim.Feature
	for i := range 100 {
		fs = append(fs, randomFeature(r, i))
	}
	ingest(t, s, fs)
	count := func() (int, []DatasetSummary) {
		sn, _ := s.Snapshot()
		defer sn.Close()
		sums, err := sn.Summary(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, d := range sums {
			n += d.Features
		}
		return n, sums
	}
	n1, sums := count()
	for _, d := range sums { // the caller's own copy
		clear(d.Classes)
		d.Features = 0
	}
	if n2, again := count(); n2 != n1 || len(again[0].Classes) == 0 {
		t.Fatalf("the second summary of the revision counts %d (want %d) with classes %v", n2, n1, again[0].Classes)
	}
	ingest(t, s, []*cim.Feature{randomFeature(r, 1000)})
	if n3, _ := count(); n3 != n1+1 {
		t.Fatalf("after a commit the summary counts %d, want %d", n3, n1+1)
	}
}

func TestReplaceDatasetKeepsOtherStages(t *testing.T) {
	s := openTemp(t)
	r := rand.New(rand.NewPCG(17, 18))
	var planning, design []*cim.Feature
	for i := range 50 {
		p := randomFeature(r, i)
		p.Dataset, p.Stage = "scheme", cim.StagePlanning
		d := randomFeature(r, i)
		d.Dataset, d.Stage = "scheme", cim.StageDesign
		planning, design = append(planning, p), append(design, d)
	}
	ingest(t, s, append(planning, design...))
	// A new design: half the features.
	b, _ := s.Begin()
	b.ReplaceDataset("scheme")
	for _, f := range design[:25] {
		if err := b.Put(f); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	sn, _ := s.Snapshot()
	defer sn.Close()
	if n := len(scanKeys(t, sn, Filter{Stage: cim.StagePlanning})); n != 50 {
		t.Errorf("planning stage holds %d features after replacing the design, want 50", n)
	}
	if n := len(scanKeys(t, sn, Filter{Stage: cim.StageDesign})); n != 25 {
		t.Errorf("design stage holds %d features, want 25", n)
	}
}

func TestClosedSnapshot(t *testing.T) {
	s := openTemp(t)
	ingest(t, s, []*cim.Feature{randomFeature(rand.New(rand.NewPCG(1, 1)), 1)})
	sn, _ := s.Snapshot()
	it, err := sn.Scan(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	sn.Close() // an iterator is still open: released when it closes
	if !it.Next() {
		t.Fatal("iterator stopped after its snapshot was closed")
	}
	it.Close()
	if _, err := sn.Scan(context.Background(), Filter{}); !errors.Is(err, ErrClosed) {
		t.Errorf("Scan on a closed snapshot: %v", err)
	}
	if _, err := sn.Get("alpha", cim.StagePlanning, "t:1"); !errors.Is(err, ErrClosed) {
		t.Errorf("Get on a closed snapshot: %v", err)
	}
	sn.Close()
}

// TestScanDecodesWhatWasStored checks the features a scan returns field by
// field, with and without Filter.Omit, that Decode into one reused
// feature agrees with Feature, and that features decoded into
// shared chunks are independent: changing or growing one leaves the
// others as they were.
func TestScanDecodesWhatWasStored(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	s := openTemp(t)
	fs := make([]*cim.Feature, 500)
	byKey := map[string]*cim.Feature{}
	for i := range fs {
		fs[i] = randomFeature(r, i)
		fs[i].Kind = []string{"", "residential", "school"}[i%3]
		byKey[key(fs[i])] = fs[i]
	}
	ingest(t, s, fs)
	sn, err := s.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer sn.Close()
	tests := []struct {
		name string
		flt  Filter
	}{
		{"records", Filter{}},
		{"box", Filter{Box: &cim.Box{MinLon: 120.1, MinLat: 30.2, MaxLon: 120.15, MaxLat: 30.25}}},
		{"box and floors", Filter{Box: &cim.Box{MinLon: 100, MinLat: 20, MaxLon: 130, MaxLat: 40}, Levels: &cim.LevelRange{Min: 0, Max: 3}}},
		{"no props", Filter{Omit: FieldProps}},
		{"only the name", Filter{Omit: FieldOtherProps}},
		{"no geometry", Filter{Box: &cim.Box{MinLon: 120.1, MinLat: 30.2, MaxLon: 120.15, MaxLat: 30.25}, Omit: FieldGeometry}},
		{"neither", Filter{Levels: &cim.LevelRange{Min: -2, Max: 9}, Omit: FieldGeometry | FieldProps}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			it, err := sn.Scan(context.Background(), tt.flt)
			if err != nil {
				t.Fatal(err)
			}
			defer it.Close()
			var got []*cim.Feature
			var reused cim.Feature // Decode's target, of every geometry type in turn
			for it.Next() {
				if err := it.Decode(&reused); err != nil {
					t.Fatal(err)
				}
				f, err := it.Feature()
				if err != nil {
					t.Fatal(err)
				}
				if show(&reused) != show(f) {
					t.Fatalf("Decode %s\nFeature %s", show(&reused), show(f))
				}
				got = append(got, f)
			}
			if err := it.Err(); err != nil {
				t.Fatal(err)
			}
			if len(got) < 20 {
				t.Fatalf("only %d features: the test needs more", len(got))
			}
			// Grow and change every feature's coordinates and ends; then
			// compare them all.
			for _, f := range got {
				if f.Geometry == nil {
					continue
				}
				flat := f.Geometry.FlatCoords()
				_ = append(flat, 1, 2, 3, 4)
				if p, ok := f.Geometry.(*geom.Polygon); ok {
					_ = append(p.Ends(), 99)
				}
			}
			for _, f := range got {
				want := *byKey[key(f)]
				if tt.flt.Omit&FieldGeometry != 0 {
					if f.Geometry != nil {
						t.Fatalf("%s: geometry decoded though omitted", key(f))
					}
					want.Geometry = nil
				}
				if tt.flt.Omit&FieldProps != 0 {
					if f.Props != nil {
						t.Fatalf("%s: props decoded though omitted", key(f))
					}
					want.Props = nil
				}
				if tt.flt.Omit&FieldOtherProps != 0 {
					name, ok := want.Props["name"]
					want.Props = map[string]any{}
					if ok {
						want.Props["name"] = name
					}
					if len(f.Props) == 0 && len(want.Props) == 0 {
						f.Props, want.Props = nil, nil
					}
				}
				if want.Geometry != nil {
					if reflect.TypeOf(f.Geometry) != reflect.TypeOf(want.Geometry) ||
						!slices.Equal(f.Geometry.FlatCoords(), want.Geometry.FlatCoords()) ||
						!slices.Equal(f.Geometry.Ends(), want.Geometry.Ends()) {
						t.Fatalf("%s: geometry %T%v, want %T%v", key(f), f.Geometry, f.Geometry.FlatCoords(), want.Geometry, want.Geometry.FlatCoords())
					}
				}
				g := *f
				g.Geometry, want.Geometry = nil, nil
				if !reflect.DeepEqual(g, want) {
					t.Fatalf("got  %+v\nwant %+v", g, want)
				}
			}
			// Writing into one feature's coordinates leaves its neighbours alone.
			for i, f := range got {
				if f.Geometry != nil {
					f.Geometry.FlatCoords()[0] = float64(-i)
				}
			}
			for i, f := range got {
				if f.Geometry != nil && f.Geometry.FlatCoords()[0] != float64(-i) {
					t.Fatalf("%s: coordinates changed by another feature", key(f))
				}
			}
		})
	}
}

// TestStoreLock: one writer, or readers while none writes; the lock is
// given back on Close.
func TestStoreLock(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "db")
	w, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, ro := range []bool{false, true} {
		if s, err := Open(dir, &Options{ReadOnly: ro}); !errors.Is(err, ErrLocked) {
			if s != nil {
				s.Close()
			}
			t.Errorf("read-only %v beside a writer: %v, want ErrLocked", ro, err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r1, err := Open(dir, &Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r1.Close()
	r2, err := Open(dir, &Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("a second reader: %v", err)
	}
	r2.Close()
	if s, err := Open(dir, nil); !errors.Is(err, ErrLocked) {
		if s != nil {
			s.Close()
		}
		t.Errorf("a writer beside a reader: %v, want ErrLocked", err)
	}
}
