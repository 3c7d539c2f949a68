package did

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/lagesbild/lagesbild/geo/input"
)

// Input is everything the follow-up of one intervention is computed from. Every series has
// one value per period, Pre+Post of them, the first Pre before the start (see Periods).
type Input struct {
	// Pre and Post are the periods before and from the start that the data cover; WantPre
	// and WantPost those asked for; Months is the length of a period in calendar months.
	Pre, Post, WantPre, WantPost, Months int
	// Category is the intervention's category: a district reached by another intervention
	// of the same category during the window is no comparison.
	Category string
	// StartYear is the year of the start date: indicator years before it are before the
	// intervention, years after it after; the start year itself is neither.
	StartYear  int
	Target     Target
	Districts  []District     // every district, in the order of the answer
	Others     []Intervention // the other interventions running at some time in the window
	Places     []Place        // the places of the target and neighbouring districts (PlaceDistricts)
	Indicators []Indicator
}

// Target is the area an intervention means to move and its observations.
type Target struct {
	// Name names the target series (the intervention's title).
	Name string
	// Codes are the districts of the target area: the intervention's target districts, or
	// those its buffer overlaps.
	Codes []string
	// BufferM is the buffer in metres around the intervention's geometry when the target area
	// is that buffer; 0 when it is the districts themselves.
	BufferM float64
	// Population lives in the target area (estimated by area for a buffer); it must be
	// positive.
	Population float64
	// Counts and Weights are the observations in the target area per period: their number
	// and their weighted sum.
	Counts  []int64
	Weights []float64
}

// District is a district with its observations per period.
type District struct {
	Code, Name string
	// Population is nil when unknown; a district without a positive population has no rate
	// and is no comparison.
	Population *float64
	// Neighbours are the districts sharing a border with it.
	Neighbours []string
	// Counts and Weights per period, as Target's.
	Counts  []int64
	Weights []float64
}

// Intervention is another intervention running during the window.
type Intervention struct {
	ID              int64
	Title, Category string
	Start, End      *time.Time
	// Districts are the districts it reaches.
	Districts []string
}

// Place is a public place with the weighted observations within a radius of it, summed
// over all pre periods and over all post periods.
type Place struct {
	ID           int64
	Name, Kind   string
	DistrictCode *string
	Pre, Post    float64
}

// Indicator is one indicator's values by district code and year.
type Indicator struct {
	Key, NameSV, NameEN, Unit, Direction string
	Values                               map[string]map[int]float64
}

// Roles of a series, a place and the reasons a district is no comparison.
const (
	RoleTarget     = "target"
	RoleComparison = "comparison"
	RoleNeighbour  = "neighbour"
	RoleOther      = "other"

	ExcludedTarget       = "target"
	ExcludedNeighbour    = "neighbour"
	ExcludedSameCategory = "concurrent_same_category"
	ExcludedNoPopulation = "no_population"

	SignDisplacement = "displacement"
	SignDiffusion    = "diffusion_of_benefit"
	SignNone         = "none"
)

// Result is a follow-up. Figures are unrounded, but for the places' (PlaceChange); rates
// are weighted observations per 1,000 residents and period.
type Result struct {
	// Series: the target first, then every district but the target districts (which make up
	// the target series unless the target is a buffer), in the order of Input.Districts.
	Series     []Series
	Comparison []Comparison // nearest first
	Excluded   []Exclusion  // in the order of Input.Districts
	// Estimate is nil without comparison districts or with fewer than 2 periods before or
	// after the start.
	Estimate   *Effect
	Neighbours []Neighbour       // by code
	Places     []PlaceChange     // the target's first, then by change, largest fall first
	Indicators []IndicatorChange // in the order of Input.Indicators, those with values
	Concurrent []Intervention    // the other interventions reaching the target area
	Caveats    []Caveat
}

// Series is the target's or one district's observations.
type Series struct {
	Code, Name, Role string
	Population       *float64
	Counts           []int64
	// Rates is nil without a positive population.
	Rates []float64
}

// Comparison is a chosen comparison district.
type Comparison struct {
	Match
	Name string
}

// Exclusion is a district that is no comparison candidate, and why.
type Exclusion struct {
	Code, Reason string
}

// Effect is the estimate for the target.
type Effect struct {
	Estimate
	// RelativePct is the effect in per cent of the target's pre-period mean; nil when that
	// mean is 0.
	RelativePct *float64
	// PreTrendGap is the least-squares slope per period of target − comparison over the pre
	// periods: how far they moved apart before the start.
	PreTrendGap float64
}

// Neighbour is a district bordering the target area.
type Neighbour struct {
	Code, Name string
	// Pre and Post are its mean rates; Change is Post − Pre and ChangePct that in per cent
	// of Pre (nil when Pre is 0).
	Pre, Post, Change float64
	ChangePct         *float64
	// Estimate is its own difference in differences against the target's comparison
	// districts; nil when the target has none.
	Estimate *Estimate
	// Sign is displacement when the target fell (its interval below zero) and the neighbour
	// rose (its interval above zero), diffusion_of_benefit when both fell, otherwise none.
	Sign string
}

// PlaceChange is a place with its weighted observations per period before and after.
//
// Unlike the other figures these are rounded, as a place's figures are shown: Pre and Post
// to 4 decimals, Change (Post − Pre) of those to 4, and ChangePct of those to 1. So the
// change shown is the difference of the figures shown, and a place named in the caveat on
// rising places is one whose shown change is at least 50 %.
type PlaceChange struct {
	Place
	Role              string // target or neighbour
	Pre, Post, Change float64
	ChangePct         *float64 // nil when Pre is 0
}

// IndicatorChange is an indicator in the target area (population-weighted mean) and in the
// comparison districts (plain mean) per year.
type IndicatorChange struct {
	Key, NameSV, NameEN, Unit, Direction string
	Years                                []int
	Target, Comparison                   []*float64 // per year; nil without a value
	// DiD is (after − before) of the target minus (after − before) of the comparison, over
	// the years before and after the start year with both values; nil without such years.
	DiD *float64
}

// FollowUp follows up an intervention: it chooses the k comparison districts nearest the
// target in pre-period level and trend (Select), among the districts that are neither the
// target, nor its neighbours (displacement would bias them), nor reached by another
// intervention of the same category during the window, nor without population; estimates
// the effect against them (DiD with opt); does the same for each neighbour; sets the places'
// and the indicators' changes beside; and writes the caveats the numbers call for (Caveats).
//
// Errors (*input.Error naming the input): k < 1 ("k"), Pre+Post < 1 ("pre"), a target
// without positive population ("target.population"), a series of another length than
// Pre+Post ("target.counts", "districts"), and the errors of Select and DiD.
func FollowUp(in Input, k int, opt Options) (*Result, error) {
	if err := in.check(k); err != nil {
		return nil, err
	}
	pre, post := in.Pre, in.Post
	r := &Result{}
	targetRates := rates(in.Target.Weights, in.Target.Population)
	tp := in.Target.Population
	r.Series = append(r.Series, Series{Code: RoleTarget, Name: in.Target.Name, Role: RoleTarget, Population: &tp,
		Counts: in.Target.Counts, Rates: targetRates})

	isTarget := setOf(in.Target.Codes)
	neighbours := PlaceDistricts(in.Target.Codes, in.Districts)[len(in.Target.Codes):]
	isNeighbour := setOf(neighbours)
	sameCategory := r.concurrent(in, isTarget)

	// Candidates for comparison.
	var cands []Candidate
	districtRates := map[string][]float64{}
	for _, d := range in.Districts {
		if d.Population != nil && *d.Population > 0 {
			districtRates[d.Code] = rates(d.Weights, *d.Population)
		}
		if reason := exclusion(d, isTarget, isNeighbour, sameCategory); reason != "" {
			r.Excluded = append(r.Excluded, Exclusion{Code: d.Code, Reason: reason})
			continue
		}
		cands = append(cands, Candidate{ID: d.Code, Pre: districtRates[d.Code][:pre]})
	}
	chosen, err := r.choose(in, targetRates, cands, k)
	if err != nil {
		return nil, err
	}
	var comparison [][]float64
	for _, code := range chosen {
		comparison = append(comparison, districtRates[code])
	}

	for _, d := range in.Districts {
		role := RoleOther
		switch {
		case isTarget[d.Code] && in.Target.BufferM == 0:
			continue // summed into the target series
		case slices.Contains(chosen, d.Code):
			role = RoleComparison
		case isNeighbour[d.Code]:
			role = RoleNeighbour
		}
		r.Series = append(r.Series, Series{Code: d.Code, Name: d.Name, Role: role, Population: d.Population,
			Counts: d.Counts, Rates: districtRates[d.Code]})
	}

	if len(comparison) > 0 && pre >= 2 && post >= 2 {
		e, err := DiD(targetRates, comparison, pre, opt)
		if err != nil {
			return nil, err
		}
		r.Estimate = &Effect{Estimate: e}
		if e.TargetPre > 0 {
			r.Estimate.RelativePct = ptr(100 * e.Effect / e.TargetPre)
		}
		gap, err := Gap(targetRates, comparison)
		if err != nil {
			return nil, err
		}
		_, r.Estimate.PreTrendGap = Features(gap[:pre])
	}
	if err := r.neighbours(in, neighbours, districtRates, comparison, opt); err != nil {
		return nil, err
	}
	r.places(in, isTarget)
	r.indicators(in, chosen)
	r.Caveats = Caveats(in, r)
	return r, nil
}

// PlaceDistricts returns the target codes followed by their neighbours (the districts
// bordering a target district, other than the targets), the neighbours sorted by code: the
// districts whose places a follow-up looks at.
func PlaceDistricts(target []string, districts []District) []string {
	isTarget := setOf(target)
	byCode := make(map[string]District, len(districts))
	for _, d := range districts {
		byCode[d.Code] = d
	}
	var neighbours []string
	for _, c := range target {
		for _, nb := range byCode[c].Neighbours {
			if !isTarget[nb] && !slices.Contains(neighbours, nb) {
				neighbours = append(neighbours, nb)
			}
		}
	}
	slices.Sort(neighbours)
	return append(slices.Clone(target), neighbours...)
}

func (in *Input) check(k int) error {
	n := in.Pre + in.Post
	switch {
	case k < 1:
		return input.Invalid("k", "%d is below 1", k)
	case in.Pre < 0 || in.Post < 0 || n < 1:
		return input.Invalid("pre", "%d periods before and %d from the start", in.Pre, in.Post)
	case !(in.Target.Population > 0):
		return input.Invalid("target.population", "%v; a rate per resident needs residents", in.Target.Population)
	case len(in.Target.Counts) != n || len(in.Target.Weights) != n:
		return input.Invalid("target.counts", "%d counts and %d weights for %d periods", len(in.Target.Counts), len(in.Target.Weights), n)
	}
	for _, d := range in.Districts {
		if len(d.Counts) != n || len(d.Weights) != n {
			return input.Invalid("districts", "district %s has %d counts and %d weights for %d periods", d.Code, len(d.Counts), len(d.Weights), n)
		}
	}
	return nil
}

// concurrent sets r.Concurrent to the other interventions reaching the target area and
// returns the districts reached by one of the same category.
func (r *Result) concurrent(in Input, isTarget map[string]bool) map[string]bool {
	sameCategory := map[string]bool{}
	for _, o := range in.Others {
		if o.Category == in.Category {
			for _, c := range o.Districts {
				sameCategory[c] = true
			}
		}
		if slices.ContainsFunc(o.Districts, func(c string) bool { return isTarget[c] }) {
			r.Concurrent = append(r.Concurrent, o)
		}
	}
	return sameCategory
}

func exclusion(d District, isTarget, isNeighbour, sameCategory map[string]bool) string {
	switch {
	case isTarget[d.Code]:
		return ExcludedTarget
	case isNeighbour[d.Code]:
		return ExcludedNeighbour
	case sameCategory[d.Code]:
		return ExcludedSameCategory
	case d.Population == nil || *d.Population <= 0:
		return ExcludedNoPopulation
	}
	return ""
}

// choose sets r.Comparison to the k candidates nearest the target and returns their codes;
// none with fewer than 2 pre periods.
func (r *Result) choose(in Input, targetRates []float64, cands []Candidate, k int) ([]string, error) {
	if in.Pre < 2 || len(cands) == 0 {
		return nil, nil
	}
	matches, err := Select(targetRates[:in.Pre], cands, k)
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(in.Districts))
	for _, d := range in.Districts {
		names[d.Code] = d.Name
	}
	chosen := make([]string, len(matches))
	for i, m := range matches {
		chosen[i] = m.ID
		r.Comparison = append(r.Comparison, Comparison{Match: m, Name: names[m.ID]})
	}
	return chosen, nil
}

// neighbours sets r.Neighbours: each neighbour's own change, and its estimate against the
// target's comparison districts.
func (r *Result) neighbours(in Input, codes []string, districtRates map[string][]float64, comparison [][]float64, opt Options) error {
	pre, post := in.Pre, in.Post
	names := make(map[string]string, len(in.Districts))
	for _, d := range in.Districts {
		names[d.Code] = d.Name
	}
	for _, code := range codes {
		x := districtRates[code]
		if x == nil || pre == 0 || post == 0 {
			continue
		}
		nb := Neighbour{Code: code, Name: names[code], Sign: SignNone, Pre: mean(x[:pre]), Post: mean(x[pre:])}
		nb.Change = nb.Post - nb.Pre
		if nb.Pre > 0 {
			nb.ChangePct = ptr(100 * nb.Change / nb.Pre)
		}
		if len(comparison) > 0 && pre >= 2 && post >= 2 {
			e, err := DiD(x, comparison, pre, opt)
			if err != nil {
				return err
			}
			nb.Estimate = &e
			if r.Estimate != nil && r.Estimate.Hi < 0 {
				switch {
				case e.Lo > 0:
					nb.Sign = SignDisplacement
				case e.Hi < 0:
					nb.Sign = SignDiffusion
				}
			}
		}
		r.Neighbours = append(r.Neighbours, nb)
	}
	return nil
}

// places sets r.Places: the places' observations per period before and after.
func (r *Result) places(in Input, isTarget map[string]bool) {
	if in.Pre == 0 || in.Post == 0 {
		return
	}
	for _, p := range in.Places {
		role := RoleNeighbour
		if p.DistrictCode != nil && isTarget[*p.DistrictCode] {
			role = RoleTarget
		}
		pc := PlaceChange{Place: p, Role: role, Pre: roundTo(p.Pre/float64(in.Pre), 4), Post: roundTo(p.Post/float64(in.Post), 4)}
		pc.Change = roundTo(pc.Post-pc.Pre, 4)
		if pc.Pre > 0 {
			pc.ChangePct = ptr(roundTo(100*pc.Change/pc.Pre, 1))
		}
		r.Places = append(r.Places, pc)
	}
	slices.SortStableFunc(r.Places, func(a, b PlaceChange) int {
		if a.Role != b.Role {
			return cmp.Compare(b.Role, a.Role) // target before neighbour
		}
		return cmp.Compare(a.Change, b.Change) // largest fall first
	})
}

// indicators sets r.Indicators.
func (r *Result) indicators(in Input, chosen []string) {
	population := make(map[string]float64, len(in.Districts))
	for _, d := range in.Districts {
		if d.Population != nil && *d.Population > 0 {
			population[d.Code] = *d.Population
		}
	}
	for _, ind := range in.Indicators {
		if len(ind.Values) == 0 {
			continue
		}
		ic := IndicatorChange{Key: ind.Key, NameSV: ind.NameSV, NameEN: ind.NameEN, Unit: ind.Unit, Direction: ind.Direction}
		seen := map[int]bool{}
		for _, byYear := range ind.Values {
			for y := range byYear {
				if !seen[y] {
					seen[y] = true
					ic.Years = append(ic.Years, y)
				}
			}
		}
		slices.Sort(ic.Years)
		var tb, ta, cb, ca []float64
		for _, y := range ic.Years {
			t := weightedMean(ind.Values, in.Target.Codes, population, y)
			c := weightedMean(ind.Values, chosen, nil, y)
			ic.Target, ic.Comparison = append(ic.Target, t), append(ic.Comparison, c)
			if t == nil || c == nil {
				continue
			}
			switch {
			case y < in.StartYear:
				tb, cb = append(tb, *t), append(cb, *c)
			case y > in.StartYear:
				ta, ca = append(ta, *t), append(ca, *c)
			}
		}
		if len(tb) > 0 && len(ta) > 0 {
			ic.DiD = ptr((mean(ta) - mean(tb)) - (mean(ca) - mean(cb)))
		}
		r.Indicators = append(r.Indicators, ic)
	}
}

// weightedMean is the mean of codes' values in year, weighted by population when it is
// given (a code without one weighs 1); nil when none has a value.
func weightedMean(vals map[string]map[int]float64, codes []string, population map[string]float64, year int) *float64 {
	sum, wsum := 0.0, 0.0
	for _, c := range codes {
		v, ok := vals[c][year]
		if !ok {
			continue
		}
		w := 1.0
		if p, ok := population[c]; ok {
			w = p
		}
		sum += w * v
		wsum += w
	}
	if wsum == 0 {
		return nil
	}
	return ptr(sum / wsum)
}

// rates is w per 1,000 of pop, period by period.
func rates(w []float64, pop float64) []float64 {
	out := make([]float64, len(w))
	for k, x := range w {
		out[k] = 1000 * x / pop
	}
	return out
}

func setOf(codes []string) map[string]bool {
	s := make(map[string]bool, len(codes))
	for _, c := range codes {
		s[c] = true
	}
	return s
}

// roundTo is x rounded to digits decimals.
func roundTo(x float64, digits float64) float64 {
	p := math.Pow(10, digits)
	return math.Round(x*p) / p
}

func ptr(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}
