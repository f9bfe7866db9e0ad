package features

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/twpayne/go-geom"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/index"
	"github.com/future-community/cim/internal/storetest"
)

// TestPool: a held revision is read again; one evicted (past the count,
// or idle too long) is errGone unless it is the current one; a snapshot
// in use stays open until released.
func TestPool(t *testing.T) {
	s := storetest.Sample(t)
	now := time.Unix(0, 0)
	p := newPool(s, time.Minute, 2)
	p.now = func() time.Time { return now }
	defer p.close()
	n := 0
	commit := func() uint64 { // a new revision: a feature more
		t.Helper()
		b, err := s.Begin()
		if err != nil {
			t.Fatal(err)
		}
		n++
		err = b.Put(&cim.Feature{ID: fmt.Sprintf("pool-%d", n), Class: cim.ClassFacility, Dataset: "pool", Stage: cim.StageAsBuilt,
			Geometry: geom.NewPointFlat(geom.XY, []float64{120.21, 30.256})})
		if err != nil {
			t.Fatal(err)
		}
		rev, err := b.Commit()
		if err != nil {
			t.Fatal(err)
		}
		return rev
	}
	first := func() (uint64, *index.Snapshot) {
		t.Helper()
		sn, err := p.acquire(0)
		if err != nil {
			t.Fatal(err)
		}
		return sn.Revision(), sn
	}
	r1, sn1 := first()
	commit()
	again, err := p.acquire(r1)
	if err != nil || again != sn1 {
		t.Fatalf("revision %d held: %v", r1, err)
	}
	p.release(again)
	p.release(sn1)

	r2, sn2 := first()
	p.release(sn2)
	commit()
	r3, sn3 := first() // a third revision: r1, the least recently used, goes
	if _, err := p.acquire(r1); !errors.Is(err, errGone) {
		t.Errorf("revision %d after eviction: %v, want errGone", r1, err)
	}
	now = now.Add(2 * time.Minute)
	if _, err := p.acquire(r2); !errors.Is(err, errGone) {
		t.Errorf("revision %d idle past the minute: %v, want errGone", r2, err)
	}
	// sn3 is in use: two newer revisions evict it, and it stays readable
	// until released.
	commit()
	_, sn4 := first()
	commit()
	_, sn5 := first()
	if _, err := sn3.Summary(context.Background()); err != nil {
		t.Errorf("revision %d in use was closed: %v", r3, err)
	}
	p.release(sn3)
	if _, err := p.acquire(r3); !errors.Is(err, errGone) {
		t.Errorf("revision %d after eviction: %v, want errGone", r3, err)
	}
	cur, err := p.acquire(sn5.Revision()) // the current revision is always there
	if err != nil || cur != sn5 {
		t.Fatal(err)
	}
	p.release(cur)
	p.release(sn4)
	p.release(sn5)
}
