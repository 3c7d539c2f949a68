package forecast

import (
	"math"
)

// The self-exciting model's weights: nb background weights, then nTrig triggering weights,
// one per time scale and ring (scale-major).
const (
	nScales = 2
	nb      = 4
	nTrig   = nScales * (MaxRing + 1)
	nw      = nb + nTrig
	nh      = nw * (nw + 1) / 2
)

// scaleBetas are the ratios β of the geometric triggering kernels g(k) = (1 − β)·β^(k−1): a
// mean delay of 2 weeks (near repeats) and of 10 weeks (a place warming up or cooling down).
func scaleBetas() [nScales]float64 { return [nScales]float64{0.5, 0.9} }

// Fit settings.
const (
	// MaxIterations bounds the Newton iterations at one origin.
	MaxIterations = 50
	// FitEntries is about the most cell-weeks with weight that the weights are fitted on.
	// When there are more, the weeks of every s-th cell are used, s = ⌈cell-weeks with
	// weight / FitEntries⌉: the ten weights are shared by all cells, and 200,000 cell-weeks
	// pin them down far more tightly than the week-to-week variation of the backtest.
	FitEntries = 200_000
)

// Fit is the self-exciting model fitted at an origin (see the package doc for the model).
type Fit struct {
	// Uniform, Cell, Ring1 and Ring2 make up the background rate of cell n per week:
	// Uniform + Cell·L(n) + Ring1·L₁(n) + Ring2·L₂(n), with L(n) the cell's mean weekly
	// weight over the training weeks and L_r(n) the same over its ring r divided by 6r.
	Uniform, Cell, Ring1, Ring2 float64
	// Theta[s][r] is the weight one unit of weight triggers in later weeks with the kernel of
	// time scale s (MeanDelay[s] weeks), in its own cell (r = 0) or spread evenly over the 6r
	// cells of ring r.
	Theta     [nScales][MaxRing + 1]float64
	MeanDelay [nScales]float64
	// Iterations of Newton's method at this origin (after a warm start from the previous
	// origin in a backtest); Converged is false when MaxIterations stopped it.
	Iterations int
	Converged  bool
	// LogLik is the Poisson log-likelihood at the fit (without the Σ log x! term) over the
	// Entries cell-weeks with weight it was fitted on (and their cells' weeks without).
	LogLik  float64
	Entries int
	// Weeks is the number of training weeks.
	Weeks int
}

// BranchingRatio is Σ θ: the weight one unit of weight triggers in all (for a cell with all
// its neighbours in the study area).
func (f *Fit) BranchingRatio() float64 {
	s := 0.0
	for _, sc := range f.Theta {
		for _, t := range sc {
			s += t
		}
	}
	return s
}

// entry is a cell-week with weight, with its triggering features: k_s·A_{s,r}(n, t), where
// A_{s,r}(n, t) = Σ_{v<t} R_r(n, v)·β_s^(t−v), R_0 the cell's own weight and R_r its ring sums
// divided by 6r, and k_s = (1 − β_s)/β_s, so that k_s·A is Σ_v R_r(n, v)·g_s(t − v).
type entry struct {
	cell, week int32
	x          float64
	trig       [nTrig]float64
}

// selfExciting fits the model at each origin by maximum likelihood. The features of the
// fitting cell-weeks do not depend on the origin and are computed once; the state used to
// forecast (running sums and triggering per cell) advances week by week as the backtest's
// origins ascend.
type selfExciting struct {
	c *Counts
	// ring[r-1][n*weeks+t] is the weight in week t of the cells at ring r of n, divided by 6r.
	ring [MaxRing][]float32
	// The fitting set: entries sorted by week; upTo[t] is the number of entries before week
	// t; colSum[t][j] is Σ over the fitting cells of the triggering feature j in week t.
	entries []entry
	upTo    []int
	colSum  [][nTrig]float64
	inFit   []bool
	nFit    int
	// The forecasting state at week cur: per cell the sums S_r(n) of R_r over weeks < cur
	// and A_{s,r}(n, cur).
	cur  int
	sum  [MaxRing + 1][]float64
	trig [nTrig][]float64
	w    [nw]float64
	warm bool
	fit  Fit
}

func newSelfExciting(c *Counts) *selfExciting { return &selfExciting{c: c} }

// r returns R_r(n, t).
func (s *selfExciting) r(r, n, t int) float64 {
	if r == 0 {
		return s.c.w[n*s.c.weeks+t]
	}
	return float64(s.ring[r-1][n*s.c.weeks+t])
}

func (s *selfExciting) prepare() {
	c, T, N := s.c, s.c.weeks, s.c.grid.Len()
	acc := make([]float64, T)
	for r := 1; r <= MaxRing; r++ {
		agg := make([]float32, len(c.w))
		div := float64(6 * r)
		for n := range N {
			clear(acc)
			for _, m := range c.grid.Ring(n, r) {
				for t, v := range c.series(int(m)) {
					acc[t] += v
				}
			}
			for t, v := range acc {
				agg[n*T+t] = float32(v / div)
			}
		}
		s.ring[r-1] = agg
	}
	nnz := 0
	for _, v := range c.w {
		if v > 0 {
			nnz++
		}
	}
	stride := max(1, (nnz+FitEntries-1)/FitEntries)
	s.inFit = make([]bool, N)
	var fitCells []int
	for n := 0; n < N; n += stride {
		s.inFit[n] = true
		fitCells = append(fitCells, n)
	}
	s.nFit = len(fitCells)
	betas := scaleBetas()
	var k [nScales]float64
	for sc, b := range betas {
		k[sc] = (1 - b) / b
	}
	a := make([][nTrig]float64, len(fitCells))
	s.upTo = make([]int, T+1)
	s.colSum = make([][nTrig]float64, T)
	s.entries = s.entries[:0]
	for t := range T {
		s.upTo[t] = len(s.entries)
		for i, n := range fitCells {
			ai := &a[i]
			if x := c.w[n*T+t]; x > 0 {
				e := entry{cell: int32(n), week: int32(t), x: x}
				for j := range nTrig {
					e.trig[j] = k[j/(MaxRing+1)] * ai[j]
				}
				s.entries = append(s.entries, e)
			}
			for j := range nTrig {
				s.colSum[t][j] += k[j/(MaxRing+1)] * ai[j]
				sc, r := j/(MaxRing+1), j%(MaxRing+1)
				ai[j] = betas[sc] * (ai[j] + s.r(r, n, t))
			}
		}
	}
	s.upTo[T] = len(s.entries)
	for r := range s.sum {
		s.sum[r] = make([]float64, N)
	}
	for j := range s.trig {
		s.trig[j] = make([]float64, N)
	}
}

// advance moves the forecasting state to week o (resetting it if o is behind).
func (s *selfExciting) advance(o int) {
	if o < s.cur {
		for r := range s.sum {
			clear(s.sum[r])
		}
		for j := range s.trig {
			clear(s.trig[j])
		}
		s.cur = 0
	}
	betas := scaleBetas()
	for n := range s.c.grid.Len() {
		for t := s.cur; t < o; t++ {
			for r := range MaxRing + 1 {
				v := s.r(r, n, t)
				s.sum[r][n] += v
				for sc, b := range betas {
					j := sc*(MaxRing+1) + r
					s.trig[j][n] = b * (s.trig[j][n] + v)
				}
			}
		}
	}
	s.cur = o
}

func (s *selfExciting) predict(o, h int, out []float64) {
	if s.entries == nil && s.upTo == nil {
		s.prepare()
	}
	s.advance(o)
	s.solve(o)
	w := &s.w
	betas := scaleBetas()
	fo := float64(o)
	for n := range out {
		v := float64(h) * (w[0] + (w[1]*s.sum[0][n]+w[2]*s.sum[1][n]+w[3]*s.sum[2][n])/fo)
		for sc, b := range betas {
			// No new weight during the horizon: A decays by β a week, so the triggered part
			// over h weeks is k·Σ_r θ_r·A_r·(1 + β + … + β^(h−1)).
			k := (1 - b) / b
			geo := (1 - math.Pow(b, float64(h))) / (1 - b)
			for r := range MaxRing + 1 {
				j := sc*(MaxRing+1) + r
				v += k * w[nb+j] * s.trig[j][n] * geo
			}
		}
		out[n] = v
	}
	f := &s.fit
	f.Uniform, f.Cell, f.Ring1, f.Ring2 = w[0], w[1], w[2], w[3]
	for sc, b := range betas {
		f.MeanDelay[sc] = 1 / (1 - b)
		for r := range MaxRing + 1 {
			f.Theta[sc][r] = w[nb+sc*(MaxRing+1)+r]
		}
	}
	f.Weeks = o
}

// solve maximises the log-likelihood over the weights at origin o (training weeks < o):
//
//	LL(w) = Σ_{fitting cell-weeks with weight} x·log(w·f) − w·F
//
// with f the features of a cell-week (1, the leave-one-out mean weekly weight of the cell
// and the ring means, the triggering features) and F their sums over every fitting
// cell-week. λ = w·f is linear in w, so LL is concave: Newton's method with the weights kept
// non-negative (an active set: a weight at its bound whose gradient points below it stays
// there) finds the optimum in a few steps, with the step halved while it would lower LL.
// The cell's own mean leaves out the week being fitted, so the background cannot explain a
// week by itself.
func (s *selfExciting) solve(o int) {
	f := &s.fit
	f.Iterations, f.Converged, f.Entries = 0, false, s.upTo[o]
	var F [nw]float64
	F[0] = float64(s.nFit) * float64(o)
	for n, in := range s.inFit {
		if in {
			F[1] += s.sum[0][n]
			F[2] += s.sum[1][n]
			F[3] += s.sum[2][n]
		}
	}
	for t := range o {
		for j := range nTrig {
			F[nb+j] += s.colSum[t][j]
		}
	}
	// Leave-one-out needs two weeks; the mean rate sets the scale of the uniform weight.
	mean := F[1] / max(F[0], 1)
	var lb [nw]float64
	lb[0] = 1e-9 * max(mean, 1e-300)
	if !s.warm {
		s.w = [nw]float64{0.1 * mean, 0.5, 0.2, 0.1}
		for j := nb; j < nw; j++ {
			s.w[j] = 0.02
		}
		s.warm = true
	}
	for j := range s.w {
		s.w[j] = max(s.w[j], lb[j])
	}
	if f.Entries == 0 || o < 2 {
		f.LogLik, f.Converged = 0, true
		return
	}
	var g, g2 [nw]float64
	var H, H2 [nh]float64
	ll := s.evaluate(&s.w, o, &F, &g, &H)
	for f.Iterations < MaxIterations {
		var free [nw]bool
		for j := range nw {
			free[j] = s.w[j] > lb[j] || g[j] > 0
		}
		// A weight at its bound whose Newton step points below it stays at the bound.
		d, dec := newtonStep(&g, &H, &free)
		for again := true; again; {
			again = false
			for j := range nw {
				if free[j] && s.w[j] <= lb[j] && d[j] < 0 {
					free[j], again = false, true
				}
			}
			if again {
				d, dec = newtonStep(&g, &H, &free)
			}
		}
		// Half the Newton decrement estimates how far LL is below its maximum.
		if dec/2 <= 1e-9*math.Abs(ll)+1e-12 {
			f.Converged = true
			break
		}
		// Projected steps: weights that would cross their bound stop at it.
		step := 1.0
		accepted := false
		for range 10 {
			var w2 [nw]float64
			for j := range nw {
				w2[j] = s.w[j]
				if free[j] {
					w2[j] = max(lb[j], s.w[j]+step*d[j])
				}
			}
			f.Iterations++
			ll2 := s.evaluate(&w2, o, &F, &g2, &H2)
			if ll2 >= ll {
				s.w, ll, g, H, accepted = w2, ll2, g2, H2, true
				break
			}
			step /= 2
		}
		if !accepted {
			f.Converged = true // no ascent left at the precision of the arithmetic
			break
		}
	}
	f.LogLik = ll
}

// evaluate returns LL(w) at origin o and writes its gradient and Hessian (upper triangle,
// row-major) into g and H.
func (s *selfExciting) evaluate(w *[nw]float64, o int, F *[nw]float64, g *[nw]float64, H *[nh]float64) float64 {
	var gl [nw]float64
	var hl [nh]float64
	ll := 0.0
	fo := float64(o)
	sum0, sum1, sum2 := s.sum[0], s.sum[1], s.sum[2]
	entries := s.entries[:s.upTo[o]]
	for k := range entries {
		e := &entries[k]
		n := e.cell
		var f [nw]float64
		f[0] = 1
		f[1] = (sum0[n] - e.x) / (fo - 1)
		f[2] = sum1[n] / fo
		f[3] = sum2[n] / fo
		copy(f[nb:], e.trig[:])
		lam := 0.0
		for j, fj := range f {
			lam += w[j] * fj
		}
		if !(lam > 0) {
			return math.Inf(-1)
		}
		ll += e.x * math.Log(lam)
		u := e.x / lam
		v := u / lam
		start := 0
		for i, fi := range f {
			gl[i] += u * fi
			vi := v * fi
			tail := f[i:]
			row := hl[start:]
			row = row[:len(tail)]
			for j, fj := range tail {
				row[j] -= vi * fj
			}
			start += len(tail)
		}
	}
	for j := range nw {
		ll -= w[j] * F[j]
		g[j] = gl[j] - F[j]
	}
	*H = hl
	return ll
}

// newtonStep solves (−H) d = g over the free weights (d = 0 for the others) by Cholesky
// with a small ridge, and returns d and the Newton decrement g·d.
func newtonStep(g *[nw]float64, H *[nh]float64, free *[nw]bool) ([nw]float64, float64) {
	var idx []int
	for j := range nw {
		if free[j] {
			idx = append(idx, j)
		}
	}
	m := len(idx)
	var d [nw]float64
	if m == 0 {
		return d, 0
	}
	at := func(i, j int) float64 { // −H[i][j] from the upper triangle
		if i > j {
			i, j = j, i
		}
		return -H[i*nw-i*(i-1)/2+(j-i)]
	}
	var a [nw][nw]float64
	maxDiag := 0.0
	for p, i := range idx {
		for q, j := range idx {
			a[p][q] = at(i, j)
		}
		maxDiag = max(maxDiag, a[p][p])
	}
	ridge := 1e-10*maxDiag + 1e-300
	for p := range m {
		a[p][p] += ridge
	}
	// Cholesky a = L·Lᵀ in place (lower triangle).
	for p := range m {
		for q := 0; q <= p; q++ {
			sum := a[p][q]
			for k := range q {
				sum -= a[p][k] * a[q][k]
			}
			if p == q {
				a[p][p] = math.Sqrt(max(sum, ridge))
			} else {
				a[p][q] = sum / a[q][q]
			}
		}
	}
	var y [nw]float64
	for p := range m {
		sum := g[idx[p]]
		for k := range p {
			sum -= a[p][k] * y[k]
		}
		y[p] = sum / a[p][p]
	}
	for p := m - 1; p >= 0; p-- {
		sum := y[p]
		for k := p + 1; k < m; k++ {
			sum -= a[k][p] * d[idx[k]]
		}
		d[idx[p]] = sum / a[p][p]
	}
	dec := 0.0
	for _, j := range idx {
		dec += g[j] * d[j]
	}
	return d, dec
}
