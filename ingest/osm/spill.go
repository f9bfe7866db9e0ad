package osm

import (
	"container/list"
	"encoding/binary"
	"fmt"
	"os"
)

// Sizes of a spillLog, in values. Tests make chunkLen smaller to spill
// small files.
var chunkLen = 64 << 10 // 512 KiB: what stays in memory or goes to disk together

const (
	pageLen    = 512  // 4 KiB: what is read back from disk at a time
	cachePages = 2048 // 8 MiB of pages read back, per log
)

// spillLog is an append-only array of int64 that keeps up to a memory
// budget of chunks in RAM and writes older chunks to an unlinked temporary
// file. Values of spilled chunks are read back a 4 KiB page at a time
// through a least-recently-used cache. It lets the node and way stores grow
// past memory for country-sized extracts while small ones never touch the
// disk.
type spillLog struct {
	chunks   [][]int64 // nil for a chunk that lives in the file
	n        int       // values appended
	inMemory int       // chunks held in RAM
	budget   int       // the most chunks held in RAM
	dir      string
	file     *os.File
	spilled  int // chunks written to the file
	buf      []byte

	pages map[int]*list.Element // page number → element holding *page
	lru   list.List             // front: most recently used
}

type page struct {
	n    int
	vals []int64
}

// newSpillLog returns a log that keeps at most budgetBytes in memory
// (at least one chunk), besides its page cache, and spills to a file in dir.
func newSpillLog(budgetBytes int64, dir string) *spillLog {
	return &spillLog{budget: max(1, int(budgetBytes/int64(chunkLen*8))), dir: dir, pages: map[int]*list.Element{}}
}

func (l *spillLog) len() int { return l.n }

func (l *spillLog) append(v int64) error {
	c := l.n / chunkLen
	if c == len(l.chunks) {
		if l.inMemory == l.budget {
			if err := l.spillOldest(); err != nil {
				return err
			}
		}
		l.chunks = append(l.chunks, make([]int64, 0, chunkLen))
		l.inMemory++
	}
	l.chunks[c] = append(l.chunks[c], v)
	l.n++
	return nil
}

// spillOldest writes the oldest chunk still in memory to the file. Chunks
// are full when spilled, so value i lives at offset 8·i.
func (l *spillLog) spillOldest() error {
	if l.file == nil {
		f, err := os.CreateTemp(l.dir, "cim-osm-*.spill")
		if err != nil {
			return fmt.Errorf("spill to disk: %w", err)
		}
		os.Remove(f.Name()) // unlinked: gone when closed, even after a crash
		l.file = f
	}
	c := l.spilled
	if cap(l.buf) < chunkLen*8 {
		l.buf = make([]byte, chunkLen*8)
	}
	b := l.buf[:chunkLen*8]
	for i, v := range l.chunks[c] {
		binary.LittleEndian.PutUint64(b[8*i:], uint64(v))
	}
	if _, err := l.file.WriteAt(b, int64(c)*int64(chunkLen)*8); err != nil {
		return fmt.Errorf("spill to disk: %w", err)
	}
	l.chunks[c] = nil
	l.inMemory--
	l.spilled++
	return nil
}

// span returns values i.. up to the end of i's page (or chunk, in memory):
// a slice to read, valid until the next call.
func (l *spillLog) span(i int) ([]int64, error) {
	c := i / chunkLen
	if ch := l.chunks[c]; ch != nil {
		return ch[i%chunkLen:], nil
	}
	p := i / pageLen
	if e, ok := l.pages[p]; ok {
		l.lru.MoveToFront(e)
		return e.Value.(*page).vals[i%pageLen:], nil
	}
	var pg *page
	if l.lru.Len() == cachePages {
		e := l.lru.Back()
		pg = e.Value.(*page)
		delete(l.pages, pg.n)
		l.lru.Remove(e)
	} else {
		pg = &page{vals: make([]int64, pageLen)}
	}
	var b [pageLen * 8]byte
	if _, err := l.file.ReadAt(b[:], int64(p)*pageLen*8); err != nil {
		return nil, fmt.Errorf("read spilled data: %w", err)
	}
	for k := range pg.vals {
		pg.vals[k] = int64(binary.LittleEndian.Uint64(b[8*k:]))
	}
	pg.n = p
	l.pages[p] = l.lru.PushFront(pg)
	return pg.vals[i%pageLen:], nil
}

// at returns value i.
func (l *spillLog) at(i int) (int64, error) {
	s, err := l.span(i)
	if err != nil {
		return 0, err
	}
	return s[0], nil
}

// search returns the first index in [lo, hi) whose value is ≥ v, the values
// being ascending there: a binary search that reads the file a page at a
// time.
func (l *spillLog) search(lo, hi int, v int64) (int, error) {
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		x, err := l.at(mid)
		if err != nil {
			return 0, err
		}
		if x < v {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo, nil
}

func (l *spillLog) close() error {
	l.chunks, l.pages = nil, nil
	if l.file != nil {
		return l.file.Close()
	}
	return nil
}
