package allocate

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Stockholm on any host, so the test never depends on the machine
)

func TestSchedule(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	stockholm, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		t.Fatal("no time zone data:", err)
	}
	// The week of the change to summer time (Sunday 2024-03-31).
	monday := time.Date(2024, 3, 25, 0, 0, 0, 0, stockholm)
	for k := 0; k < 100; k++ {
		p := randomProblem(rng)
		plan, err := Solve(p)
		if err != nil {
			t.Fatal(err)
		}
		shifts := make([]Shift, len(p.Actors))
		for a := range shifts {
			sh := Shift{StartMinute: 60 * (8 + rng.IntN(12)), LengthMinutes: 60 * (2 + rng.IntN(7)), PerShift: 2 + rng.IntN(4)}
			for d := range sh.Days {
				sh.Days[d] = rng.IntN(2) == 0
			}
			sh.Days[rng.IntN(7)] = true
			sh.Placement = p.Actors[a].MaxPerTarget == 1 && rng.IntN(2) == 0
			shifts[a] = sh
		}
		slots, err := Schedule(plan, p.Actors, shifts, monday, 99)
		if err != nil {
			t.Fatal(err)
		}
		again, _ := Schedule(plan, p.Actors, shifts, monday, 99)
		if !reflect.DeepEqual(slots, again) {
			t.Fatalf("case %d: the same seed gave different slots", k)
		}
		// Every planned visit is a slot.
		type key struct{ w, a, t int }
		planned, got := map[key]int{}, map[key]int{}
		for w, wk := range plan.Weeks {
			for _, it := range wk.Items {
				planned[key{w, it.Actor, it.Target}] += it.Visits
			}
		}
		type unitDay struct{ w, a, day, unit int }
		byUnit := map[unitDay][]Slot{}
		for _, s := range slots {
			got[key{s.Week, s.Actor, s.Target}]++
			sh := shifts[s.Actor]
			if !sh.Days[s.Day] {
				t.Fatalf("case %d: slot on day %d, not a shift day of actor %d", k, s.Day, s.Actor)
			}
			dayStart := time.Date(2024, 3, 25+7*s.Week+s.Day, 0, 0, 0, 0, stockholm)
			from := dayStart.Add(time.Duration(sh.StartMinute) * time.Minute)
			if sh.Placement {
				if !s.Start.Equal(from) || s.Minutes != 7*24*60 {
					t.Fatalf("case %d: placement %+v", k, s)
				}
				continue
			}
			// The shift starts at its local time (time.Date normalises past midnight) and lasts
			// its length in elapsed time.
			from = time.Date(2024, 3, 25+7*s.Week+s.Day, 0, sh.StartMinute, 0, 0, stockholm)
			to := from.Add(time.Duration(sh.LengthMinutes) * time.Minute)
			if s.Start.Before(from) || s.Start.Add(time.Duration(s.Minutes)*time.Minute).After(to) {
				t.Fatalf("case %d: slot %v (+%d min) outside the shift %v–%v", k, s.Start, s.Minutes, from, to)
			}
			u := unitDay{s.Week, s.Actor, s.Day, s.Unit}
			byUnit[u] = append(byUnit[u], s)
		}
		if !reflect.DeepEqual(planned, got) {
			t.Fatalf("case %d: planned visits %v, scheduled %v", k, planned, got)
		}
		for u, ss := range byUnit {
			targets := map[int]bool{}
			slices.SortFunc(ss, func(a, b Slot) int { return a.Start.Compare(b.Start) })
			for i, s := range ss {
				targets[s.Target] = true
				if i > 0 && ss[i-1].Start.Add(time.Duration(ss[i-1].Minutes)*time.Minute).After(s.Start) {
					t.Fatalf("case %d unit %+v: visits overlap: %v and %v", k, u, ss[i-1].Start, s.Start)
				}
			}
			if len(targets) > shifts[u.a].PerShift {
				t.Fatalf("case %d unit %+v: %d targets in one shift, at most %d", k, u, len(targets), shifts[u.a].PerShift)
			}
		}
	}
}

func TestScheduleSeedChangesTimes(t *testing.T) {
	p := &Problem{Categories: 1, Actors: []Actor{{Capacity: 12, Minutes: 15, Categories: []int{0}}},
		Targets: targets([]float64{10}, []float64{8}, []float64{6}), Params: Params{Weeks: 1}}
	plan, _ := Solve(p)
	sh := []Shift{{Days: [7]bool{true, true, true, true, true, true, true}, StartMinute: 18 * 60, LengthMinutes: 240, PerShift: 3}}
	mon := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	a, _ := Schedule(plan, p.Actors, sh, mon, 1)
	b, _ := Schedule(plan, p.Actors, sh, mon, 2)
	if reflect.DeepEqual(a, b) {
		t.Error("seeds 1 and 2 gave the same times: the visits are not at irregular times")
	}
	if _, err := Schedule(plan, p.Actors, []Shift{{StartMinute: 0, LengthMinutes: 60, PerShift: 3}}, mon, 1); err == nil {
		t.Error("a shift without days was accepted")
	}
}
