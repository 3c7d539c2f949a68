package did_test

import (
	"errors"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/lagesbild/lagesbild/geo/did"
	"github.com/lagesbild/lagesbild/geo/input"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestPeriods(t *testing.T) {
	for _, tc := range []struct {
		name                       string
		start, first, last         string
		months, wantPre, wantPost  int
		pre, post                  int
		firstBound, split, lastEnd string // "" when no period fits
	}{
		{"whole year each side", "2023-02-01", "2021-01-01", "2024-12-31", 1, 12, 12, 12, 12, "2022-02-01", "2023-02-01", "2024-02-01"},
		{"month end clamps", "2022-03-31", "2021-01-01", "2024-12-31", 1, 3, 3, 3, 3, "2021-12-31", "2022-03-31", "2022-06-30"},
		{"quarters from a month end", "2022-03-31", "2021-01-01", "2024-12-31", 3, 3, 3, 3, 3, "2021-06-30", "2022-03-31", "2022-12-31"},
		{"data end cuts the post periods", "2024-09-01", "2021-01-01", "2024-12-31", 1, 12, 12, 12, 4, "2023-09-01", "2024-09-01", "2025-01-01"},
		{"data start cuts the pre periods", "2021-04-15", "2021-01-01", "2024-12-31", 1, 12, 2, 3, 2, "2021-01-15", "2021-04-15", "2021-06-15"},
		{"the time of day of the last observation counts as its whole day", "2024-11-30", "2021-01-01", "2024-12-30", 1, 2, 2, 2, 1, "2024-09-30", "2024-11-30", "2024-12-30"},
		{"start after the data", "2025-03-01", "2021-01-01", "2024-12-31", 1, 12, 12, 0, 0, "", "", ""},
		{"start on the day after the data", "2025-01-01", "2021-01-01", "2024-12-31", 1, 12, 12, 0, 0, "", "", ""},
		{"no whole period", "2021-01-10", "2021-01-01", "2021-01-20", 1, 12, 12, 0, 0, "", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			last := day(tc.last).Add(17 * time.Hour)
			w := did.Periods(day(tc.start).Add(9*time.Hour), day(tc.first).Add(8*time.Hour), last, tc.months, tc.wantPre, tc.wantPost)
			if w.Pre != tc.pre || w.Post != tc.post {
				t.Fatalf("%d pre and %d post periods, want %d and %d", w.Pre, w.Post, tc.pre, tc.post)
			}
			if !w.Start.Equal(day(tc.start)) {
				t.Errorf("start %v, want the start's day %s", w.Start, tc.start)
			}
			if tc.firstBound == "" {
				if len(w.Bounds) != 0 {
					t.Errorf("bounds %v, want none", w.Bounds)
				}
				return
			}
			if len(w.Bounds) != tc.pre+tc.post+1 {
				t.Fatalf("%d bounds, want %d", len(w.Bounds), tc.pre+tc.post+1)
			}
			got := []string{w.Bounds[0].Format(time.DateOnly), w.Bounds[tc.pre].Format(time.DateOnly), w.Bounds[len(w.Bounds)-1].Format(time.DateOnly)}
			if want := []string{tc.firstBound, tc.split, tc.lastEnd}; !slices.Equal(got, want) {
				t.Errorf("first bound, split, end %v; want %v", got, want)
			}
			for k := 1; k < len(w.Bounds); k++ {
				if !w.Bounds[k].After(w.Bounds[k-1]) || w.Bounds[k].After(w.End) {
					t.Errorf("bound %d at %v: out of order or after the data end %v", k, w.Bounds[k], w.End)
				}
			}
		})
	}
}

// district makes a district whose rates per 1,000 residents are rate(t), from 1,000
// residents; neighbours border it.
func district(code string, n int, rate func(t int) float64, neighbours ...string) did.District {
	pop := 1000.0
	d := did.District{Code: code, Name: "District " + code, Population: &pop, Neighbours: neighbours,
		Counts: make([]int64, n), Weights: make([]float64, n)}
	for t := range n {
		d.Weights[t] = rate(t)
		d.Counts[t] = int64(math.Round(rate(t)))
	}
	return d
}

// town is a follow-up input of 12 + 12 months: a target district T whose rate is 40 + t,
// falling by effect from the start; its neighbours N1 (rising by 3 against the comparison)
// and N2 (falling by 2); candidates A (parallel to T, 2 above), B (parallel, 10 below), C
// (far above, flat) and D (steep); S, parallel to T but reached by another camera scheme;
// and Z, without population.
func town(effect float64) did.Input {
	const pre, post = 12, 12
	n := pre + post
	step := func(base, slope, after float64) func(int) float64 {
		return func(t int) float64 {
			r := base + slope*float64(t)
			if t >= pre {
				r += after
			}
			return r
		}
	}
	target := district("T", n, step(40, 1, effect), "N1", "N2")
	in := did.Input{Pre: pre, Post: post, WantPre: pre, WantPost: post, Months: 1, Category: "kamera", StartYear: 2023,
		Target: did.Target{Name: "Cameras in T", Codes: []string{"T"}, Population: 1000, Counts: target.Counts, Weights: target.Weights}}
	zero := district("Z", n, step(30, 1, 0))
	zero.Population = nil
	in.Districts = []did.District{
		district("A", n, step(42, 1, 0)),
		district("B", n, step(30, 1, 0)),
		district("C", n, step(70, 0, 0)),
		district("D", n, step(10, 4, 0)),
		district("N1", n, step(35, 1, 3), "T"),
		district("N2", n, step(50, 1, -2), "T"),
		district("S", n, step(40, 1, 0)),
		target,
		zero,
	}
	in.Others = []did.Intervention{
		{ID: 2, Title: "Cameras in S", Category: "kamera", Districts: []string{"S"}},
		{ID: 3, Title: "Night walkers", Category: "vuxennarvaro", Districts: []string{"T", "N1"}},
	}
	return in
}

func TestFollowUpComparisonSelection(t *testing.T) {
	for _, tc := range []struct {
		name string
		k    int
		want []string
	}{
		{"k 1", 1, []string{"A"}},
		{"k 2", 2, []string{"A", "B"}},
		{"k 10 takes every candidate", 10, []string{"A", "B", "C", "D"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := did.FollowUp(town(-5), tc.k, did.Options{Seed: 1, Draws: 200})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range r.Comparison {
				got = append(got, c.ID)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("comparison %v, want %v", got, tc.want)
			}
			excluded := map[string]string{}
			for _, e := range r.Excluded {
				excluded[e.Code] = e.Reason
			}
			want := map[string]string{"T": did.ExcludedTarget, "N1": did.ExcludedNeighbour, "N2": did.ExcludedNeighbour,
				"S": did.ExcludedSameCategory, "Z": did.ExcludedNoPopulation}
			if len(excluded) != len(want) {
				t.Errorf("excluded %v, want %v", excluded, want)
			}
			for code, reason := range want {
				if excluded[code] != reason {
					t.Errorf("%s excluded for %q, want %q", code, excluded[code], reason)
				}
			}
			// Series: the target first, then every district but the target district, each in
			// its role.
			roles := map[string]string{}
			for _, s := range r.Series[1:] {
				roles[s.Code] = s.Role
			}
			if r.Series[0].Role != did.RoleTarget || r.Series[0].Name != "Cameras in T" || roles["T"] != "" ||
				roles["N1"] != did.RoleNeighbour || roles["S"] != did.RoleOther || roles[tc.want[0]] != did.RoleComparison {
				t.Errorf("target %+v, roles %v", r.Series[0], roles)
			}
			if r.Series[len(r.Series)-1].Code != "Z" || r.Series[len(r.Series)-1].Rates != nil {
				t.Errorf("Z without population: %+v, want no rates", r.Series[len(r.Series)-1])
			}
			// Only the night walkers reach T; the other camera scheme is elsewhere.
			if len(r.Concurrent) != 1 || r.Concurrent[0].ID != 3 {
				t.Errorf("concurrent %+v, want the night walkers", r.Concurrent)
			}
		})
	}
}

// With series free of noise every estimate is exact and its interval has no width.
func TestFollowUpKnownEffect(t *testing.T) {
	for _, tc := range []struct {
		name     string
		effect   float64
		n1, n2   string
		relative float64
	}{
		{"a fall of 5: displacement to N1, diffusion to N2", -5, did.SignDisplacement, did.SignDiffusion, -5 / 45.5 * 100},
		{"a rise of 4: no signs", 4, did.SignNone, did.SignNone, 4 / 45.5 * 100},
		{"no effect", 0, did.SignNone, did.SignNone, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := did.FollowUp(town(tc.effect), 2, did.Options{Seed: 1, Draws: 200})
			if err != nil {
				t.Fatal(err)
			}
			e := r.Estimate
			if e == nil {
				t.Fatal("no estimate")
			}
			near := func(got, want float64) bool { return math.Abs(got-want) < 1e-9 }
			if !near(e.Effect, tc.effect) || !near(e.Lo, tc.effect) || !near(e.Hi, tc.effect) {
				t.Errorf("effect %v [%v, %v], want exactly %v", e.Effect, e.Lo, e.Hi, tc.effect)
			}
			if e.RelativePct == nil || !near(*e.RelativePct, tc.relative) {
				t.Errorf("relative %v, want %v %%", e.RelativePct, tc.relative)
			}
			if !near(e.PreTrendGap, 0) {
				t.Errorf("pre-trend gap %v, want 0 for parallel series", e.PreTrendGap)
			}
			want := map[string]struct {
				did  float64
				sign string
			}{"N1": {3, tc.n1}, "N2": {-2, tc.n2}}
			if len(r.Neighbours) != 2 {
				t.Fatalf("neighbours %+v, want N1 and N2", r.Neighbours)
			}
			for _, nb := range r.Neighbours {
				w := want[nb.Code]
				if nb.Estimate == nil || !near(nb.Estimate.Effect, w.did) || nb.Sign != w.sign {
					t.Errorf("%s: estimate %+v, sign %s; want %v, %s", nb.Code, nb.Estimate, nb.Sign, w.did, w.sign)
				}
				if !near(nb.Change, nb.Post-nb.Pre) || nb.ChangePct == nil {
					t.Errorf("%s: change %v from %v to %v", nb.Code, nb.Change, nb.Pre, nb.Post)
				}
			}
		})
	}
}

func TestFollowUpPlacesAndIndicators(t *testing.T) {
	in := town(-5)
	code := func(s string) *string { return &s }
	in.Places = []did.Place{
		{ID: 1, Name: "Square", DistrictCode: code("N1"), Pre: 24, Post: 48}, // 2 → 4 per period
		{ID: 2, Name: "Station", DistrictCode: code("T"), Pre: 120, Post: 60},
		{ID: 3, Name: "Park", DistrictCode: code("N2"), Pre: 36, Post: 12},
		{ID: 4, Name: "School", DistrictCode: code("T"), Pre: 0, Post: 12},
		{ID: 5, Name: "Kiosk", DistrictCode: code("N2"), Pre: 1, Post: 4}, // 0.0833 → 0.3333 per period as shown
	}
	in.Indicators = []did.Indicator{
		{Key: "empty", Values: map[string]map[int]float64{}},
		{Key: "income", NameEN: "Income", Values: map[string]map[int]float64{
			"T": {2021: 10, 2022: 12, 2023: 13, 2024: 15, 2025: 16},
			"A": {2021: 20, 2022: 20, 2024: 21, 2025: 21},
			"B": {2021: 30, 2022: 30, 2024: 31},
		}},
	}
	r, err := did.FollowUp(in, 2, did.Options{Seed: 1, Draws: 200})
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, p := range r.Places {
		order = append(order, p.Name)
	}
	// The target's places first, each group by change, largest fall first.
	if want := []string{"Station", "School", "Park", "Kiosk", "Square"}; !slices.Equal(order, want) {
		t.Errorf("places %v, want %v", order, want)
	}
	if p := r.Places[4]; p.Role != did.RoleNeighbour || p.Pre != 2 || p.Post != 4 || p.Change != 2 || p.ChangePct == nil || *p.ChangePct != 100 {
		t.Errorf("Square %+v, want 2 → 4 per period, +100 %%", p)
	}
	if p := r.Places[1]; p.ChangePct != nil {
		t.Errorf("School from 0: change %v %%, want none", *p.ChangePct)
	}
	// A place's figures are those shown: the change is the difference of the rounded
	// figures, its per cent that of the rounded change (0.25 / 0.0833, not 0.25 / (1/12)).
	if p := r.Places[3]; p.Pre != 0.0833 || p.Post != 0.3333 || p.Change != 0.25 || p.ChangePct == nil || *p.ChangePct != 300.1 {
		t.Errorf("Kiosk %+v (%v %%), want 0.0833 → 0.3333, +0.25, 300.1 %%", p, p.ChangePct)
	}
	if len(r.Indicators) != 1 || r.Indicators[0].Key != "income" {
		t.Fatalf("indicators %+v, want income only", r.Indicators)
	}
	ic := r.Indicators[0]
	if !slices.Equal(ic.Years, []int{2021, 2022, 2023, 2024, 2025}) {
		t.Errorf("years %v", ic.Years)
	}
	if ic.Comparison[2] != nil || *ic.Comparison[0] != 25 || *ic.Target[4] != 16 {
		t.Errorf("target %v comparison %v", ic.Target, ic.Comparison)
	}
	// Before 2023: target 11, comparison 25; after: target 15.5, comparison (A and B in
	// 2024: 26; A alone in 2025: 21) 23.5 → (15.5 − 11) − (23.5 − 25) = 6.
	if ic.DiD == nil || math.Abs(*ic.DiD-6) > 1e-12 {
		t.Errorf("indicator DiD %v, want 6", ic.DiD)
	}
}

func TestFollowUpInvalid(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edit  func(*did.Input)
		k     int
		field string
	}{
		{"k 0", func(*did.Input) {}, 0, "k"},
		{"no periods", func(in *did.Input) { in.Pre, in.Post = 0, 0 }, 3, "pre"},
		{"no population", func(in *did.Input) { in.Target.Population = 0 }, 3, "target.population"},
		{"short target", func(in *did.Input) { in.Target.Weights = in.Target.Weights[1:] }, 3, "target.counts"},
		{"short district", func(in *did.Input) { in.Districts[2].Counts = nil }, 3, "districts"},
		{"NaN", func(in *did.Input) { in.Districts[0].Weights[3] = math.NaN() }, 3, "candidates"},
	} {
		in := town(-5)
		tc.edit(&in)
		_, err := did.FollowUp(in, tc.k, did.Options{})
		if f, _ := input.FieldOf(err); f != tc.field || !errors.Is(err, input.ErrInvalid) {
			t.Errorf("%s: error %v, want an invalid input of %s", tc.name, err, tc.field)
		}
	}
}

func TestCaveats(t *testing.T) {
	buffered := town(-5)
	buffered.Target.BufferM = 300
	short := town(-5)
	short.WantPre, short.WantPost = 24, 24
	onePre := town(-5)
	onePre.Pre, onePre.WantPre = 1, 1
	names := func(cs []did.Caveat) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Code)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		in   did.Input
		r    did.Result
		want []did.Caveat
	}{
		{"nothing to say", town(-5), did.Result{Series: []did.Series{{Counts: repeat(12, 24)}}, Estimate: &did.Effect{}}, nil},
		{"too few periods", onePre, did.Result{Series: []did.Series{{Counts: repeat(12, 13)}}}, []did.Caveat{{Code: "no_estimate",
			SV: "Ingen skattning: det finns 1 perioder före och 12 efter starten; minst två av varje behövs.",
			EN: "No estimate: there are 1 periods before and 12 after the start; at least two of each are needed."}}},
		{"no comparison", town(-5), did.Result{Series: []did.Series{{Counts: repeat(12, 24)}}}, []did.Caveat{{Code: "no_estimate",
			SV: "Ingen skattning: det finns inga jämförelseområden (alla områden är mål, grannar eller har en liknande insats samtidigt).",
			EN: "No estimate: there are no comparison districts (every district is a target, a neighbour or has a similar intervention at the same time)."}}},
		{"small numbers", town(-5), did.Result{Series: []did.Series{{Counts: append(repeat(12, 12), repeat(9, 12)...)}}, Estimate: &did.Effect{}},
			[]did.Caveat{{Code: "small_counts",
				SV: "Små tal: 144 observationer före och 108 efter i målområdet (färre än 10 per period). Slumpen kan förklara skillnaden.",
				EN: "Small numbers: 144 observations before and 108 after in the target area (fewer than 10 per period). Chance may explain the difference."}}},
		{"concurrent, displacement, diffusion", town(-5), did.Result{Series: []did.Series{{Counts: repeat(12, 24)}}, Estimate: &did.Effect{},
			Concurrent: []did.Intervention{{Title: "Väktare"}, {Title: "Klippta häckar"}},
			Neighbours: []did.Neighbour{{Name: "Råby", Sign: did.SignDisplacement}, {Name: "Hamre", Sign: did.SignDiffusion}, {Name: "Pettersberg", Sign: did.SignNone}}},
			[]did.Caveat{
				{Code: "concurrent",
					SV: "2 andra insatser pågick i målområdet under perioden (Väktare; Klippta häckar). Skattningen visar deras samlade effekt, inte bara denna insats.",
					EN: "2 other interventions ran in the target area during the period (Väktare; Klippta häckar). The estimate shows their joint effect, not this intervention alone."},
				{Code: "displacement",
					SV: "Tecken på förflyttning: observationerna ökade jämfört med jämförelseområdena i grannområdena Råby.",
					EN: "Signs of displacement: observations rose against the comparison districts in the neighbouring districts Råby."},
				{Code: "diffusion_of_benefit",
					SV: "Spridning av nytta: observationerna minskade även i grannområdena Hamre.",
					EN: "Diffusion of benefit: observations fell in the neighbouring districts Hamre too."},
			}},
		{"a buffer", buffered, did.Result{Series: []did.Series{{Counts: repeat(12, 24)}}, Estimate: &did.Effect{}},
			[]did.Caveat{{Code: "buffer_area",
				SV: "Målområdet är insatsens geometri med 300 m buffert; befolkningen är uppskattad efter yta.",
				EN: "The target area is the intervention's geometry buffered by 300 m; its population is estimated by area."}}},
		{"fewer periods than asked for", short, did.Result{Series: []did.Series{{Counts: repeat(12, 24)}}, Estimate: &did.Effect{}},
			[]did.Caveat{
				{Code: "short_post",
					SV: "Kort uppföljningstid: 12 månader efter starten. Effekter av förebyggande insatser syns ofta först efter år.",
					EN: "Short follow-up: 12 months after the start. Effects of preventive work often show only after years."},
				{Code: "short_pre",
					SV: "Kort förperiod: bara 12 av 24 begärda perioder före starten finns i data.",
					EN: "Short pre-period: only 12 of the 24 periods asked for before the start are in the data."},
			}},
		{"rising places", town(-5), did.Result{Series: []did.Series{{Counts: repeat(12, 24)}}, Estimate: &did.Effect{},
			Places: []did.PlaceChange{
				{Place: did.Place{Name: "Torget"}, Role: did.RoleNeighbour, Post: 3, ChangePct: new(50.0)},
				{Place: did.Place{Name: "Skolan"}, Role: did.RoleNeighbour, Post: 3, ChangePct: new(49.9)},
				{Place: did.Place{Name: "Kiosken"}, Role: did.RoleNeighbour, Post: 1.5, ChangePct: new(200.0)},
				{Place: did.Place{Name: "Stationen"}, Role: did.RoleTarget, Post: 9, ChangePct: new(80.0)},
				{Place: did.Place{Name: "Parken"}, Role: did.RoleNeighbour, Post: 2},
			}},
			[]did.Caveat{{Code: "neighbouring_places",
				SV: "Platser i grannområdena där observationerna ökat med minst hälften: Torget.",
				EN: "Places in neighbouring districts where observations rose by half or more: Torget."}}},
		{"a pre-trend of more than half the effect", town(-5), did.Result{Series: []did.Series{{Counts: repeat(12, 24)}},
			Estimate: &did.Effect{Estimate: did.Estimate{Effect: -4}, PreTrendGap: 0.2}}, // drift 2.4 > 2
			[]did.Caveat{{Code: "pre_trend",
				SV: "Målområdet och jämförelseområdena följdes inte helt åt före starten; skattningen förutsätter att de hade gjort det efteråt utan insatsen.",
				EN: "The target and the comparison districts did not move fully in step before the start; the estimate assumes they would have afterwards without the intervention."}}},
		{"a pre-trend of less than half the effect", town(-5), did.Result{Series: []did.Series{{Counts: repeat(12, 24)}},
			Estimate: &did.Effect{Estimate: did.Estimate{Effect: -5}, PreTrendGap: 0.2}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := did.Caveats(tc.in, &tc.r)
			if len(got) != len(tc.want) {
				t.Fatalf("caveats %v, want %v", names(got), names(tc.want))
			}
			for k, w := range tc.want {
				if got[k] != w {
					t.Errorf("caveat %d:\n got %+v\nwant %+v", k, got[k], w)
				}
			}
		})
	}
	// Short follow-ups count months: 2 quarters are 6 months, enough; 5 months are not.
	for _, tc := range []struct {
		post, months int
		short        bool
	}{{2, 3, false}, {5, 1, true}, {6, 1, false}} {
		in := town(-5)
		in.Post, in.WantPost, in.Months = tc.post, tc.post, tc.months
		got := did.Caveats(in, &did.Result{Series: []did.Series{{Counts: repeat(12, in.Pre+tc.post)}}, Estimate: &did.Effect{}})
		if short := slices.Contains(names(got), "short_post"); short != tc.short {
			t.Errorf("%d periods of %d months: short_post %v, want %v", tc.post, tc.months, short, tc.short)
		}
	}
}

func repeat(c int64, n int) []int64 {
	out := make([]int64, n)
	for k := range out {
		out[k] = c
	}
	return out
}
