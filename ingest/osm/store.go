package osm

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
)

// nodeStore maps node ids to locations for assembling ways: two parallel
// logs, ids ascending (PBF files list nodes by id) and locations packed as
// lon<<32 | lat in units of 1e-7 degree, OSM's own precision. It costs 16
// bytes a node, in memory up to a budget and on disk beyond it. Lookups
// binary-search the first id of each chunk, kept in memory, then the
// chunk; a way's nodes tend to sit close together, so the last chunk is
// tried first.
type nodeStore struct {
	ids, locs *spillLog
	first     []int64 // first id of each chunk
	last      int64
	hint      int // chunk of the last lookup
}

func newNodeStore(budget int64, dir string) *nodeStore {
	return &nodeStore{ids: newSpillLog(budget/2, dir), locs: newSpillLog(budget/2, dir), last: -1 << 63}
}

// sortKey orders ids as osmium sort writes them: negative ids (new objects
// in JOSM files) first, from −1 down, then positive ids ascending.
func sortKey(id int64) int64 {
	if id >= 0 {
		return id
	}
	return math.MinInt64 - id
}

// errUnsorted is wrapped when ids do not ascend.
var errUnsorted = errors.New("the file is not sorted (nodes, then ways, then relations, each by id)")

// unsortedAt describes an id out of order (keys as sortKey makes them).
func unsortedAt(kind string, key, last int64) error {
	id := func(k int64) int64 {
		if k < 0 {
			return math.MinInt64 - k
		}
		return k
	}
	if key == last {
		return fmt.Errorf("%w: %s %d appears twice; merge the inputs with osmium merge, or deduplicate with osmium sort --strategy=multipass", errUnsorted, kind, id(key))
	}
	return fmt.Errorf("%w: %s %d after %d; sort it with osmium sort IN.osm.pbf -o SORTED.osm.pbf", errUnsorted, kind, id(key), id(last))
}

func (s *nodeStore) add(id int64, lon, lat int32) error {
	if id = sortKey(id); id <= s.last {
		return unsortedAt("node", id, s.last)
	}
	if s.ids.len()%chunkLen == 0 {
		s.first = append(s.first, id)
	}
	s.last = id
	if err := s.ids.append(id); err != nil {
		return err
	}
	return s.locs.append(int64(lon)<<32 | int64(uint32(lat)))
}

// get returns the location of node id.
func (s *nodeStore) get(id int64) (lon, lat int32, ok bool, err error) {
	id = sortKey(id)
	c := s.hint
	if c >= len(s.first) || id < s.first[c] || (c+1 < len(s.first) && id >= s.first[c+1]) {
		c = sort.Search(len(s.first), func(i int) bool { return s.first[i] > id }) - 1
		if c < 0 {
			return 0, 0, false, nil
		}
		s.hint = c
	}
	i, found, err := s.ids.find(c, id)
	if err != nil || !found {
		return 0, 0, false, err
	}
	v, err := s.locs.at(i)
	if err != nil {
		return 0, 0, false, err
	}
	return int32(v >> 32), int32(v), true, nil
}

func (s *nodeStore) close() { s.ids.close(); s.locs.close() }

// wayStore keeps every way's node ids for multipolygon assembly, which
// comes after all ways: way ids ascending, the start of each way's refs,
// and the refs, 8 bytes a reference plus 16 a way.
type wayStore struct {
	ids, starts, refs *spillLog
	first             []int64
	last              int64
}

func newWayStore(budget int64, dir string) *wayStore {
	return &wayStore{ids: newSpillLog(budget/8, dir), starts: newSpillLog(budget/8, dir), refs: newSpillLog(budget*3/4, dir), last: -1 << 63}
}

func (s *wayStore) add(id int64, refs []int64) error {
	if id = sortKey(id); id <= s.last {
		return unsortedAt("way", id, s.last)
	}
	if s.ids.len()%chunkLen == 0 {
		s.first = append(s.first, id)
	}
	s.last = id
	if err := s.ids.append(id); err != nil {
		return err
	}
	if err := s.starts.append(int64(s.refs.len())); err != nil {
		return err
	}
	for _, r := range refs {
		if err := s.refs.append(r); err != nil {
			return err
		}
	}
	return nil
}

// get appends way id's node ids to dst.
func (s *wayStore) get(dst []int64, id int64) ([]int64, bool, error) {
	id = sortKey(id)
	c := sort.Search(len(s.first), func(i int) bool { return s.first[i] > id }) - 1
	if c < 0 {
		return dst, false, nil
	}
	k, found, err := s.ids.find(c, id)
	if err != nil || !found {
		return dst, false, err
	}
	start, err := s.starts.at(k)
	if err != nil {
		return dst, false, err
	}
	end := int64(s.refs.len())
	if k+1 < s.ids.len() {
		if end, err = s.starts.at(k + 1); err != nil {
			return dst, false, err
		}
	}
	for j := int(start); j < int(end); {
		span, err := s.refs.span(j)
		if err != nil {
			return dst, false, err
		}
		span = span[:min(len(span), int(end)-j)]
		dst = append(dst, span...)
		j += len(span)
	}
	return dst, true, nil
}

func (s *wayStore) close() { s.ids.close(); s.starts.close(); s.refs.close() }

// find looks for key v in chunk c of an ascending log and returns its index.
func (l *spillLog) find(c int, v int64) (int, bool, error) {
	if ch := l.chunks[c]; ch != nil {
		i, found := slices.BinarySearch(ch, v)
		return c*chunkLen + i, found, nil
	}
	lo, hi := c*chunkLen, min((c+1)*chunkLen, l.n)
	i, err := l.search(lo, hi, v)
	if err != nil || i == hi {
		return i, false, err
	}
	x, err := l.at(i)
	return i, x == v, err
}
