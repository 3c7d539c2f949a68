package allocate

import "slices"

// entry is a pair's gain as last computed, with the version of its target's doses then.
type entry struct {
	gain    float64
	p       pair
	version int32
}

// gainHeap is a binary max-heap of entries. Ties go to the lower target, then the lower
// actor, so a plan does not depend on the order of evaluation.
type gainHeap []entry

func (h gainHeap) less(i, j int) bool {
	a, b := &h[i], &h[j]
	if a.gain != b.gain {
		return a.gain > b.gain
	}
	if a.p.t != b.p.t {
		return a.p.t < b.p.t
	}
	return a.p.a < b.p.a
}

func (h gainHeap) init() {
	for i := len(h)/2 - 1; i >= 0; i-- {
		h.down(i)
	}
}

func (h gainHeap) down(i int) {
	n := len(h)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && h.less(r, l) {
			m = r
		}
		if !h.less(m, i) {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}

// pop removes the top entry.
func (h *gainHeap) pop() {
	old := *h
	n := len(old) - 1
	old[0] = old[n]
	*h = old[:n]
	if n > 0 {
		h.down(0)
	}
}

func sortItems(items []Item) {
	slices.SortFunc(items, func(x, y Item) int {
		if x.Target != y.Target {
			return x.Target - y.Target
		}
		return x.Actor - y.Actor
	})
}
