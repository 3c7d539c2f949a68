// Package rank compares rankings of the same items: a Borda-count consensus, Kendall's tau
// between rankings, and the items the rankings disagree about most.
//
// Assumptions: a ranking is a slice over the items in a fixed order holding each item's rank
// (1 = first); 0 means the item is not ranked in that ranking (for example too few values to
// rank it), and ranks within a ranking are distinct. Ties in any output are broken by item
// order, so results are deterministic. Invalid rankings are refused with a *input.Error of
// "rankings". The package does no I/O and holds no state.
package rank

import (
	"math"
	"slices"

	"github.com/lagesbild/lagesbild/geo/input"
)

// Consensus is a Borda-count consensus ranking.
type Consensus struct {
	Points     []float64 // Borda points per item
	Rank       []int     // 1 = most points
	MeanRank   []float64 // mean of the item's ranks (an unranked position counted as below)
	MedianRank []float64 // median of the same positions: the tie-breaker
}

// Borda combines rankings of n items by the Borda count: in each ranking an item at rank r
// gets n − r points (n − 1 for the first, 0 for the last); the items a ranking leaves out
// share its remaining positions m+1 … n, each getting their mean points. The consensus orders
// items by total points, ties by median rank (the position a majority of the rankings puts
// the item at or above) and then by item order. (Not by mean rank: points are R·n − R·mean
// rank over R rankings, so equal points always mean equal mean ranks.)
//
// Why Borda rather than a Kemeny ranking: it gives every organisation's ranking the same
// weight, its points can be shown and checked by hand in a meeting, it uses the full order
// (not only the winner), it costs O(items × rankings), and it is a 5-approximation of the
// Kemeny optimum (Coppersmith, Fleischer & Rudra 2010), whose exact computation is NP-hard.
//
// Errors (*input.Error of "rankings"): no rankings, rankings of different lengths, a rank
// outside 0…n or repeated within a ranking.
func Borda(rankings [][]int) (Consensus, error) {
	if len(rankings) == 0 {
		return Consensus{}, input.Invalid("rankings", "no rankings")
	}
	n := len(rankings[0])
	c := Consensus{Points: make([]float64, n), Rank: make([]int, n), MeanRank: make([]float64, n), MedianRank: make([]float64, n)}
	positions := make([][]float64, n) // per item, its position in each ranking
	for s, rk := range rankings {
		if err := check(rk, n, s); err != nil {
			return Consensus{}, err
		}
		m := 0
		for _, r := range rk {
			if r > 0 {
				m++
			}
		}
		// Unranked items share positions m+1 … n: mean position (m+1+n)/2.
		restPos := float64(m+1+n) / 2
		for i, r := range rk {
			pos := float64(r)
			if r == 0 {
				pos = restPos
			}
			c.Points[i] += float64(n) - pos
			c.MeanRank[i] += pos / float64(len(rankings))
			positions[i] = append(positions[i], pos)
		}
	}
	for i, ps := range positions {
		slices.Sort(ps)
		k := len(ps)
		c.MedianRank[i] = (ps[(k-1)/2] + ps[k/2]) / 2
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case c.Points[a] != c.Points[b]:
			if c.Points[a] > c.Points[b] {
				return -1
			}
			return 1
		case c.MedianRank[a] != c.MedianRank[b]:
			if c.MedianRank[a] < c.MedianRank[b] {
				return -1
			}
			return 1
		}
		return 0
	})
	for pos, i := range order {
		c.Rank[i] = pos + 1
	}
	return c, nil
}

func check(rk []int, n, s int) error {
	if len(rk) != n {
		return input.Invalid("rankings", "ranking %d has %d items, want %d", s, len(rk), n)
	}
	seen := make([]bool, n+1)
	for i, r := range rk {
		if r < 0 || r > n {
			return input.Invalid("rankings", "ranking %d gives item %d rank %d outside 0…%d", s, i, r, n)
		}
		if r > 0 && seen[r] {
			return input.Invalid("rankings", "ranking %d gives rank %d twice", s, r)
		}
		seen[r] = true
	}
	return nil
}

// KendallTau is Kendall's tau-b between two rankings over the items both rank (rank > 0):
// (concordant − discordant)/√((n₀ − n₁)(n₀ − n₂)) over those pairs, with n₁ and n₂ the pairs
// tied in a and in b, each counting the pairs tied in both (none when ranks are distinct,
// then tau-b is tau-a; as scipy.stats.kendalltau and R's cor(method = "kendall")). It also returns the
// number of items compared. With fewer than 2 common items, or a ranking constant over them,
// tau is NaN. O(n²), fine for the thousands of areas of a country.
//
// Errors (*input.Error of "rankings"): slices of different lengths.
func KendallTau(a, b []int) (tau float64, common int, err error) {
	if len(a) != len(b) {
		return 0, 0, input.Invalid("rankings", "%d and %d items", len(a), len(b))
	}
	idx := make([]int, 0, len(a))
	for i := range a {
		if a[i] > 0 && b[i] > 0 {
			idx = append(idx, i)
		}
	}
	var conc, disc, tieA, tieB float64
	for p, i := range idx {
		for _, j := range idx[p+1:] {
			da, db := sign(a[i]-a[j]), sign(b[i]-b[j])
			if da == 0 {
				tieA++
			}
			if db == 0 {
				tieB++
			}
			switch {
			case da == 0 || db == 0:
			case da == db:
				conc++
			default:
				disc++
			}
		}
	}
	n0 := float64(len(idx)) * float64(len(idx)-1) / 2
	den := math.Sqrt((n0 - tieA) * (n0 - tieB))
	if len(idx) < 2 || den == 0 {
		return math.NaN(), len(idx), nil
	}
	return (conc - disc) / den, len(idx), nil
}

func sign(x int) int {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}

// TauMatrix returns Kendall's tau between every pair of rankings (1 on the diagonal).
//
// Errors: as KendallTau.
func TauMatrix(rankings [][]int) ([][]float64, error) {
	out := make([][]float64, len(rankings))
	for i := range out {
		out[i] = make([]float64, len(rankings))
		out[i][i] = 1
	}
	for i := range rankings {
		for j := i + 1; j < len(rankings); j++ {
			t, _, err := KendallTau(rankings[i], rankings[j])
			if err != nil {
				return nil, err
			}
			out[i][j], out[j][i] = t, t
		}
	}
	return out, nil
}

// Spread is how far the rankings disagree about one item.
type Spread struct {
	Item     int
	Min, Max int     // best and worst rank among the rankings that rank it
	Range    int     // Max − Min
	SD       float64 // population standard deviation of its ranks
	Rankings int     // how many rankings rank it
	varNum   int     // k·Σr² − (Σr)² = k²·variance, exact, for ordering
}

// Disagreement returns, for every item ranked by at least two rankings, the spread of its
// ranks, largest range first (ties: larger SD, then item order).
//
// Errors (*input.Error of "rankings"): no rankings or rankings of different lengths.
func Disagreement(rankings [][]int) ([]Spread, error) {
	if len(rankings) == 0 {
		return nil, input.Invalid("rankings", "no rankings")
	}
	n := len(rankings[0])
	for s, rk := range rankings {
		if len(rk) != n {
			return nil, input.Invalid("rankings", "ranking %d has %d items, want %d", s, len(rk), n)
		}
	}
	var out []Spread
	for i := 0; i < n; i++ {
		sp := Spread{Item: i, Min: math.MaxInt}
		sum, ss := 0, 0
		for _, rk := range rankings {
			r := rk[i]
			if r == 0 {
				continue
			}
			sp.Rankings++
			sp.Min, sp.Max = min(sp.Min, r), max(sp.Max, r)
			sum += r
			ss += r * r
		}
		if sp.Rankings < 2 {
			continue
		}
		k := sp.Rankings
		sp.Range = sp.Max - sp.Min
		sp.varNum = k*ss - sum*sum
		sp.SD = math.Sqrt(float64(sp.varNum)) / float64(k)
		out = append(out, sp)
	}
	slices.SortStableFunc(out, func(a, b Spread) int {
		if a.Range != b.Range {
			return b.Range - a.Range
		}
		// Compare variances exactly: varNum_a/k_a² against varNum_b/k_b².
		va, vb := a.varNum*b.Rankings*b.Rankings, b.varNum*a.Rankings*a.Rankings
		return vb - va
	})
	return out, nil
}
