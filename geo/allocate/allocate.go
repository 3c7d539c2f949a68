// Package allocate plans scarce patrol and presence capacity across hotspots week by week:
// how many short visits of each actor type go to each target, under a concave
// (diminishing-returns) response to dose.
//
// Model. A target t (a public place or hotspot cell) has a harm-weighted risk R[t][c] per
// observation category c. An actor type a (police patrol, night walkers, guards, a mobile
// camera) acts on a set of categories A(a); one visit of a adds Minutes(a) minutes of dose to
// every category of A(a) at the target. The dose of category c at t in a week is
// D[t][c] = Σ over actors a with c ∈ A(a) of visits[a][t] · Minutes(a), and the expected harm
// reduction of the week is
//
//	Σ_t Σ_c m[t] · R[t][c] · (1 − exp(−D[t][c] / K))
//
// concave in the dose, saturating with the constant K (minutes per week), where m[t] is 1, or
// RestFactor while the target rests (below). With K = 240 min a week, 15-minute visits three
// to four times a day (315–420 min a week) give 73–83 % of the attainable reduction; hours
// more add little. That follows the hot-spot policing evidence: Koper's curve (1995) found
// stops of about 10–15 minutes gave the longest residual deterrence after the police left,
// longer stays not more, and the randomised hot-spot trials (Sherman & Weisburd 1995, Braga's
// reviews) work with short visits repeated at unpredictable times, not hours at one spot.
//
// Constraints per week: each actor type has Capacity visits; at most MaxDose minutes at one
// target from all actor types together; at most MaxPerTarget visits of one actor type at one
// target (a mobile camera: one per target).
//
// Allocation: greedy marginal allocation in visit-sized units. Each step gives one visit to
// the (actor, target) pair whose next visit adds the most expected reduction, among pairs whose
// actor has capacity left and whose target has room under MaxDose; gains are kept in a max-heap
// and re-evaluated lazily (a popped gain that is out of date is recomputed and pushed back),
// which is exact because a gain can only fall as doses grow. Each actor's capacity is its own,
// counted in its own visits, so comparing gains per visit across actor types never trades one
// actor's capacity for another's. What holds:
//
//   - Optimal when the objective is separable per actor: one actor type, or actor types acting
//     on disjoint categories at every target with MaxDose not binding across actor types. Each
//     actor then faces a separable concave objective with a single resource, for which greedy
//     marginal allocation is optimal (Gross 1956; Ibaraki & Katoh 1988), and the pair greedy
//     takes the same visits as running each actor's greedy alone.
//   - Otherwise (two actor types act on the same category, or the shared MaxDose binds) the
//     objective is still monotone and DR-submodular in the visits (a concave function of a
//     non-negative linear dose), and the constraints are per-actor capacities (a matroid) and,
//     when all visits have the same length, the per-target cap (a second partition matroid).
//     Greedy then reaches at least 1/2 of the optimum, or 1/3 with the binding shared cap
//     (Fisher, Nemhauser & Wolsey 1978). On random small cases it is much closer (see the
//     tests, which compare it with exhaustive search).
//
// Rotation: effort is concentrated and then moved on. A target that received its full dose
// (no further visit of any actor acting there fits under MaxDose) in RestAfter consecutive
// weeks rests for the next RestWeeks weeks: its risk counts RestFactor of itself, because the
// residual deterrence of the concentrated weeks is assumed to keep part of the harm down (the
// crackdown/back-off idea). After the rest the count starts again from zero. The reported
// reduction uses the same weights, so the plan and its figure agree.
//
// Assumptions: risk is constant over the horizon (the hotspot estimate of the recent past);
// the weeks are planned in order; all inputs are finite. Invalid input is refused with a
// *input.Error naming the plan request's field at fault ("weeks", "actors[0].capacity",
// "targets[3].risk", "targets.side", …). The package does no I/O and holds no state; Schedule
// takes its randomness from a seed.
package allocate

import (
	"fmt"
	"math"
	"slices"

	"github.com/lagesbild/lagesbild/geo/input"
)

// Defaults of Params.
const (
	DefaultK          = 240.0 // minutes per week: 3–4 fifteen-minute visits a day give ~75–80 %
	DefaultMaxDose    = 420.0 // minutes per week: four 15-minute visits a day
	DefaultRestAfter  = 4     // weeks at full dose before a target rests
	DefaultRestWeeks  = 2     // weeks of rest
	DefaultRestFactor = 0.25  // share of its risk a resting target counts with
	MaxWeeks          = 52
)

// Actor is an actor type and its capacity per week.
type Actor struct {
	// Capacity is the number of visits per week (for a camera: units to place).
	Capacity int
	// Minutes is the dose of one visit in minutes (for a camera: the dose a week of presence
	// counts as).
	Minutes float64
	// Categories are the indices (into each target's Risk) of the categories it acts on.
	Categories []int
	// MaxPerTarget bounds its visits at one target per week; 0: only MaxDose bounds them.
	MaxPerTarget int
}

// Target is a place or cell with its harm-weighted risk per category.
type Target struct {
	Risk []float64
}

// Params are the response and rotation settings; zero values take the defaults, except
// RestFactor, where a negative value means 0 (a resting target gets nothing).
type Params struct {
	Weeks      int
	K          float64
	MaxDose    float64
	RestAfter  int
	RestWeeks  int
	RestFactor float64
}

func (p Params) withDefaults() Params {
	if p.K == 0 {
		p.K = DefaultK
	}
	if p.MaxDose == 0 {
		p.MaxDose = DefaultMaxDose
	}
	if p.RestAfter == 0 {
		p.RestAfter = DefaultRestAfter
	}
	if p.RestWeeks == 0 {
		p.RestWeeks = DefaultRestWeeks
	}
	if p.RestFactor == 0 {
		p.RestFactor = DefaultRestFactor
	} else if p.RestFactor < 0 {
		p.RestFactor = 0
	}
	return p
}

// Problem is a planning problem: categories are indices 0..Categories-1.
type Problem struct {
	Categories int
	Actors     []Actor
	Targets    []Target
	Params     Params
}

// Item is the visits of one actor type at one target in one week.
type Item struct {
	Actor, Target int
	Visits        int
	Minutes       float64
}

// Week is the plan of one week.
type Week struct {
	Items []Item // by target, then actor
	// Reduction is the week's expected harm reduction; Risk the harm at stake (Σ m·R).
	Reduction, Risk float64
	Used            []int // visits used per actor
	Resting         []int // targets resting this week
	Full            []int // targets that got their full dose
	// Dose is the minutes per target (all actors).
	Dose []float64
	// TargetReduction is the expected reduction per target.
	TargetReduction []float64
}

// Reason says why a target was left without dose in a week.
type Reason string

// The reasons, in the order they are checked.
const (
	NoActor           Reason = "no_actor"           // no actor type acts on any category with risk there
	Resting           Reason = "resting"            // it rests after weeks at full dose
	CapacityExhausted Reason = "capacity_exhausted" // the actors that act there had no visits left for it
)

// Uncovered is a target left without dose in some weeks, or with risk in categories no actor
// acts on.
type Uncovered struct {
	Target int
	// Weeks counts the weeks without dose per reason.
	Weeks map[Reason]int
	// Categories lists the categories with risk there that no actor acts on.
	Categories []int
	// Residual is the harm at stake left after the plan, summed over the weeks.
	Residual float64
}

// Plan is the week-by-week allocation.
type Plan struct {
	Weeks []Week
	// Reduction and Risk are summed over the weeks.
	Reduction, Risk float64
	Uncovered       []Uncovered
	// MaxedOut lists the targets that reached MaxDose in some week with risk left: more dose
	// would have been wanted there, but the cap forbids it (max_dose).
	MaxedOut []int
}

// Validate checks the problem; errors name the field ("actors[1].capacity", "targets", …).
func (p *Problem) Validate() error {
	pr := p.Params
	if pr.Weeks < 1 || pr.Weeks > MaxWeeks {
		return input.Invalid("weeks", "%d is not between 1 and %d", pr.Weeks, MaxWeeks)
	}
	if p.Categories < 1 {
		return input.Invalid("categories", "no categories")
	}
	if len(p.Targets) == 0 {
		return input.Invalid("targets", "the target set is empty")
	}
	if len(p.Actors) == 0 {
		return input.Invalid("actors", "no actor types")
	}
	for k, a := range p.Actors {
		f := fmt.Sprintf("actors[%d].", k)
		if a.Capacity < 0 {
			return input.Invalid(f+"capacity", "%d is negative", a.Capacity)
		}
		if !(a.Minutes > 0) || math.IsInf(a.Minutes, 0) {
			return input.Invalid(f+"minutes", "%g is not a positive number", a.Minutes)
		}
		if a.MaxPerTarget < 0 {
			return input.Invalid(f+"max_per_target", "%d is negative", a.MaxPerTarget)
		}
		for _, c := range a.Categories {
			if c < 0 || c >= p.Categories {
				return input.Invalid(f+"categories", "category %d out of range", c)
			}
		}
	}
	for k, t := range p.Targets {
		if len(t.Risk) != p.Categories {
			return input.Invalid(fmt.Sprintf("targets[%d].risk", k), "%d values for %d categories", len(t.Risk), p.Categories)
		}
		for _, r := range t.Risk {
			if !(r >= 0) || math.IsInf(r, 0) {
				return input.Invalid(fmt.Sprintf("targets[%d].risk", k), "%g is not a finite non-negative number", r)
			}
		}
	}
	q := pr.withDefaults()
	if !(q.K > 0) || math.IsInf(q.K, 0) {
		return input.Invalid("k", "%g is not a positive number", pr.K)
	}
	if !(q.MaxDose > 0) || math.IsInf(q.MaxDose, 0) {
		return input.Invalid("max_dose", "%g is not a positive number", pr.MaxDose)
	}
	if q.RestAfter < 1 || q.RestWeeks < 0 {
		return input.Invalid("rest_after", "rest_after must be ≥ 1 and rest_weeks ≥ 0")
	}
	if q.RestFactor > 1 || math.IsNaN(q.RestFactor) {
		return input.Invalid("rest_factor", "%g is not between 0 and 1", pr.RestFactor)
	}
	return nil
}

// Solve plans every week. Errors: invalid input (*input.Error naming the request field).
func Solve(p *Problem) (*Plan, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	pr := p.Params.withDefaults()
	s := newSolver(p, pr)
	n := len(p.Targets)
	streak := make([]int, n)
	rest := make([]int, n)
	weight := make([]float64, n)
	plan := &Plan{Weeks: make([]Week, pr.Weeks)}
	zeroWeeks := make([]map[Reason]int, n)
	residual := make([]float64, n)
	maxed := make([]bool, n)
	for w := 0; w < pr.Weeks; w++ {
		for t := range weight {
			weight[t] = 1
			if rest[t] > 0 {
				weight[t] = pr.RestFactor
			}
		}
		wk := s.week(weight)
		for t := 0; t < n; t++ {
			residual[t] += weight[t]*s.riskTotal[t] - wk.TargetReduction[t]
			if wk.Dose[t] == 0 && s.riskTotal[t] > 0 {
				var why Reason
				switch {
				case !s.reachable[t]:
					why = NoActor
				case rest[t] > 0:
					why = Resting
				default:
					why = CapacityExhausted
				}
				if zeroWeeks[t] == nil {
					zeroWeeks[t] = map[Reason]int{}
				}
				zeroWeeks[t][why]++
			}
		}
		// Rotation bookkeeping, after the week is planned.
		isFull := make([]bool, n)
		for _, t := range wk.Full {
			isFull[t] = true
			maxed[t] = true
		}
		for t := 0; t < n; t++ {
			switch {
			case rest[t] > 0:
				rest[t]--
				streak[t] = 0
			case isFull[t]:
				streak[t]++
				if streak[t] >= pr.RestAfter {
					rest[t], streak[t] = pr.RestWeeks, 0
				}
			default:
				streak[t] = 0
			}
		}
		plan.Weeks[w] = wk
		plan.Reduction += wk.Reduction
		plan.Risk += wk.Risk
	}
	for t := 0; t < n; t++ {
		if zeroWeeks[t] != nil || len(s.orphan[t]) > 0 {
			plan.Uncovered = append(plan.Uncovered, Uncovered{Target: t, Weeks: zeroWeeks[t], Categories: s.orphan[t], Residual: residual[t]})
		}
		if maxed[t] {
			plan.MaxedOut = append(plan.MaxedOut, t)
		}
	}
	return plan, nil
}

// solver holds what does not change between weeks.
type solver struct {
	p  *Problem
	pr Params
	// reachable[t]: some actor with capacity acts on a category with risk at t.
	reachable []bool
	riskTotal []float64
	orphan    [][]int // per target: categories with risk that no actor acts on
	minVisit  []float64
	pairs     []pair // (actor, target) pairs with something to act on
	heap      gainHeap
}

type pair struct{ a, t int32 }

func newSolver(p *Problem, pr Params) *solver {
	n := len(p.Targets)
	s := &solver{p: p, pr: pr, reachable: make([]bool, n), riskTotal: make([]float64, n),
		orphan: make([][]int, n), minVisit: make([]float64, n)}
	acted := make([]bool, p.Categories)
	for _, ac := range p.Actors {
		for _, c := range ac.Categories {
			acted[c] = true
		}
	}
	for t, tg := range p.Targets {
		s.minVisit[t] = math.Inf(1)
		for c, r := range tg.Risk {
			s.riskTotal[t] += r
			if r > 0 && !acted[c] {
				s.orphan[t] = append(s.orphan[t], c)
			}
		}
		for a, ac := range p.Actors {
			if ac.Capacity == 0 {
				continue
			}
			for _, c := range ac.Categories {
				if tg.Risk[c] > 0 {
					s.pairs = append(s.pairs, pair{int32(a), int32(t)})
					s.reachable[t] = true
					s.minVisit[t] = min(s.minVisit[t], ac.Minutes)
					break
				}
			}
		}
	}
	return s
}

// gain is the expected reduction one more visit of a adds at t, given the doses per category
// there, with the target's weight.
func (s *solver) gain(a, t int, dose []float64, weight float64) float64 {
	ac := &s.p.Actors[a]
	risk := s.p.Targets[t].Risk
	k := s.pr.K
	g := 0.0
	for _, c := range ac.Categories {
		if r := risk[c]; r > 0 {
			d := dose[c]
			g += r * (math.Exp(-d/k) - math.Exp(-(d+ac.Minutes)/k))
		}
	}
	return weight * g
}

// week allocates one week greedily with lazy re-evaluation.
func (s *solver) week(weight []float64) Week {
	p := s.p
	nc := p.Categories
	n := len(p.Targets)
	// Per-target dose per category, allocated on demand (most targets get nothing).
	catDose := make(map[int32][]float64)
	zero := make([]float64, nc)
	doseOf := func(t int32) []float64 {
		if d, ok := catDose[t]; ok {
			return d
		}
		return zero
	}
	total := make([]float64, n)
	version := make([]int32, n)
	visits := make(map[pair]int)
	left := make([]int, len(p.Actors))
	for a, ac := range p.Actors {
		left[a] = ac.Capacity
	}
	h := s.heap[:0]
	for _, pa := range s.pairs {
		if g := s.gain(int(pa.a), int(pa.t), zero, weight[pa.t]); g > 0 {
			h = append(h, entry{gain: g, p: pa, version: 0})
		}
	}
	h.init()
	for len(h) > 0 {
		top := h[0]
		a, t := int(top.p.a), int(top.p.t)
		ac := &p.Actors[a]
		if left[a] == 0 || total[t]+ac.Minutes > s.pr.MaxDose+1e-9 ||
			(ac.MaxPerTarget > 0 && visits[top.p] >= ac.MaxPerTarget) {
			h.pop()
			continue
		}
		if top.version != version[t] {
			g := s.gain(a, t, doseOf(top.p.t), weight[t])
			if g <= 0 {
				h.pop()
				continue
			}
			h[0].gain, h[0].version = g, version[t]
			h.down(0)
			continue
		}
		// Take the visit.
		d, ok := catDose[top.p.t]
		if !ok {
			d = make([]float64, nc)
			catDose[top.p.t] = d
		}
		for _, c := range ac.Categories {
			d[c] += ac.Minutes
		}
		total[t] += ac.Minutes
		version[t]++
		visits[top.p]++
		left[a]--
		if g := s.gain(a, t, d, weight[t]); g > 0 {
			h[0].gain, h[0].version = g, version[t]
			h.down(0)
		} else {
			h.pop()
		}
	}
	s.heap = h
	return s.summarise(weight, visits, catDose, total, left)
}

func (s *solver) summarise(weight []float64, visits map[pair]int, catDose map[int32][]float64, total []float64, left []int) Week {
	p := s.p
	n := len(p.Targets)
	wk := Week{Used: make([]int, len(p.Actors)), Dose: total, TargetReduction: make([]float64, n)}
	for a := range p.Actors {
		wk.Used[a] = p.Actors[a].Capacity - left[a]
	}
	for pa, v := range visits {
		wk.Items = append(wk.Items, Item{Actor: int(pa.a), Target: int(pa.t), Visits: v, Minutes: float64(v) * p.Actors[pa.a].Minutes})
	}
	sortItems(wk.Items)
	for t := 0; t < n; t++ {
		wk.Risk += weight[t] * s.riskTotal[t]
		if weight[t] != 1 {
			wk.Resting = append(wk.Resting, t)
		}
		d, ok := catDose[int32(t)]
		if !ok {
			continue
		}
		r := 0.0
		for c, x := range d {
			if x > 0 {
				r += p.Targets[t].Risk[c] * (1 - math.Exp(-x/s.pr.K))
			}
		}
		wk.TargetReduction[t] = weight[t] * r
		wk.Reduction += wk.TargetReduction[t]
		if total[t]+s.minVisit[t] > s.pr.MaxDose+1e-9 {
			wk.Full = append(wk.Full, t)
		}
	}
	return wk
}

// Response is the expected harm reduction of dose minutes against risk R with saturation k:
// R · (1 − exp(−dose/k)).
func Response(risk, dose, k float64) float64 { return risk * (1 - math.Exp(-dose/k)) }

// Evaluate returns the expected reduction of visits[a][t] in one week with all weights 1, by
// the model's formula; tests and callers use it to check a plan.
func Evaluate(p *Problem, visits [][]int) float64 {
	pr := p.Params.withDefaults()
	total := 0.0
	for t, tg := range p.Targets {
		for c, r := range tg.Risk {
			d := 0.0
			for a, ac := range p.Actors {
				if visits[a][t] > 0 && slices.Contains(ac.Categories, c) {
					d += float64(visits[a][t]) * ac.Minutes
				}
			}
			total += Response(r, d, pr.K)
		}
	}
	return total
}
