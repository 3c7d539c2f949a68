// Package kde estimates the density of points on a square grid with the quartic (biweight)
// kernel, as ArcGIS's Kernel Density and QGIS's Heatmap (quartic) do.
//
// Assumptions: coordinates are planar metres (EPSG:3006 in Lägesbild); densities are per
// square kilometre; a cell's density is the estimate at its centre. Invalid input is refused
// with a *input.Error naming it ("bandwidth", "cell", "extent", "points", "weights"). The
// package does no I/O and holds no state.
package kde

import (
	"math"

	"github.com/paulmach/orb"

	"github.com/lagesbild/lagesbild/geo/input"
)

// Defaults of Options.
const (
	DefaultBandwidth = 400.0 // metres
	DefaultCell      = 50.0  // metres
	// MaxCells bounds the grid, so a request cannot allocate without limit.
	MaxCells = 16_000_000
)

// Kernel is the quartic kernel K(u) = 3/π · (1 − u²)² for 0 ≤ u < 1 and 0 beyond. It
// integrates to 1 over the unit disk, so a point of weight w spread with bandwidth h
// contributes w · K(d/h) / h² per square metre at distance d, and the surface integrates to
// the total weight.
func Kernel(u float64) float64 {
	if u < 0 || u >= 1 {
		return 0
	}
	v := 1 - u*u
	return 3 / math.Pi * v * v
}

// Options set the bandwidth and the grid cell size, in metres. Zero values take the defaults.
type Options struct {
	Bandwidth float64
	Cell      float64
}

// Grid is a density surface: NX × NY square cells of side Cell whose lower-left corner is
// (MinX, MinY). Values[row*NX+col] is the density (per km²) at the centre of the cell in
// column col (west to east) and row row (south to north).
type Grid struct {
	MinX, MinY float64
	Cell       float64
	NX, NY     int
	Bandwidth  float64
	Values     []float64
}

// Centre returns the centre of cell (col, row).
func (g *Grid) Centre(col, row int) orb.Point {
	return orb.Point{g.MinX + (float64(col)+0.5)*g.Cell, g.MinY + (float64(row)+0.5)*g.Cell}
}

// Total returns Σ density × cell area: the weight the grid holds, which equals the total
// weight of the points when the grid reaches a bandwidth beyond all of them (up to the
// discretisation of the surface at cell centres).
func (g *Grid) Total() float64 {
	sum := 0.0
	for _, v := range g.Values {
		sum += v
	}
	return sum * g.Cell * g.Cell / 1e6
}

// Estimate evaluates the density of points (with weights, or weight 1 each when weights is
// nil) at the centre of every cell of the grid that covers extent: the grid starts at
// extent's lower-left corner and has ceil(width/cell) × ceil(height/cell) cells. At a cell
// centre c,
//
//	f(c) = 10⁶ · Σ_i w_i · K(|c − p_i| / h) / h²      (per km²)
//
// Points outside the extent still count where their kernel reaches into it.
//
// The sum is exact (no binning of points): each point adds its kernel to the cells whose
// centres lie within h of it, with the squared distances split into a column part and a row
// part computed once per point, so the cost is about n·π(h/cell)² multiply-adds.
//
// Errors (*input.Error naming the input): a non-positive or non-finite bandwidth
// ("bandwidth") or cell ("cell"), an empty or non-finite extent ("extent"), more than
// MaxCells cells ("cell"), weights of another length than points or a non-finite weight
// ("weights"), or a non-finite point ("points").
func Estimate(points []orb.Point, weights []float64, extent orb.Bound, opt Options) (*Grid, error) {
	h, cell := opt.Bandwidth, opt.Cell
	if h == 0 {
		h = DefaultBandwidth
	}
	if cell == 0 {
		cell = DefaultCell
	}
	if !(h > 0) || math.IsInf(h, 0) {
		return nil, input.Invalid("bandwidth", "%v must be positive", h)
	}
	if !(cell > 0) || math.IsInf(cell, 0) {
		return nil, input.Invalid("cell", "%v must be positive", cell)
	}
	w, ht := extent.Max[0]-extent.Min[0], extent.Max[1]-extent.Min[1]
	if !(w > 0) || !(ht > 0) || math.IsInf(w, 0) || math.IsInf(ht, 0) {
		return nil, input.Invalid("extent", "%v is empty or not finite", extent)
	}
	fx, fy := math.Ceil(w/cell), math.Ceil(ht/cell)
	if fx*fy > MaxCells {
		return nil, input.Invalid("cell", "%.0f × %.0f cells exceed the limit of %d", fx, fy, MaxCells)
	}
	if weights != nil && len(weights) != len(points) {
		return nil, input.Invalid("weights", "%d for %d points", len(weights), len(points))
	}
	g := &Grid{MinX: extent.Min[0], MinY: extent.Min[1], Cell: cell, NX: int(fx), NY: int(fy), Bandwidth: h}
	g.Values = make([]float64, g.NX*g.NY)

	r := int(math.Ceil(h/cell)) + 1 // cells either side of a point that its kernel can reach
	dx2 := make([]float64, 0, 2*r+1)
	dy2 := make([]float64, 0, 2*r+1)
	h2 := h * h
	scale := 1e6 * 3 / math.Pi / h2 // 10⁶ per km², K's constant, 1/h²
	for k, p := range points {
		wt := 1.0
		if weights != nil {
			wt = weights[k]
		}
		if !finite(wt) {
			return nil, input.Invalid("weights", "weight %d is %v", k, wt)
		}
		if !finite(p[0]) || !finite(p[1]) {
			return nil, input.Invalid("points", "point %d (%v) is not finite", k, p)
		}
		if wt == 0 {
			continue
		}
		// Cell whose centre is nearest the point, then the square of cells around it.
		cc := int(math.Floor((p[0] - g.MinX) / cell))
		cr := int(math.Floor((p[1] - g.MinY) / cell))
		c0, c1 := max(cc-r, 0), min(cc+r, g.NX-1)
		r0, r1 := max(cr-r, 0), min(cr+r, g.NY-1)
		if c0 > c1 || r0 > r1 {
			continue // the kernel does not reach the grid
		}
		// Squared distances as fractions of h², per column and per row.
		dx2 = dx2[:0]
		for c := c0; c <= c1; c++ {
			d := g.MinX + (float64(c)+0.5)*cell - p[0]
			dx2 = append(dx2, d*d/h2)
		}
		dy2 = dy2[:0]
		for rr := r0; rr <= r1; rr++ {
			d := g.MinY + (float64(rr)+0.5)*cell - p[1]
			dy2 = append(dy2, d*d/h2)
		}
		a := wt * scale
		for ri, uy := range dy2 {
			if uy >= 1 {
				continue
			}
			row := g.Values[(r0+ri)*g.NX+c0 : (r0+ri)*g.NX+c1+1]
			for ci, ux := range dx2 {
				if u2 := ux + uy; u2 < 1 {
					v := 1 - u2
					row[ci] += a * v * v
				}
			}
		}
	}
	return g, nil
}

// At returns the density (per km²) at one location q: the same sum as Estimate for a single
// cell centre. Points with a nil weights slice count 1 each.
//
// Errors (*input.Error naming the input): a non-positive bandwidth ("bandwidth") or
// mismatched weights ("weights").
func At(q orb.Point, points []orb.Point, weights []float64, h float64) (float64, error) {
	if !(h > 0) || math.IsInf(h, 0) {
		return 0, input.Invalid("bandwidth", "%v must be positive", h)
	}
	if weights != nil && len(weights) != len(points) {
		return 0, input.Invalid("weights", "%d for %d points", len(weights), len(points))
	}
	sum := 0.0
	for k, p := range points {
		wt := 1.0
		if weights != nil {
			wt = weights[k]
		}
		sum += wt * Kernel(math.Hypot(p[0]-q[0], p[1]-q[1])/h)
	}
	return 1e6 * sum / (h * h), nil
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }
