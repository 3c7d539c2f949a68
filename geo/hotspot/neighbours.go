package hotspot

import (
	"math"

	"github.com/paulmach/orb"

	"github.com/lagesbild/lagesbild/geo/input"
)

// BandTolerance is added to the distance band when deciding "within": on a hexagon lattice
// whole rings of centres sit exactly at multiples of the side (3·side among them), and their
// computed distances scatter a few ulps either side of the band, so a bare ≤ would keep some
// and drop others at random. 1e-6 m is far below any meaningful distance and far above the
// rounding error of coordinates around 10⁷ m.
const BandTolerance = 1e-6

// Neighbours is a fixed distance band neighbourhood with binary weights: cell j is a
// neighbour of cell i when the distance between their centres is ≤ band + BandTolerance.
// Every cell is its own neighbour (Gi*, "star"). It is stored compactly (CSR): the neighbours
// of i are idx[start[i]:start[i+1]], in ascending order.
type Neighbours struct {
	start []int32
	idx   []int32
	band  float64
}

// Len is the number of cells.
func (nb *Neighbours) Len() int { return len(nb.start) - 1 }

// Of returns the neighbours of cell i, itself included, in ascending order. The slice is
// shared; do not modify it.
func (nb *Neighbours) Of(i int) []int32 { return nb.idx[nb.start[i]:nb.start[i+1]] }

// Band is the distance band the neighbourhood was built with.
func (nb *Neighbours) Band() float64 { return nb.band }

// DistanceBand finds, for every centre, the centres within band (metres, planar) of it,
// itself included. It buckets the centres into a square grid of cell size band, so each
// search looks at 3 × 3 buckets: O(n·k) for k neighbours per cell rather than O(n²).
//
// Errors (*input.Error): no centres, too many or one with a non-finite coordinate
// ("centres"); a band that is not positive and finite ("band").
func DistanceBand(centres []orb.Point, band float64) (*Neighbours, error) {
	if len(centres) == 0 {
		return nil, input.Invalid("centres", "no cells")
	}
	if !(band > 0) || math.IsInf(band, 0) {
		return nil, input.Invalid("band", "the distance band %v is not positive", band)
	}
	if len(centres) > math.MaxInt32 {
		return nil, input.Invalid("centres", "%d cells are too many", len(centres))
	}
	minX, minY := math.Inf(1), math.Inf(1)
	maxX, maxY := math.Inf(-1), math.Inf(-1)
	for k, c := range centres {
		if math.IsNaN(c[0]) || math.IsNaN(c[1]) || math.IsInf(c[0], 0) || math.IsInf(c[1], 0) {
			return nil, input.Invalid("centres", "cell %d has centre %v", k, c)
		}
		minX, minY = min(minX, c[0]), min(minY, c[1])
		maxX, maxY = max(maxX, c[0]), max(maxY, c[1])
	}
	nx := int((maxX-minX)/band) + 1
	ny := int((maxY-minY)/band) + 1
	if float64(nx)*float64(ny) > 4*float64(len(centres))+1024 {
		// A sparse spread (a few cells far apart): coarsen the buckets so their count stays
		// proportional to the cells; correctness needs only bucket size ≥ band.
		f := math.Sqrt(float64(nx) * float64(ny) / (4*float64(len(centres)) + 1024))
		nx, ny = int(float64(nx)/f)+1, int(float64(ny)/f)+1
	}
	bw, bh := max((maxX-minX)/float64(nx), band), max((maxY-minY)/float64(ny), band)
	nx, ny = int((maxX-minX)/bw)+1, int((maxY-minY)/bh)+1
	bucketOf := func(p orb.Point) (int, int) {
		return min(int((p[0]-minX)/bw), nx-1), min(int((p[1]-minY)/bh), ny-1)
	}
	// Counting sort of the cells by bucket.
	head := make([]int32, nx*ny+1)
	for _, c := range centres {
		bx, by := bucketOf(c)
		head[by*nx+bx+1]++
	}
	for b := 1; b < len(head); b++ {
		head[b] += head[b-1]
	}
	order := make([]int32, len(centres))
	fill := append([]int32(nil), head[:nx*ny]...)
	for k, c := range centres {
		bx, by := bucketOf(c)
		order[fill[by*nx+bx]] = int32(k)
		fill[by*nx+bx]++
	}

	limit := band + BandTolerance
	limit2 := limit * limit
	nb := &Neighbours{start: make([]int32, len(centres)+1), band: band}
	nb.idx = make([]int32, 0, 16*len(centres))
	var found []int32
	for k, c := range centres {
		found = found[:0]
		bx, by := bucketOf(c)
		for y := max(by-1, 0); y <= min(by+1, ny-1); y++ {
			for x := max(bx-1, 0); x <= min(bx+1, nx-1); x++ {
				b := y*nx + x
				for _, m := range order[head[b]:head[b+1]] {
					d := centres[m]
					dx, dy := d[0]-c[0], d[1]-c[1]
					if dx*dx+dy*dy <= limit2 {
						found = append(found, m)
					}
				}
			}
		}
		sortInt32(found)
		nb.idx = append(nb.idx, found...)
		nb.start[k+1] = int32(len(nb.idx))
	}
	return nb, nil
}

// NewNeighbours builds a neighbourhood from explicit lists (for tests and for callers with
// their own definition). lists[i] must contain i itself; indices must be in range.
//
// Errors (*input.Error of "lists"): an empty list, an index out of range, or a list without i.
func NewNeighbours(lists [][]int) (*Neighbours, error) {
	if len(lists) == 0 {
		return nil, input.Invalid("lists", "no cells")
	}
	nb := &Neighbours{start: make([]int32, len(lists)+1)}
	for i, l := range lists {
		self := false
		var row []int32
		for _, j := range l {
			if j < 0 || j >= len(lists) {
				return nil, input.Invalid("lists", "cell %d has neighbour %d out of range", i, j)
			}
			self = self || j == i
			row = append(row, int32(j))
		}
		if !self {
			return nil, input.Invalid("lists", "cell %d is not its own neighbour (Gi* includes the cell)", i)
		}
		sortInt32(row)
		nb.idx = append(nb.idx, row...)
		nb.start[i+1] = int32(len(nb.idx))
	}
	return nb, nil
}

// sortInt32 is an insertion sort: neighbour lists are short (13 on a hexagon grid with a
// band of 3 sides), where it beats the generic sort.
func sortInt32(a []int32) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}
