package digest

import (
	"math/rand/v2"
	"runtime"
	"testing"
)

// The set answers as a map does, through many merges.
func TestAddrSet(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var s addrSet
	want := map[uint64]uint32{}
	for i := range 200_000 {
		h := rng.Uint64()
		if i%7 == 0 && i > 0 {
			h = uint64(i) // small keys too, near each other
		}
		if _, ok := want[h]; ok {
			continue
		}
		line := uint32(i + 2)
		want[h] = line
		s.add(h, line)
		if i%1000 == 0 {
			if got, ok := s.get(h); !ok || got != line {
				t.Fatalf("after adding %d: get = %d, %v; want %d", h, got, ok, line)
			}
		}
	}
	for h, line := range want {
		if got, ok := s.get(h); !ok || got != line {
			t.Fatalf("get(%d) = %d, %v; want %d", h, got, ok, line)
		}
	}
	for range 10_000 {
		h := rng.Uint64()
		if _, ok := want[h]; ok {
			continue
		}
		if _, ok := s.get(h); ok {
			t.Fatalf("get(%d) found a hash never added", h)
		}
	}
}

// BenchmarkAddrSetMemory reports the heap a million addresses keep, in the
// set and, for comparison, in a map.
func BenchmarkAddrSetMemory(b *testing.B) {
	const n = 1_000_000
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	for b.Loop() {
		rng := rand.New(rand.NewPCG(1, 2))
		before := heap()
		var s addrSet
		for i := range n {
			s.add(rng.Uint64(), uint32(i))
		}
		b.ReportMetric(float64(heap()-before)/n, "set-B/addr")
		runtime.KeepAlive(&s)

		rng = rand.New(rand.NewPCG(1, 2))
		before = heap()
		m := map[uint64]uint32{}
		for i := range n {
			m[rng.Uint64()] = uint32(i)
		}
		b.ReportMetric(float64(heap()-before)/n, "map-B/addr")
		runtime.KeepAlive(m)
	}
}
