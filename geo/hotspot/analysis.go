package hotspot

import (
	"time"

	"github.com/paulmach/orb"

	"github.com/lagesbild/lagesbild/geo/input"
	"github.com/lagesbild/lagesbild/geo/kde"
)

// The analyses from their inputs to their results, one call each: HotSpots (Gi*),
// EmergingHotSpots and Density (KDE). They bin the observations into the study area's
// hexagons themselves, so a caller passes what it loaded and gets per-cell results back.
// Their refusals are *input.Error naming the input at fault by the hotspot API's parameter
// of the same name: band, area, datetime, slice, cell.

// Cells is the hexagon grid over a study area: every cell (I[k], J[k]) of the grid with side
// Side (HexCentre) that intersects the area, whether or not anything was observed in it.
type Cells struct {
	Side float64
	I, J []int
	// Bound is the study area's extent (EPSG:3006), the surface of a density.
	Bound orb.Bound
}

// Len is the number of cells.
func (c *Cells) Len() int { return len(c.I) }

// Centres returns the centre of every cell, in the cells' order.
func (c *Cells) Centres() []orb.Point {
	out := make([]orb.Point, len(c.I))
	for k := range c.I {
		out[k] = HexCentre(c.I[k], c.J[k], c.Side)
	}
	return out
}

// Assign returns, for each point, the index of the study cell containing it (HexCellOf), or
// -1 when its hexagon is not a study cell.
//
// A point counts in its hexagon whether or not it lies inside the study area itself: a border
// cell is kept whole (its hexagon intersects the area), and so are the observations in it, so
// that every cell's value is over a full hexagon and border cells are not biased low against
// the others. Points whose hexagon does not touch the area count nowhere.
func (c *Cells) Assign(points []orb.Point) []int {
	index := make(map[[2]int]int, len(c.I))
	for k := range c.I {
		index[[2]int{c.I[k], c.J[k]}] = k
	}
	out := make([]int, len(points))
	for n, p := range points {
		i, j := HexCellOf(p, c.Side)
		k, ok := index[[2]int{i, j}]
		if !ok {
			k = -1
		}
		out[n] = k
	}
	return out
}

// Observations are weighted points in EPSG:3006. Times, the observation times, is needed by
// EmergingHotSpots only.
type Observations struct {
	Points  []orb.Point
	Weights []float64
	Times   []time.Time
}

// Binned is what fell into each study cell.
type Binned struct {
	Count  []int64   // observations per cell
	Weight []float64 // summed weights per cell
	// Counted is the number of observations in the study cells (those outside them are not
	// counted).
	Counted int64
	// Cell is the study cell of each observation, -1 outside (Cells.Assign); nil when the
	// observations were counted elsewhere (Input.Binned).
	Cell []int
}

// Bin counts and weighs the observations per study cell.
func (c *Cells) Bin(obs Observations) Binned {
	b := Binned{Count: make([]int64, len(c.I)), Weight: make([]float64, len(c.I)), Cell: c.Assign(obs.Points)}
	for n, k := range b.Cell {
		if k < 0 {
			continue
		}
		b.Count[k]++
		b.Weight[k] += obs.Weights[n]
		b.Counted++
	}
	return b
}

// Input is a Gi* hot spot analysis: the observations' weights summed per study cell, with a
// fixed distance band of Band metres between cell centres.
type Input struct {
	Cells        *Cells
	Observations Observations
	// Binned, when set, is what fell into each study cell as counted elsewhere with
	// HexCellOf's rule (HexRule): the database's count per cell, so a million observations
	// need not be read to count them. Observations is then not used. Count and Weight must
	// have one entry per cell.
	Binned *Binned
	Band   float64
}

// Analysis is the result of HotSpots: the binned observations and the Gi* result of every
// cell, in the cells' order.
type Analysis struct {
	Binned
	Results []Result
}

// HotSpots bins the observations into the study cells (unless they come binned) and runs
// GiStar on the summed weights with a DistanceBand neighbourhood.
//
// Errors (*input.Error): binned counts of another length than the cells (field values); a
// band that is not positive (field band); fewer than two cells (field area).
func HotSpots(in Input) (*Analysis, error) {
	var b Binned
	if in.Binned != nil {
		b = *in.Binned
		if n := in.Cells.Len(); len(b.Count) != n || len(b.Weight) != n {
			return nil, input.Invalid("values", "%d counts and %d weights binned for %d cells", len(b.Count), len(b.Weight), n)
		}
	} else {
		b = in.Cells.Bin(in.Observations)
	}
	nb, err := DistanceBand(in.Cells.Centres(), in.Band)
	if err != nil {
		return nil, input.Named("band", err)
	}
	res, err := GiStar(b.Weight, nb)
	if err != nil {
		return nil, input.Named("area", err)
	}
	return &Analysis{Binned: b, Results: res}, nil
}

// EmergingInput is an emerging hot spot analysis: Gi* per calendar slice of Unit over the
// study cells.
type EmergingInput struct {
	Cells        *Cells
	Observations Observations // with Times
	Band         float64
	Unit         SliceUnit
	// From and To, when set, are the ends of the datetime window: the slices run from From's
	// slice to To's. An end not set is taken from the first (last) observation's slice.
	From, To *time.Time
	// Alpha is the significance level; 0 means DefaultAlpha.
	Alpha float64
	// Check, when set, is the caller's cost bound, called with the number of slices before
	// anything is computed; its error is returned as it is.
	Check func(slices int) error
}

// MaxSlices bounds an emerging analysis (20 years of months).
const MaxSlices = 240

// EmergingAnalysis is the result of EmergingHotSpots.
type EmergingAnalysis struct {
	// Slices are the first days of the slices, oldest first.
	Slices []time.Time
	Count  []int64   // observations per cell within the slices
	Weight []float64 // their summed weights per cell
	// Counted is the number of observations in the study cells and the slices.
	Counted int64
	Results []EmergingResult
}

// EmergingHotSpots bins the observations into cells and calendar slices (empty slices count
// as zeros) and runs Emerging.
//
// Errors (*input.Error): no observation and no window (field datetime); fewer than 3 slices
// (datetime); more than MaxSlices (slice); an invalid unit (slice); a band that is not
// positive (band); fewer than two cells (area). Check's error as it is.
func EmergingHotSpots(in EmergingInput) (*EmergingAnalysis, error) {
	if !in.Unit.Valid() {
		return nil, input.Invalid("slice", "%q is not month, quarter or year", in.Unit)
	}
	first, n, err := in.slices()
	if err != nil {
		return nil, err
	}
	if in.Check != nil {
		if err := in.Check(n); err != nil {
			return nil, err
		}
	}
	cells := in.Cells.Len()
	out := &EmergingAnalysis{Slices: make([]time.Time, n), Count: make([]int64, cells), Weight: make([]float64, cells)}
	for k := range out.Slices {
		out.Slices[k] = in.Unit.Start(first, k)
	}
	values := make([][]float64, n)
	for t := range values {
		values[t] = make([]float64, cells)
	}
	obs := in.Observations
	for m, k := range in.Cells.Assign(obs.Points) {
		t := in.Unit.Index(first, in.Unit.Truncate(obs.Times[m]))
		if k < 0 || t < 0 || t >= n {
			continue
		}
		values[t][k] += obs.Weights[m]
		out.Count[k]++
		out.Weight[k] += obs.Weights[m]
		out.Counted++
	}
	nb, err := DistanceBand(in.Cells.Centres(), in.Band)
	if err != nil {
		return nil, input.Named("band", err)
	}
	if cells < 2 { // as GiStar would say of every slice
		return nil, input.Invalid("area", "Gi* needs at least 2 cells, got %d", cells)
	}
	if out.Results, err = Emerging(values, nb, in.Alpha); err != nil {
		return nil, input.Named("datetime", err)
	}
	return out, nil
}

// slices is the first slice and the number of slices: from the window's first to its last
// calendar slice, or, for an end not given, the first (last) observation's.
func (in *EmergingInput) slices() (first time.Time, n int, err error) {
	var last time.Time
	for _, t := range in.Observations.Times {
		t = in.Unit.Truncate(t)
		if first.IsZero() || t.Before(first) {
			first = t
		}
		if t.After(last) {
			last = t
		}
	}
	if in.From != nil {
		first = in.Unit.TruncateBound(*in.From)
	}
	if in.To != nil {
		last = in.Unit.TruncateBound(*in.To)
	}
	if first.IsZero() {
		return first, 0, input.Invalid("datetime", "no observations match; an emerging analysis needs at least 3 %ss", in.Unit)
	}
	n = in.Unit.Index(first, last) + 1
	if n < 3 {
		return first, n, input.Invalid("datetime", "the window spans %d %s(s); an emerging analysis needs at least 3", n, in.Unit)
	}
	if n > MaxSlices {
		return first, n, input.Invalid("slice", "the window spans %d %ss; at most %d", n, in.Unit, MaxSlices)
	}
	return first, n, nil
}

// DensityInput is a kernel density surface over the study area's extent.
type DensityInput struct {
	Extent       orb.Bound
	Observations Observations
	Bandwidth    float64 // metres; 0: kde.DefaultBandwidth
	Cell         float64 // metres; 0: kde.DefaultCell
	// Check, when set, is the caller's cost bound, called with the number of points before
	// anything is computed; its error is returned as it is.
	Check func(points int) error
}

// Density estimates the quartic kernel density of the observations (kde.Estimate).
//
// Errors (*input.Error): a bandwidth or cell that is not positive (field cell); Check's
// error as it is.
func Density(in DensityInput) (*kde.Grid, error) {
	if in.Check != nil {
		if err := in.Check(len(in.Observations.Points)); err != nil {
			return nil, err
		}
	}
	g, err := kde.Estimate(in.Observations.Points, in.Observations.Weights, in.Extent, kde.Options{Bandwidth: in.Bandwidth, Cell: in.Cell})
	if err != nil {
		return nil, input.Named("cell", err)
	}
	return g, nil
}
