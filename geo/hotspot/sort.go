package hotspot

import "slices"

// sortByValue sorts indices by val ascending, ties by index, so results do not depend on the
// sort algorithm.
func sortByValue(idx []int, val func(int) float64) {
	slices.SortFunc(idx, func(a, b int) int {
		va, vb := val(a), val(b)
		switch {
		case va < vb:
			return -1
		case va > vb:
			return 1
		}
		return a - b
	})
}
