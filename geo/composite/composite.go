// Package composite builds composite indicators as the OECD/JRC Handbook on Constructing
// Composite Indicators (2008) lays them out: orient, (winsorise,) normalise, weight, aggregate,
// and then test how robust the ranking is (sensitivity.go).
//
// Assumptions: a Matrix holds one value per area (row) and indicator (column) for one year;
// NaN marks a missing value, which is never treated as zero: each area's weights are
// re-normalised over the indicators it has, and its coverage (the share of the total weight
// it has values for) is reported. Every indicator has a sign: +1 when a higher value means
// more of what the composite measures (need, or feasibility), −1 when lower does; after
// orientation a higher score always means more. Rows are areas in a fixed order (the caller
// sorts them, e.g. by code); ties in the index are ranked by that order, so results are
// deterministic. Invalid input is refused with a *input.Error naming it ("weights", "winsor",
// "min_coverage", "normalisation", "aggregation", "values", "indicators", "areas", and for the
// sensitivity analysis "draws", "concentration", "k"), so a caller can tell its user which
// parameter to fix. The package does no I/O, holds no state and takes randomness only through
// a seed.
package composite

import (
	"fmt"
	"math"
	"slices"

	"github.com/lagesbild/lagesbild/geo/input"
	"github.com/lagesbild/lagesbild/geo/internal/selection"
)

// Normalisation turns an indicator's oriented values into comparable scores.
type Normalisation uint8

const (
	// ZScore: (x − mean)/sd over the areas with a value (population sd). Invariant to a change
	// of unit or origin. A constant indicator scores 0.
	ZScore Normalisation = iota
	// MinMax: (x − min)/(max − min), in [0, 1]. A constant indicator scores 0.
	MinMax
	// Rank: the percentile rank (average rank of ties)/n, in (0, 1]; a value not in the fitted
	// sample (an earlier year) gets (number below + ½ · number equal + ½)/n.
	Rank
	// Raw: the oriented value itself. For indicators already on a common scale, such as the
	// three shares of Statistics Sweden's socio-economic index.
	Raw
)

var normNames = [...]string{"zscore", "minmax", "rank", "raw"}

func (n Normalisation) String() string {
	if int(n) < len(normNames) {
		return normNames[n]
	}
	return fmt.Sprintf("Normalisation(%d)", n)
}

// ParseNormalisation reads "zscore", "minmax", "rank" or "raw".
func ParseNormalisation(s string) (Normalisation, error) {
	for i, name := range normNames {
		if s == name {
			return Normalisation(i), nil
		}
	}
	return 0, input.Invalid("normalisation", "%q is not one of zscore, minmax, rank, raw", s)
}

// Aggregation combines an area's weighted scores into its index.
type Aggregation uint8

const (
	// Arithmetic: I = Σ w_j s_j / Σ w_j over the indicators the area has. Contribution of
	// indicator j: w_j s_j / Σ w_j; the contributions add up to I.
	Arithmetic Aggregation = iota
	// Geometric: I = exp(Σ w_j ln g_j / Σ w_j) with g_j the score shifted to be at least 1 (a
	// geometric mean needs positive values): g = s + 1 for MinMax and Rank; g = z + 1 + √(n−1)
	// for ZScore, n the areas with a value, since no z-score of n values can be below −√(n−1);
	// g = o − min o + 1 for Raw. The ZScore shift depends only on n, not on the values: shifting
	// by the observed minimum z would let one area's change move every other area's shift and
	// break monotonicity (worsening a value could lower the index). Poor performance on one
	// indicator is compensated less than with the arithmetic mean. Contributions are in log
	// space: w_j ln g_j / Σ w_j, adding up to ln I (Result.LogIndex).
	Geometric
)

var aggNames = [...]string{"arithmetic", "geometric"}

func (a Aggregation) String() string {
	if int(a) < len(aggNames) {
		return aggNames[a]
	}
	return fmt.Sprintf("Aggregation(%d)", a)
}

// ParseAggregation reads "arithmetic" or "geometric".
func ParseAggregation(s string) (Aggregation, error) {
	for i, name := range aggNames {
		if s == name {
			return Aggregation(i), nil
		}
	}
	return 0, input.Invalid("aggregation", "%q is not one of arithmetic, geometric", s)
}

// geometricFloor keeps ln g finite for a value scored against another year's fit that falls
// below the shifted range (only possible out of sample).
const geometricFloor = 1e-6

// coverageSlack absorbs rounding when coverage is compared with a threshold such as 1.
const coverageSlack = 1e-9

// Indicator is one column: its key (for messages), sign and weight.
type Indicator struct {
	Key    string
	Sign   float64 // +1: higher value = more; −1: higher value = less
	Weight float64 // ≥ 0; the weights need not add up to 1
}

// Matrix is row-major: Data[r*Cols+c] is area r's value of indicator c, NaN when missing.
type Matrix struct {
	Rows, Cols int
	Data       []float64
}

// NewMatrix returns a rows × cols matrix with every value missing.
func NewMatrix(rows, cols int) Matrix {
	d := make([]float64, rows*cols)
	for i := range d {
		d[i] = math.NaN()
	}
	return Matrix{Rows: rows, Cols: cols, Data: d}
}

// At returns the value at (r, c).
func (m Matrix) At(r, c int) float64 { return m.Data[r*m.Cols+c] }

// Set sets the value at (r, c).
func (m Matrix) Set(r, c int, v float64) { m.Data[r*m.Cols+c] = v }

// Options choose the method.
type Options struct {
	Normalisation Normalisation
	Aggregation   Aggregation
	// Winsor, in [0, 0.5), clips each oriented indicator at its Winsor and 1 − Winsor
	// quantiles (linear interpolation, R's type 7) before normalising; 0 clips nothing.
	Winsor float64
	// MinCoverage, in [0, 1]: an area whose coverage is below it gets an index but no rank.
	MinCoverage float64
}

// column is what Fit learns about one indicator.
type column struct {
	sign, weight float64
	lo, hi       float64   // winsor bounds on the oriented value (±Inf when not winsorising)
	a, b         float64   // s = a·o + b for ZScore, MinMax, Raw
	sorted       []float64 // Rank: the fitted oriented (clipped) values, ascending
	shift        float64   // Geometric: g = s + shift (see Geometric)
	n            int       // areas with a value
}

// Model is a fitted composite: normalisation parameters learned from one matrix (the
// reference year), applicable to that matrix and to others with the same columns (earlier
// years), so that an index change reflects a change in values, not in the comparison group.
type Model struct {
	opt  Options
	cols []column
	keys []string
}

// Options returns the options the model was fitted with.
func (md *Model) Options() Options { return md.opt }

// Weights returns the weights normalised to add up to 1, in column order.
func (md *Model) Weights() []float64 {
	w := make([]float64, len(md.cols))
	for j, c := range md.cols {
		w[j] = c.weight
	}
	return w
}

// Fit validates the input and learns each indicator's normalisation from m.
//
// Errors (*input.Error): no areas or no indicators; len(ind) ≠ m.Cols; a weight
// negative, NaN or infinite, or all weights zero; a sign other than ±1; Winsor outside
// [0, 0.5); MinCoverage outside [0, 1]; an unknown normalisation or aggregation; an infinite
// value; an indicator with a positive weight and no value in any area.
func Fit(m Matrix, ind []Indicator, opt Options) (*Model, error) {
	if err := validate(m, ind, opt); err != nil {
		return nil, err
	}
	total := 0.0
	for _, in := range ind {
		total += in.Weight
	}
	md := &Model{opt: opt, cols: make([]column, len(ind)), keys: make([]string, len(ind))}
	// Columns are gathered fitBlock at a time in one pass over the rows (a row's fitBlock
	// values share a cache line, where gathering one column reads a line per row), into a
	// block buffer that stays in cache for the per-column passes.
	n, k := m.Rows, m.Cols
	block := make([]float64, min(k, fitBlock)*n)
	var cnt [fitBlock]int
	var ws winsorScratch
	for j0 := 0; j0 < k; j0 += fitBlock {
		j1 := min(j0+fitBlock, k)
		cnt = [fitBlock]int{}
		for r := range n {
			for j, v := range m.Data[r*k+j0 : r*k+j1] {
				// Written in any case, kept (the count advanced) only when not missing:
				// no branch to mispredict at the missing values.
				block[j*n+cnt[j]] = ind[j0+j].Sign * v
				cnt[j] += b2i(v == v)
			}
		}
		for j := j0; j < j1; j++ {
			if err := md.fitColumn(j, ind[j], total, block[(j-j0)*n:(j-j0)*n+cnt[j-j0]], &ws); err != nil {
				return nil, err
			}
		}
	}
	return md, nil
}

// fitBlock is the number of columns Fit gathers per pass over the rows: 8 float64 are one
// 64-byte cache line.
const fitBlock = 8

// fitColumn learns column j from vals, its oriented values in row order (clipped in place).
func (md *Model) fitColumn(j int, in Indicator, total float64, vals []float64, ws *winsorScratch) error {
	opt := md.opt
	c := &md.cols[j]
	c.sign, c.weight = in.Sign, in.Weight/total
	c.lo, c.hi = math.Inf(-1), math.Inf(1)
	md.keys[j] = in.Key
	c.n = len(vals)
	if c.n == 0 {
		if in.Weight > 0 {
			return input.Invalid("indicators", "%s has no value in any area", in.Key)
		}
		c.a, c.shift = 0, 1
		return nil
	}
	if opt.Normalisation == Rank {
		// The sorted values serve both the winsor quantiles and the ranks; clipping keeps
		// them sorted.
		c.sorted = slices.Clone(vals)
		slices.Sort(c.sorted)
		if opt.Winsor > 0 {
			c.lo, c.hi = selection.Quantile(c.sorted, opt.Winsor), selection.Quantile(c.sorted, 1-opt.Winsor)
			for i, v := range c.sorted {
				c.sorted[i] = min(max(v, c.lo), c.hi)
			}
		}
	} else if opt.Winsor > 0 {
		c.lo, c.hi = ws.bounds(vals, opt.Winsor)
	}
	// Clipped in row order (sign +1: vals are oriented already); the ranks use c.sorted.
	clip := newLinTerm(column{sign: 1, lo: c.lo, hi: c.hi}, 1, 0)
	winsorise := opt.Winsor > 0 && opt.Normalisation != Rank
	lo, hi := math.Inf(1), math.Inf(-1)
	switch opt.Normalisation {
	case ZScore:
		sum := 0.0
		if winsorise {
			for i, v := range vals {
				v = clip.clip(v)
				vals[i] = v
				sum += v
			}
		} else {
			for _, v := range vals {
				sum += v
			}
		}
		mean := sum / float64(len(vals))
		ss := 0.0
		for _, v := range vals {
			ss += (v - mean) * (v - mean)
		}
		if sd := math.Sqrt(ss / float64(len(vals))); sd > 0 {
			c.a, c.b = 1/sd, -mean/sd
		}
	case MinMax, Raw:
		for _, v := range vals {
			if winsorise {
				v = clip.clip(v)
			}
			lo, hi = min(lo, v), max(hi, v)
		}
		if opt.Normalisation == Raw {
			c.a = 1
		} else if hi > lo {
			c.a, c.b = 1/(hi-lo), -lo/(hi-lo)
		}
	}
	switch opt.Normalisation {
	case ZScore:
		c.shift = 1 + math.Sqrt(float64(c.n-1))
	case Raw:
		c.shift = 1 - lo
	default:
		c.shift = 1
	}
	return nil
}

func validate(m Matrix, ind []Indicator, opt Options) error {
	switch {
	case len(ind) == 0:
		return input.Invalid("indicators", "no indicators chosen")
	case m.Rows == 0:
		return input.Invalid("areas", "no areas to evaluate")
	case len(ind) != m.Cols || len(m.Data) != m.Rows*m.Cols:
		return input.Invalid("indicators", "%d indicators for a matrix of %d × %d", len(ind), m.Rows, m.Cols)
	case opt.Normalisation > Raw:
		return input.Invalid("normalisation", "unknown normalisation %d", opt.Normalisation)
	case opt.Aggregation > Geometric:
		return input.Invalid("aggregation", "unknown aggregation %d", opt.Aggregation)
	case !(opt.Winsor >= 0 && opt.Winsor < 0.5):
		return input.Invalid("winsor", "%v is outside [0, 0.5)", opt.Winsor)
	case !(opt.MinCoverage >= 0 && opt.MinCoverage <= 1):
		return input.Invalid("min_coverage", "%v is outside [0, 1]", opt.MinCoverage)
	}
	total := 0.0
	for _, in := range ind {
		if math.IsNaN(in.Weight) || math.IsInf(in.Weight, 0) || in.Weight < 0 {
			return input.Invalid("weights", "weight of %s is %v; weights must be finite and not negative", in.Key, in.Weight)
		}
		if in.Sign != 1 && in.Sign != -1 {
			return input.Invalid("indicators", "sign of %s is %v, want +1 or -1", in.Key, in.Sign)
		}
		total += in.Weight
	}
	if !(total > 0) || math.IsInf(total, 0) {
		return input.Invalid("weights", "the weights add up to %v; at least one must be positive", total)
	}
	for i, v := range m.Data {
		if math.IsInf(v, 0) {
			return input.Invalid("values", "value of %s in area %d is %v", ind[i%m.Cols].Key, i/m.Cols, v)
		}
	}
	return nil
}

// score normalises an oriented, clipped value.
func (c *column) score(o float64) float64 {
	if c.sorted == nil {
		return c.a*o + c.b
	}
	return c.rankScore(o)
}

func (c *column) rankScore(o float64) float64 {
	less, _ := slices.BinarySearch(c.sorted, o)
	upTo := less
	for upTo < len(c.sorted) && c.sorted[upTo] == o {
		upTo++
	}
	eq := upTo - less
	return (float64(less) + float64(eq)/2 + 0.5) / float64(len(c.sorted))
}

// value is the term an indicator adds before weighting: the score (arithmetic) or the log
// of the shifted score (geometric). x must not be NaN.
func (md *Model) value(j int, x float64) float64 {
	c := &md.cols[j]
	o := c.sign * x
	if o < c.lo {
		o = c.lo
	} else if o > c.hi {
		o = c.hi
	}
	var s float64
	if c.sorted == nil {
		s = c.a*o + c.b
	} else {
		s = c.rankScore(o)
	}
	if md.opt.Aggregation == Geometric {
		return math.Log(max(s+c.shift, geometricFloor))
	}
	return s
}

// Score returns the normalised score of value x of indicator j (NaN for NaN): what the
// index aggregates, before the geometric shift. For tables and explanations.
func (md *Model) Score(j int, x float64) float64 {
	if math.IsNaN(x) {
		return x
	}
	c := &md.cols[j]
	return c.score(min(max(c.sign*x, c.lo), c.hi))
}

// Result is a composite evaluated for every area.
type Result struct {
	Rows, Cols int
	// Index per area; NaN when the area has no value for any weighted indicator.
	Index []float64
	// LogIndex is ln Index for Geometric (what the contributions add up to); equal to Index
	// for Arithmetic.
	LogIndex []float64
	// Coverage: the share of the total weight the area has values for, in [0, 1].
	Coverage []float64
	// Rank: 1 = highest index among the ranked areas; 0 = not ranked (coverage below
	// MinCoverage, or no value). Ties are ranked by row order.
	Rank []int
	// Contrib[r*Cols+c]: indicator c's contribution to area r (LogIndex for Geometric); NaN
	// where the value is missing, 0 for an indicator of weight 0. Each row adds up to
	// LogIndex: the index is computed as that very sum, in column order.
	Contrib []float64
	// Ranked is the number of ranked areas.
	Ranked int
}

// Evaluate fits m and scores it: the index of one year.
func Evaluate(m Matrix, ind []Indicator, opt Options) (*Model, *Result, error) {
	md, err := Fit(m, ind, opt)
	if err != nil {
		return nil, nil, err
	}
	return md, md.evaluate(m), nil // Fit has checked m
}

// Evaluate scores m (the fitted matrix or another year with the same columns) with the
// fitted parameters: index, coverage, contributions and ranks.
//
// Errors (*input.Error): m has a different number of columns, or an infinite value.
func (md *Model) Evaluate(m Matrix) (*Result, error) {
	if err := md.check(m); err != nil {
		return nil, err
	}
	return md.evaluate(m), nil
}

// evaluate is Evaluate of a checked matrix.
func (md *Model) evaluate(m Matrix) *Result {
	n, k := m.Rows, m.Cols
	res := &Result{Rows: n, Cols: k,
		Index: make([]float64, n), LogIndex: make([]float64, n), Coverage: make([]float64, n),
		Rank: make([]int, n), Contrib: make([]float64, n*k)}
	// Affine scores under the arithmetic mean (the usual case) are computed in the loop; the
	// others through value.
	affine := md.opt.Aggregation == Arithmetic && md.opt.Normalisation != Rank
	ps := make([]linTerm, k)
	for j, c := range md.cols {
		ps[j] = newLinTerm(c, c.a, c.b)
	}
	for r := 0; r < n; r++ {
		row := m.Data[r*k : (r+1)*k]
		// The terms go into the contributions' place first, then are weighted there.
		contrib := res.Contrib[r*k : (r+1)*k]
		ps := ps[:len(row)]
		contrib = contrib[:len(row)]
		have, missing := 0.0, false
		for j, x := range row {
			switch {
			case x != x:
				contrib[j] = x
				missing = missing || ps[j].w > 0
				continue
			case affine:
				contrib[j] = ps[j].term(x) // a·clip(sign·x) + b
			default:
				contrib[j] = md.value(j, x)
			}
			have += ps[j].w
		}
		if !missing {
			have = 1 // all weight present; exactly 1, whatever the rounding of the sum
		}
		res.Coverage[r] = have
		if have == 0 {
			res.Index[r], res.LogIndex[r] = math.NaN(), math.NaN()
			for j := range contrib {
				contrib[j] = math.NaN()
			}
			continue
		}
		sum := 0.0
		for j, t := range contrib {
			w := ps[j].w
			switch {
			case t != t: // missing: the contribution stays NaN
				continue
			case w == 0:
				contrib[j] = 0
				continue
			}
			if have != 1 { // w/1 is w: no division for an area with every value
				w /= have
			}
			t = w * t
			contrib[j] = t
			sum += t
		}
		res.LogIndex[r] = sum
		res.Index[r] = sum
		if md.opt.Aggregation == Geometric {
			res.Index[r] = math.Exp(sum)
		}
	}
	minCov := md.opt.MinCoverage - coverageSlack
	res.Ranked = rankInto(res.Rank, res.LogIndex, func(r int) bool {
		return !math.IsNaN(res.LogIndex[r]) && res.Coverage[r] >= minCov
	})
	return res
}

// IndexInto writes the index of every area of m into dst (len m.Rows) without the
// contributions: the fast path for series of earlier years. NaN where an area has no value.
func (md *Model) IndexInto(m Matrix, dst []float64) error {
	if m.Cols != len(md.cols) || len(m.Data) != m.Rows*m.Cols || len(dst) != m.Rows {
		return input.Invalid("values", "matrix of %d × %d for a model of %d indicators", m.Rows, m.Cols, len(md.cols))
	}
	k := m.Cols
	geometric := md.opt.Aggregation == Geometric
	if !geometric && md.opt.Normalisation != Rank {
		return md.indexLinear(m, dst)
	}
	for r := range m.Rows {
		have, sum := 0.0, 0.0
		for j, x := range m.Data[r*k : (r+1)*k] {
			c := &md.cols[j]
			if c.weight == 0 || x != x { // weight 0 or NaN
				continue
			}
			if math.IsInf(x, 0) {
				return input.Invalid("values", "value of %s in area %d is %v", md.keys[j], r, x)
			}
			o := c.sign * x
			if o < c.lo {
				o = c.lo
			} else if o > c.hi {
				o = c.hi
			}
			var t float64
			if c.sorted == nil {
				t = c.a*o + c.b
			} else {
				t = c.rankScore(o)
			}
			if geometric {
				t = math.Log(max(t+c.shift, geometricFloor))
			}
			sum += c.weight * t
			have += c.weight
		}
		switch {
		case have == 0:
			dst[r] = math.NaN()
		case geometric:
			dst[r] = math.Exp(sum / have)
		default:
			dst[r] = sum / have
		}
	}
	return nil
}

// indexLinear is IndexInto for the arithmetic mean of affine scores (ZScore, MinMax, Raw):
// each term is w·(a·clip(sign·x) + b), so the weights fold into the coefficients and the
// loop has one branch, on missing values. (Scoring four rows side by side, to overlap their
// running sums, measured slower: the loop is bound by instructions, not by latency.)
func (md *Model) indexLinear(m Matrix, dst []float64) error {
	k := m.Cols
	ps := make([]linTerm, k)
	for j, c := range md.cols {
		ps[j] = newLinTerm(c, c.weight*c.a, c.weight*c.b)
	}
	for r := range m.Rows {
		row := m.Data[r*k : (r+1)*k]
		ps := ps[:len(row)]
		have, sum := 0.0, 0.0
		for j, v := range row {
			if v-v != 0 { // NaN or ±Inf
				if v != v {
					continue
				}
				return input.Invalid("values", "value of %s in area %d is %v", md.keys[j], r, v)
			}
			sum += ps[j].term(v)
			have += ps[j].w
		}
		dst[r] = meanOf(sum, have)
	}
	return nil
}

// linTerm is an affine score a·clip(sign·x) + b in terms of x: the sign goes into the
// coefficient and the clipping bounds, since clip(−x, lo, hi) = −clip(x, −hi, −lo) and
// a·(−c) = (−a)·c exactly; one multiplication fewer per value, same bits.
type linTerm struct {
	lo, hi   float64
	lob, hib uint64 // the bits of lo and hi
	a, b, w  float64
}

// newLinTerm is column c's linTerm with coefficients a, b (w: the column's weight).
func newLinTerm(c column, a, b float64) linTerm {
	t := linTerm{lo: c.lo, hi: c.hi, a: a, b: b, w: c.weight}
	if c.sign < 0 {
		t.lo, t.hi, t.a = -c.hi, -c.lo, -a
	}
	t.lob, t.hib = math.Float64bits(t.lo), math.Float64bits(t.hi)
	return t
}

// term is the score of x (finite). Clipping selects among the bits of x, lo and hi, which
// the compiler does with conditional moves: a branch on each bound would be mispredicted at
// every clipped value (a winsor level of 2 % clips 4 % of the values), and the builtin min and
// max, which must order ±0 and NaN, take more instructions. As x < lo and x > hi exclude each
// other (lo ≤ hi), this is the two if statements of clip in sequence.
func (p *linTerm) term(x float64) float64 {
	return p.a*p.clip(x) + p.b
}

// clip is x clipped to [lo, hi] (see term).
func (p *linTerm) clip(x float64) float64 {
	xb, lob, hib := math.Float64bits(x), p.lob, p.hib
	if x < p.lo {
		xb = lob
	}
	if x > p.hi {
		xb = hib
	}
	return math.Float64frombits(xb)
}

// meanOf is sum/have, NaN when no weight was present.
func meanOf(sum, have float64) float64 {
	if have == 0 {
		return math.NaN()
	}
	return sum / have
}

func (md *Model) check(m Matrix) error {
	if m.Cols != len(md.cols) || len(m.Data) != m.Rows*m.Cols {
		return input.Invalid("values", "matrix of %d × %d for a model of %d indicators", m.Rows, m.Cols, len(md.cols))
	}
	for i, v := range m.Data {
		if math.IsInf(v, 0) {
			return input.Invalid("values", "value of %s in area %d is %v", md.keys[i%m.Cols], i/m.Cols, v)
		}
	}
	return nil
}

// rankInto ranks the rows for which ok is true by key, highest first, ties by row order, and
// writes 1-based ranks into rank (0 for the others). It returns the number ranked. The order
// is that of a stable sort; the ranked keys go through rankRadix, which sorts without
// comparisons.
func rankInto(rank []int, key []float64, ok func(int) bool) int {
	rows := make([]int32, 0, len(key))
	keys := make([]float64, 0, len(key))
	for r := range key {
		rank[r] = 0
		if ok(r) {
			rows = append(rows, int32(r))
			keys = append(keys, key[r])
		}
	}
	if len(rows) == 0 {
		return 0
	}
	pos := make([]int32, len(rows))
	var tmp radixScratch
	rankRadix(keys, pos, &tmp)
	for i, r := range rows {
		rank[r] = int(pos[i])
	}
	return len(rows)
}
