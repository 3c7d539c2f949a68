package allocate

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/lagesbild/lagesbild/geo/input"
)

// Shift is when an actor type works: the days of the week (Monday first), the local start
// and length of its shift, and how many targets one unit visits in a shift.
type Shift struct {
	Days          [7]bool
	StartMinute   int // minutes after local midnight
	LengthMinutes int
	// PerShift is the most targets one unit visits in a shift: the hot-spot evidence has a
	// patrol move between a few hotspots (2–5), returning at irregular times, rather than
	// spread over many or stay at one.
	PerShift int
	// Placement marks actor types that are placed rather than visit (mobile cameras): each
	// planned unit is one slot lasting the whole week from the first shift start.
	Placement bool
}

// Slot is one planned visit (or placement) of a unit of an actor type. Units are numbered per
// actor type, week and day (1, 2, …): a unit is a patrol or team, never a named person.
type Slot struct {
	Week, Actor, Target int
	Day                 int // 0 = Monday
	Unit                int
	Start               time.Time
	Minutes             int
}

// Schedule spreads each week's planned visits over the actor type's shift days and within
// shifts at irregular times: a target's visits go to days spread evenly from a random first
// day; each day's visits are grouped into units of at most PerShift targets and as many visits
// as fit in the shift; within a unit the visits come in random order at random times that do
// not overlap. firstMonday is local midnight of the first week's Monday (its location is the
// shifts' time zone). The same plan, shifts and seed give the same slots.
//
// Errors: shifts not one per actor, a shift without days, outside the day, or with PerShift
// outside 1–5 (*input.Error naming the field).
func Schedule(plan *Plan, actors []Actor, shifts []Shift, firstMonday time.Time, seed uint64) ([]Slot, error) {
	if len(shifts) != len(actors) {
		return nil, input.Invalid("shifts", "%d shifts for %d actor types", len(shifts), len(actors))
	}
	for a, sh := range shifts {
		f := fmt.Sprintf("actors[%d].shift", a)
		if !slices.Contains(sh.Days[:], true) {
			return nil, input.Invalid(f, "no days")
		}
		if sh.StartMinute < 0 || sh.StartMinute >= 24*60 || sh.LengthMinutes < 1 || sh.LengthMinutes > 24*60 {
			return nil, input.Invalid(f, "start %d min and length %d min are not within a day", sh.StartMinute, sh.LengthMinutes)
		}
		if !sh.Placement && (sh.PerShift < 1 || sh.PerShift > 5) {
			return nil, input.Invalid(f, "per_shift %d is not between 1 and 5", sh.PerShift)
		}
		if !sh.Placement && float64(sh.LengthMinutes) < actors[a].Minutes {
			return nil, input.Invalid(f, "a %g-minute visit does not fit a %d-minute shift", actors[a].Minutes, sh.LengthMinutes)
		}
	}
	var out []Slot
	y, m, d := firstMonday.Date()
	loc := firstMonday.Location()
	// at is offset minutes of elapsed time after the shift's local start on a day, so a shift
	// lasts its length also through a change to or from summer time.
	at := func(week, day, start, offset int) time.Time {
		return time.Date(y, m, d+7*week+day, 0, start, 0, 0, loc).Add(time.Duration(offset) * time.Minute)
	}
	for w, wk := range plan.Weeks {
		for a, sh := range shifts {
			rng := rand.New(rand.NewPCG(seed, uint64(w)<<16|uint64(a)))
			var days []int
			for k, on := range sh.Days {
				if on {
					days = append(days, k)
				}
			}
			visitMin := int(actors[a].Minutes + 0.5)
			var items []Item
			for _, it := range wk.Items {
				if it.Actor == a {
					items = append(items, it)
				}
			}
			if sh.Placement {
				for u, it := range items {
					for v := 0; v < it.Visits; v++ {
						out = append(out, Slot{Week: w, Actor: a, Target: it.Target, Day: days[0], Unit: u + 1,
							Start: at(w, days[0], sh.StartMinute, 0), Minutes: 7 * 24 * 60})
					}
				}
				continue
			}
			// Visits per day: target list with multiplicity.
			perDay := make([][]int, 7)
			for _, it := range items {
				off := rng.IntN(len(days))
				for k := 0; k < it.Visits; k++ {
					day := days[(off+k*len(days)/it.Visits)%len(days)]
					perDay[day] = append(perDay[day], it.Target)
				}
			}
			maxVisits := sh.LengthMinutes / visitMin
			for _, day := range days {
				visits := perDay[day]
				if len(visits) == 0 {
					continue
				}
				// Group by target in a random order, then fill units.
				count := map[int]int{}
				var order []int
				for _, t := range visits {
					if count[t] == 0 {
						order = append(order, t)
					}
					count[t]++
				}
				rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
				var units [][]int
				var cur []int
				curTargets := 0
				for _, t := range order {
					newTarget := true
					for n := 0; n < count[t]; n++ {
						if len(cur) == maxVisits || (newTarget && curTargets == sh.PerShift) {
							units = append(units, cur)
							cur, curTargets, newTarget = nil, 0, true
						}
						if newTarget {
							curTargets++
							newTarget = false
						}
						cur = append(cur, t)
					}
				}
				units = append(units, cur)
				for u, vs := range units {
					rng.Shuffle(len(vs), func(i, j int) { vs[i], vs[j] = vs[j], vs[i] })
					slack := sh.LengthMinutes - len(vs)*visitMin
					offs := make([]int, len(vs))
					for i := range offs {
						offs[i] = rng.IntN(slack + 1)
					}
					slices.Sort(offs)
					for i, t := range vs {
						out = append(out, Slot{Week: w, Actor: a, Target: t, Day: day, Unit: u + 1,
							Start: at(w, day, sh.StartMinute, offs[i]+i*visitMin), Minutes: visitMin})
					}
				}
			}
		}
	}
	return out, nil
}
