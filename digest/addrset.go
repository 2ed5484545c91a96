package digest

import "slices"

// addrSet is the set of address hashes a subscribers file has had so far,
// each with the line it was first on: the one thing reading a list keeps
// per subscriber. It is sorted arrays, 12 bytes an address, and a small map
// of the latest addresses, merged into them whenever it holds a sixteenth
// as many: a million subscribers take about 15 MB, where a Go map took 37.
type addrSet struct {
	keys  []uint64 // sorted
	lines []uint32 // lines[i] is the line of keys[i]
	tail  map[uint64]uint32
}

// addrSetTail is the least the map holds before it is merged.
const addrSetTail = 4096

// get returns the line of hash h, and whether the set has it.
func (s *addrSet) get(h uint64) (uint32, bool) {
	if line, ok := s.tail[h]; ok {
		return line, true
	}
	if i, ok := slices.BinarySearch(s.keys, h); ok {
		return s.lines[i], true
	}
	return 0, false
}

// add puts hash h, first on line, into the set; h must not be in it yet.
func (s *addrSet) add(h uint64, line uint32) {
	if s.tail == nil {
		s.tail = make(map[uint64]uint32, addrSetTail)
	}
	s.tail[h] = line
	if len(s.tail) >= max(addrSetTail, len(s.keys)/16) {
		s.merge()
	}
}

// merge moves the map's hashes into the sorted arrays, merging from the
// back so that no second copy of the arrays is made.
func (s *addrSet) merge() {
	add := make([]uint64, 0, len(s.tail))
	for h := range s.tail {
		add = append(add, h)
	}
	slices.Sort(add)
	n, m := len(s.keys), len(add)
	s.keys = slices.Grow(s.keys, m)[:n+m]
	s.lines = slices.Grow(s.lines, m)[:n+m]
	i, j := n-1, m-1
	for k := n + m - 1; j >= 0; k-- {
		if i >= 0 && s.keys[i] > add[j] {
			s.keys[k], s.lines[k] = s.keys[i], s.lines[i]
			i--
		} else {
			s.keys[k], s.lines[k] = add[j], s.tail[add[j]]
			j--
		}
	}
	clear(s.tail)
}
