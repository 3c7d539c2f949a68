// Package hotspot finds statistically significant spatial clusters of high and low values on
// a hexagon grid: the Getis-Ord Gi* statistic with Benjamini–Hochberg false discovery rate
// control, and emerging hot spots (Gi* per calendar time slice, classified by the Mann–Kendall
// trend of each cell's z-scores into the ArcGIS Pro Emerging Hot Spot Analysis categories).
// HotSpots, EmergingHotSpots and Density run an analysis from its inputs (the study area's
// cells and the weighted observations) to its per-cell results in one call: they bin the
// observations into the cells and, for emerging hot spots, into the slices themselves.
//
// Assumptions: coordinates are planar metres (EPSG:3006 in Lägesbild); neighbourhoods are
// fixed distance bands with binary weights and include the cell itself; cells with a value of
// zero are part of the study area and must be passed in (leaving them out inflates the mean
// and hides cold spots). An observation counts in the hexagon with the nearest centre (on an
// edge, the lowest (i, j)) when that hexagon is a study cell — also when the observation lies
// outside the study area in a border cell, which is kept whole so that every cell's value is
// over a full hexagon — and nowhere otherwise. Time slices are calendar months, quarters or
// years in UTC. Invalid input (empty input, non-finite numbers, mismatched lengths, a
// non-positive band) is refused with a *input.Error; the analyses name it by the hotspot
// API's parameter (band, area, datetime, slice, cell). The package does no I/O and holds no
// state.
package hotspot

import (
	"math"

	"github.com/lagesbild/lagesbild/geo/input"
)

// Result is the Gi* outcome for one cell.
type Result struct {
	Z float64 // Gi* z-score; 0 when undefined (see GiStar)
	P float64 // two-sided p-value of Z under the normal approximation
	// PFDR is the Benjamini–Hochberg adjusted p-value over all cells of the call.
	PFDR float64
	// Bin is the ArcGIS Gi_Bin: +3/+2/+1 for a hot spot at 99/95/90 % confidence (p < 0.01,
	// 0.05, 0.10 and z > 0), -3/-2/-1 for cold spots likewise, 0 otherwise. It uses the
	// uncorrected P, as ArcGIS does when FDR correction is off.
	Bin int
	// SurvivesFDR is PFDR < FDRLevel: significant after controlling the false discovery
	// rate over all cells at 5 %.
	SurvivesFDR bool
	// Neighbours is the number of cells in the neighbourhood, the cell itself included.
	Neighbours int
}

// FDRLevel is the false discovery rate at which SurvivesFDR is decided.
const FDRLevel = 0.05

// GiStar computes the Getis-Ord Gi* statistic of every cell as a z-score, with binary
// weights w_ij = 1 for j in nb.Of(i) (which includes i) and 0 otherwise:
//
//	        Σ_j w_ij x_j − X̄ · W_i
//	z_i = ─────────────────────────────────────       W_i = Σ_j w_ij,  S1_i = Σ_j w_ij²
//	       S · √( (n · S1_i − W_i²) / (n − 1) )
//
// with n the number of cells, X̄ = Σ_j x_j / n and S = √(Σ_j x_j² / n − X̄²) (the population
// standard deviation), all sums over every cell including i. This is Getis & Ord (1995)
// eq. 9 as ArcGIS Pro's Hot Spot Analysis states it, and equal to R spdep's
// localG(x, listw, gstari) with include.self() (EG = W_i·X̄, VG = S²(n·S1_i − W_i²)/(n − 1))
// and to PySAL esda G_Local(star=True, transform="B"). With binary weights S1_i = W_i.
//
// The p-value is two-sided from the standard normal, p = erfc(|z|/√2); PFDR adjusts the n
// p-values with BenjaminiHochberg.
//
// When every value is equal (S = 0) nothing stands out and z is undefined; then, and for a
// cell whose neighbourhood is the whole study area (n·S1_i = W_i²), z is 0 and p is 1.
//
// Errors (*input.Error of "values"): values and nb of different lengths, fewer than 2 cells,
// or a value that is NaN or infinite.
func GiStar(values []float64, nb *Neighbours) ([]Result, error) {
	n := len(values)
	if nb == nil || nb.Len() != n {
		return nil, input.Invalid("values", "%d for a neighbourhood of %d cells", n, nbLen(nb))
	}
	if n < 2 {
		return nil, input.Invalid("values", "Gi* needs at least 2 cells, got %d", n)
	}
	// Mean and standard deviation by the two-pass formula: Σx²/n − X̄² cancels badly when the
	// values are large and similar.
	sum := 0.0
	for k, v := range values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, input.Invalid("values", "the value of cell %d is %v", k, v)
		}
		sum += v
	}
	nf := float64(n)
	mean := sum / nf
	ss := 0.0
	for _, v := range values {
		ss += (v - mean) * (v - mean)
	}
	s := math.Sqrt(ss / nf)
	// Values equal up to rounding count as equal: a relative spread below 1e-12 is noise.
	flat := s <= 1e-12*math.Max(math.Abs(mean), math.SmallestNonzeroFloat64)

	out := make([]Result, n)
	ps := make([]float64, n)
	for i := range out {
		nbrs := nb.Of(i)
		w := float64(len(nbrs))
		lx := 0.0
		for _, j := range nbrs {
			lx += values[j]
		}
		r := &out[i]
		r.Neighbours = len(nbrs)
		r.P = 1
		if den := nf*w - w*w; !flat && den > 0 {
			r.Z = (lx - mean*w) / (s * math.Sqrt(den/(nf-1)))
			r.P = TwoSidedP(r.Z)
		}
		ps[i] = r.P
	}
	adj := BenjaminiHochberg(ps)
	for i := range out {
		r := &out[i]
		r.PFDR = adj[i]
		r.SurvivesFDR = r.PFDR < FDRLevel
		r.Bin = Bin(r.Z, r.P)
	}
	return out, nil
}

func nbLen(nb *Neighbours) int {
	if nb == nil {
		return 0
	}
	return nb.Len()
}

// TwoSidedP is the two-sided p-value of a standard normal z-score: P(|Z| ≥ |z|).
func TwoSidedP(z float64) float64 { return math.Erfc(math.Abs(z) / math.Sqrt2) }

// Bin is the ArcGIS Gi_Bin of a z-score and its p-value: ±3 for p < 0.01, ±2 for p < 0.05,
// ±1 for p < 0.10, with the sign of z; 0 when not significant at 90 %.
func Bin(z, p float64) int {
	level := 0
	switch {
	case p < 0.01:
		level = 3
	case p < 0.05:
		level = 2
	case p < 0.10:
		level = 1
	}
	if z < 0 {
		return -level
	}
	if z == 0 {
		return 0
	}
	return level
}

// BenjaminiHochberg returns the Benjamini–Hochberg (1995) adjusted p-values ("q-values" in
// R's p.adjust(p, "BH")), in the order of p: with p_(1) ≤ … ≤ p_(m) sorted ascending,
//
//	p̃_(k) = min_{l ≥ k} min(1, m · p_(l) / l).
//
// A hypothesis is rejected at false discovery rate q when its adjusted p-value is ≤ q.
// NaN p-values are treated as 1.
func BenjaminiHochberg(p []float64) []float64 {
	m := len(p)
	out := make([]float64, m)
	if m == 0 {
		return out
	}
	order := make([]int, m)
	for k := range order {
		order[k] = k
	}
	val := func(k int) float64 {
		if v := p[k]; !math.IsNaN(v) {
			return v
		}
		return 1
	}
	sortByValue(order, val)
	running := 1.0
	for r := m - 1; r >= 0; r-- {
		k := order[r]
		running = math.Min(running, val(k)*float64(m)/float64(r+1))
		out[k] = running
	}
	return out
}
