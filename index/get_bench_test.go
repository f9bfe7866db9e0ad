package index

import (
	"math/rand/v2"
	"testing"

	"github.com/future-community/cim/cim"
)

// BenchmarkGet is a point lookup of a random record among 1M: the cost a
// spatial query would pay per hit if the index did not carry the record.
func BenchmarkGet(b *testing.B) {
	s, fs := loadQueryStore(b)
	sn, _ := s.Snapshot()
	defer sn.Close()
	ds := sn.cat.byName["bench"]
	r := rand.New(rand.NewPCG(1, 1))
	b.ResetTimer()
	for range b.N {
		f := fs[r.IntN(len(fs))]
		if _, err := sn.get(recordKey(cim.ClassBuilding, ds, f.Stage, f.ID)); err != nil {
			b.Fatal(err)
		}
	}
}
