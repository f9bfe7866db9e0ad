package features

import (
	"errors"
	"sync"
	"time"

	"github.com/future-community/cim/index"
)

// errGone is a next link whose revision is no longer held.
var errGone = errors.New("the revision this paging began at is no longer held")

// pool keeps the snapshots that pagings read open, keyed by revision, so
// that every page of a paging reads the revision its first page saw. A
// snapshot is closed once no page has used it for the idle time, when
// more than max are held (the least recently used first), and when the
// pool closes.
type pool struct {
	store *index.Store
	idle  time.Duration
	max   int
	now   func() time.Time

	mu     sync.Mutex
	held   map[uint64]*pinned
	tick   uint64
	inUse  map[*index.Snapshot]*pinned // held or evicted, until closed
	closed bool
}

type pinned struct {
	sn   *index.Snapshot
	refs int // pages reading it now
	used time.Time
	seq  uint64 // order of last use, for eviction
	gone bool   // evicted: closed when refs falls to 0
}

func newPool(s *index.Store, idle time.Duration, max int) *pool {
	return &pool{store: s, idle: idle, max: max, now: time.Now, held: map[uint64]*pinned{}, inUse: map[*index.Snapshot]*pinned{}}
}

// acquire returns a snapshot at rev (0: the current revision), to give
// back with release. A revision no longer held is errGone, unless it is
// the current one.
func (p *pool) acquire(rev uint64) (*index.Snapshot, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, index.ErrClosed
	}
	p.expireLocked()
	if rev != 0 {
		if h := p.held[rev]; h != nil {
			p.touchLocked(h)
			return h.sn, nil
		}
	}
	sn, err := p.store.Snapshot()
	if err != nil {
		return nil, err
	}
	if rev != 0 && sn.Revision() != rev {
		sn.Close()
		return nil, errGone
	}
	if h := p.held[sn.Revision()]; h != nil { // another page holds it already
		sn.Close()
		p.touchLocked(h)
		return h.sn, nil
	}
	h := &pinned{sn: sn}
	p.touchLocked(h)
	p.held[sn.Revision()] = h
	p.inUse[sn] = h
	for len(p.held) > p.max {
		var oldest uint64
		for r, h := range p.held {
			if oldest == 0 || h.seq < p.held[oldest].seq {
				oldest = r
			}
		}
		p.dropLocked(oldest)
	}
	return sn, nil
}

// touchLocked counts a page reading h.
func (p *pool) touchLocked(h *pinned) {
	h.refs++
	h.used = p.now()
	p.tick++
	h.seq = p.tick
}

// release gives back a snapshot acquire returned.
func (p *pool) release(sn *index.Snapshot) {
	p.mu.Lock()
	defer p.mu.Unlock()
	h := p.inUse[sn]
	h.refs--
	h.used = p.now()
	if h.gone && h.refs == 0 {
		delete(p.inUse, sn)
		sn.Close()
	}
}

func (p *pool) dropLocked(rev uint64) {
	h := p.held[rev]
	delete(p.held, rev)
	h.gone = true
	if h.refs == 0 {
		delete(p.inUse, h.sn)
		h.sn.Close()
	}
}

// expireLocked drops the snapshots unused for the idle time.
func (p *pool) expireLocked() {
	now := p.now()
	for r, h := range p.held {
		if h.refs == 0 && now.Sub(h.used) > p.idle {
			p.dropLocked(r)
		}
	}
}

// expire drops the snapshots unused for the idle time; the handler calls
// it from a ticker.
func (p *pool) expire() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.expireLocked()
}

// close closes every snapshot not in use, and the others as their pages
// end.
func (p *pool) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	for r := range p.held {
		p.dropLocked(r)
	}
}
