package osm

import (
	"fmt"
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

// errUnsorted is returned when ids do not ascend.
var errUnsorted = fmt.Errorf("the file is not sorted by id (nodes, then ways, then relations); sort it with: osmium sort IN.osm.pbf -o SORTED.osm.pbf")

func (s *nodeStore) add(id int64, lon, lat int32) error {
	if id <= s.last {
		return errUnsorted
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
	c := s.hint
	if c >= len(s.first) || id < s.first[c] || (c+1 < len(s.first) && id >= s.first[c+1]) {
		c = sort.Search(len(s.first), func(i int) bool { return s.first[i] > id }) - 1
		if c < 0 {
			return 0, 0, false, nil
		}
		s.hint = c
	}
	ids, err := s.ids.chunk(c)
	if err != nil {
		return 0, 0, false, err
	}
	i := sort.Search(len(ids), func(i int) bool { return ids[i] >= id })
	if i == len(ids) || ids[i] != id {
		return 0, 0, false, nil
	}
	v, err := s.locs.at(c*chunkLen + i)
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
	if id <= s.last {
		return errUnsorted
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
	c := sort.Search(len(s.first), func(i int) bool { return s.first[i] > id }) - 1
	if c < 0 {
		return dst, false, nil
	}
	ids, err := s.ids.chunk(c)
	if err != nil {
		return dst, false, err
	}
	i := sort.Search(len(ids), func(i int) bool { return ids[i] >= id })
	if i == len(ids) || ids[i] != id {
		return dst, false, nil
	}
	k := c*chunkLen + i
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
	for j := start; j < end; j++ {
		r, err := s.refs.at(int(j))
		if err != nil {
			return dst, false, err
		}
		dst = append(dst, r)
	}
	return dst, true, nil
}

func (s *wayStore) bytesInMemory() int64 {
	return s.ids.bytesInMemory() + s.starts.bytesInMemory() + s.refs.bytesInMemory()
}

func (s *wayStore) close() { s.ids.close(); s.starts.close(); s.refs.close() }
