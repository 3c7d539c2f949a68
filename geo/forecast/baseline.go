package forecast

// A predictor fits on weeks [0, o) of its Counts and writes the expected weight per cell over
// weeks [o, o+h) into out (len = cells). Successive calls may reuse what an earlier call
// computed (the backtest calls with ascending o), but never look at weeks ≥ o.
type predictor interface {
	predict(o, h int, out []float64)
}

func newPredictor(m Model, c *Counts) predictor {
	switch m {
	case RecentDensity:
		return recentDensity{c}
	case LongTermDensity:
		return &longTermDensity{c: c}
	}
	return newSelfExciting(c)
}

// recentDensity is the weight of the last RecentWeeks weeks, scaled to the horizon.
type recentDensity struct{ c *Counts }

func (p recentDensity) predict(o, h int, out []float64) {
	from := max(0, o-RecentWeeks)
	scale := float64(h) / float64(RecentWeeks)
	for n := range out {
		s := 0.0
		for _, v := range p.c.series(n)[from:o] {
			s += v
		}
		out[n] = s * scale
	}
}

// longTermDensity is the mean weekly weight over every week before the origin, times the
// horizon. It keeps running sums per cell, so ascending origins cost O(cells) each.
type longTermDensity struct {
	c   *Counts
	o   int
	sum []float64
}

func (p *longTermDensity) predict(o, h int, out []float64) {
	if p.sum == nil || o < p.o {
		p.sum, p.o = make([]float64, len(out)), 0
	}
	for n := range out {
		s := p.sum[n]
		for _, v := range p.c.series(n)[p.o:o] {
			s += v
		}
		p.sum[n] = s
		out[n] = 0
		if o > 0 {
			out[n] = s * float64(h) / float64(o)
		}
	}
	p.o = o
}
