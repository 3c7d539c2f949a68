package priority

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/lagesbild/lagesbild/geo/input"
)

// Five areas, two indicators over five years: A has the highest need, C rises towards it, E
// has the lowest.
//
//	area  low economic standard (%)   voter turnout (%)   meeting places
//	      2020 … 2024                  2020 … 2024
//	A     20 22 24 27 30               50 each year         1
//	B     25 each year                 60                    5
//	C     12 14 16 18 20               55                    3
//	D     10                           80                    4
//	E      5                           85                    2
func fixture() Inputs {
	areas := []string{"A", "B", "C", "D", "E"}
	low := [][]float64{{20, 22, 24, 27, 30}, {25, 25, 25, 25, 25}, {12, 14, 16, 18, 20}, {10, 10, 10, 10, 10}, {5, 5, 5, 5, 5}}
	turnout := []float64{50, 60, 55, 80, 85}
	v := Values{Keys: []string{"low", "turnout"}, FirstYear: 2020, Data: make([][]float64, 5)}
	for y := range v.Data {
		v.Data[y] = make([]float64, len(areas)*2)
		for a := range areas {
			v.Data[y][a*2], v.Data[y][a*2+1] = low[a][y], turnout[a]
		}
	}
	return Inputs{
		Areas: areas,
		Indicators: []Indicator{
			{Key: "low", Theme: "economy", NameSV: "Låg ekonomisk standard", NameEN: "Low economic standard", Unit: "%"},
			{Key: "turnout", Theme: "participation", HigherIsBetter: true, NameSV: "Valdeltagande", NameEN: "Voter turnout", Unit: "%"},
			{Key: "empty", Theme: "trust", NameSV: "Tillit", NameEN: "Trust", Unit: "%"},
		},
		Values: v,
		Feasibility: []FeasibilityInput{
			{Key: "meeting_places", Source: SourceMeetingPlaces, Values: []float64{1, 5, 3, 4, 2}, Weight: 1},
		},
		AreaTypes: []AreaType{
			{Type: 1, MinSD: ptr(1)}, {Type: 2, MinSD: ptr(0.5), MaxSD: ptr(1)}, {Type: 3, MinSD: ptr(-0.5), MaxSD: ptr(0.5)},
			{Type: 4, MinSD: ptr(-1), MaxSD: ptr(-0.5)}, {Type: 5, MaxSD: ptr(-1)},
		},
	}
}

func ptr(x float64) *float64 { return &x }

func need(t *testing.T, in Inputs, w map[string]float64) Need {
	t.Helper()
	n, err := ResolveNeed(Weighting{Weights: w, Normalisation: "zscore", Aggregation: "arithmetic", MinCoverage: 0.6}, in.Indicators)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func options(t *testing.T, in Inputs) Options {
	return Options{Need: need(t, in, map[string]float64{"low": 1, "turnout": 1}), Year: 2024, BaseYear: 2020, TrendYears: 5,
		K: 2, NeedShare: DefaultNeedShare}
}

func TestResolveNeed(t *testing.T) {
	cat := fixture().Indicators
	for _, c := range []struct {
		name      string
		w         Weighting
		keys      []string
		weights   []float64
		wantField string
	}{
		{"equal", Weighting{Weights: map[string]float64{"low": 1, "turnout": 3}}, []string{"low", "turnout"}, []float64{1, 1}, ""},
		{"theme weight", Weighting{Weights: map[string]float64{"low": 1, "turnout": 1}, ThemeWeights: map[string]float64{"economy": 2}},
			[]string{"low", "turnout"}, []float64{2, 1}, ""},
		{"theme of weight zero", Weighting{Weights: map[string]float64{"low": 1, "turnout": 1}, ThemeWeights: map[string]float64{"economy": 0}},
			[]string{"turnout"}, []float64{1}, ""},
		{"weight zero", Weighting{Weights: map[string]float64{"low": 0, "turnout": 2}}, []string{"turnout"}, []float64{1}, ""},
		{"only zero themes", Weighting{Weights: map[string]float64{"low": 1}, ThemeWeights: map[string]float64{"economy": 0}}, nil, nil, "theme_weights"},
		{"unknown indicator", Weighting{Weights: map[string]float64{"nope": 1}}, nil, nil, "weights"},
		{"unknown theme", Weighting{Weights: map[string]float64{"low": 1}, ThemeWeights: map[string]float64{"nope": 1}}, nil, nil, "theme_weights"},
		{"negative", Weighting{Weights: map[string]float64{"low": -1}}, nil, nil, "weights"},
		{"none", Weighting{}, nil, nil, "weights"},
		{"NaN theme", Weighting{Weights: map[string]float64{"low": 1}, ThemeWeights: map[string]float64{"economy": math.NaN()}}, nil, nil, "theme_weights"},
		{"normalisation", Weighting{Weights: map[string]float64{"low": 1}, Normalisation: "median"}, nil, nil, "normalisation"},
		{"aggregation", Weighting{Weights: map[string]float64{"low": 1}, Aggregation: "harmonic"}, nil, nil, "aggregation"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.w.Normalisation == "" {
				c.w.Normalisation = "zscore"
			}
			if c.w.Aggregation == "" {
				c.w.Aggregation = "arithmetic"
			}
			got, err := ResolveNeed(c.w, cat)
			if c.wantField != "" {
				var e *input.Error
				if !errors.As(err, &e) || e.Field != c.wantField || !errors.Is(err, input.ErrInvalid) {
					t.Fatalf("got %v, want an *Error for %s", err, c.wantField)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.Keys, c.keys) || !slices.Equal(got.Weights, c.weights) {
				t.Errorf("got %v %v, want %v %v", got.Keys, got.Weights, c.keys, c.weights)
			}
		})
	}
}

func TestRecommend(t *testing.T) {
	for _, c := range []struct {
		name      string
		change    func(*Options, *Inputs)
		pilots    []string // codes, best first
		included  []bool
		wantField string
	}{
		// Need ranks A B C D E; feasibility ranks B D C E A. With need and feasibility equal,
		// B (need 0.8, feasibility 1) beats A (1, 0.2) and C (0.6, 0.6).
		{"need and feasibility", func(*Options, *Inputs) {}, []string{"B", "C"}, []bool{false, false}, ""},
		{"need alone", func(o *Options, _ *Inputs) { o.NeedShare = 1 }, []string{"A", "B"}, []bool{false, false}, ""},
		{"feasibility alone", func(o *Options, _ *Inputs) { o.NeedShare = 0 }, []string{"B", "D"}, []bool{false, false}, ""},
		{"no feasibility input", func(_ *Options, in *Inputs) {
			in.Feasibility[0].Values = []float64{math.NaN(), math.NaN(), math.NaN(), math.NaN(), math.NaN()}
		},
			[]string{"A", "B"}, []bool{false, false}, ""},
		{"included", func(o *Options, _ *Inputs) { o.Include = []string{"E"} }, []string{"B", "E"}, []bool{false, true}, ""},
		{"excluded", func(o *Options, _ *Inputs) { o.Exclude = []string{"B"} }, []string{"C", "D"}, []bool{false, false}, ""},
		{"every ranked area", func(o *Options, _ *Inputs) { o.K = 5 }, []string{"B", "C", "D", "A", "E"}, []bool{false, false, false, false, false}, ""},
		{"unknown include", func(o *Options, _ *Inputs) { o.Include = []string{"X"} }, nil, nil, "include"},
		{"unknown exclude", func(o *Options, _ *Inputs) { o.Exclude = []string{"X"} }, nil, nil, "exclude"},
		{"both", func(o *Options, _ *Inputs) { o.Include, o.Exclude = []string{"A"}, []string{"A"} }, nil, nil, "include"},
		{"more included than k", func(o *Options, _ *Inputs) { o.Include = []string{"A", "B", "C"} }, nil, nil, "include"},
		{"k above the areas left", func(o *Options, _ *Inputs) { o.K, o.Exclude = 5, []string{"A"} }, nil, nil, "k"},
		{"not ranked", func(o *Options, in *Inputs) {
			for y := range in.Values.Data {
				in.Values.Data[y][4*2] = math.NaN() // E keeps only turnout: half the weight, below 0.6
			}
			o.Include = []string{"E"}
		}, nil, nil, "include"},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := fixture()
			opt := options(t, in)
			c.change(&opt, &in)
			res, err := Analyse(in, opt)
			if c.wantField != "" {
				var e *input.Error
				if !errors.As(err, &e) || e.Field != c.wantField {
					t.Fatalf("got %v, want an *Error for %s", err, c.wantField)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			var included []bool
			for _, p := range res.Pilots {
				got, included = append(got, in.Areas[p.Area]), append(included, p.Included)
				if !res.Areas[p.Area].Pilot || res.Areas[p.Area].PilotScore != p.Score {
					t.Errorf("%s: area says pilot %v, score %v; pilot score %v", in.Areas[p.Area], res.Areas[p.Area].Pilot, res.Areas[p.Area].PilotScore, p.Score)
				}
			}
			if !slices.Equal(got, c.pilots) || !slices.Equal(included, c.included) {
				t.Errorf("pilots %v (included %v), want %v (%v)", got, included, c.pilots, c.included)
			}
		})
	}
}

func TestQuadrants(t *testing.T) {
	in := fixture()
	res, err := Analyse(in, options(t, in))
	if err != nil {
		t.Fatal(err)
	}
	// Need: A B C above or at the median (C); feasibility: B D C at or above the median (C).
	want := []string{HighNeedWeakConditions, HighNeedGoodConditions, HighNeedGoodConditions, LowerNeedGoodConditions, LowerNeedWeakConditions}
	for a, r := range res.Areas {
		if r.Quadrant != want[a] {
			t.Errorf("%s: %s, want %s", in.Areas[a], r.Quadrant, want[a])
		}
	}
}

func TestExplanations(t *testing.T) {
	for _, c := range []struct {
		name   string
		change func(*Options, *Inputs)
		area   string
		sv, en []string // parts each explanation must hold, in order
		not    []string // what the Swedish one must not hold
	}{
		{"need and conditions", func(*Options, *Inputs) {}, "B",
			[]string{"Behov: rang 2 av 5, främst drivet av ", "låg ekonomisk standard (25,0 %, ", "valdeltagande (60,0 %, ", "goda förutsättningar (1,00, rang 1) tack vare mötesplatser per invånare."},
			[]string{"Need: rank 2 of 5, driven mainly by ", "low economic standard (25.0 %, ", "% of the positive contribution)", "good conditions (1.00, rank 1) thanks to meeting places per resident."},
			[]string{"Tidig varning", "Medtagen", "känslighetsdragningarna"}},
		{"weaker conditions, included", func(o *Options, _ *Inputs) { o.Include = []string{"A"} }, "A",
			[]string{"Behov: rang 1 av 5", "svagare förutsättningar (0,00, rang 5).", "Medtagen på planerarnas begäran."},
			[]string{"Need: rank 1 of 5", "weaker conditions (0.00, rank 5).", "Included at the planners' request."}, nil},
		{"conditions unknown", func(o *Options, in *Inputs) { in.Feasibility[0].Weight = 0; o.NeedShare = 1 }, "A",
			[]string{"förutsättningar okända."}, []string{"conditions unknown."}, []string{"tack vare"}},
		{"early warning", func(o *Options, _ *Inputs) { o.NeedShare, o.K = 1, 3 }, "C",
			[]string{"Tidig varning: indexet stiger mot den mest utsatta gruppen."},
			[]string{"Early warning: the index is rising towards the most vulnerable group."}, nil},
		{"sensitivity", func(o *Options, _ *Inputs) {
			o.Sensitivity = &SensitivityOptions{Draws: 200, Seed: 1, Concentration: DefaultConcentration, SwitchMethods: true}
		}, "B",
			[]string{" i 90 % av känslighetsdragningarna; topp 2 i "}, []string{" in 90 % of the sensitivity draws; top 2 in "}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := fixture()
			opt := options(t, in)
			c.change(&opt, &in)
			res, err := Analyse(in, opt)
			if err != nil {
				t.Fatal(err)
			}
			i := slices.IndexFunc(res.Pilots, func(p Pilot) bool { return in.Areas[p.Area] == c.area })
			if i < 0 {
				t.Fatalf("%s is not a pilot", c.area)
			}
			p := res.Pilots[i]
			inOrder(t, p.ExplanationSV, c.sv)
			inOrder(t, p.ExplanationEN, c.en)
			for _, s := range c.not {
				if strings.Contains(p.ExplanationSV, s) {
					t.Errorf("%q holds %q", p.ExplanationSV, s)
				}
			}
		})
	}
}

func inOrder(t *testing.T, s string, parts []string) {
	t.Helper()
	rest := s
	for _, p := range parts {
		i := strings.Index(rest, p)
		if i < 0 {
			t.Errorf("%q: no %q in order", s, p)
			return
		}
		rest = rest[i+len(p):]
	}
}

func TestAreaTypes(t *testing.T) {
	types := fixture().AreaTypes
	for _, c := range []struct {
		z    float64
		want int
	}{{2, 1}, {1, 1}, {0.99, 2}, {0.5, 2}, {0, 3}, {-0.5, 3}, {-0.51, 4}, {-1, 4}, {-1.01, 5}, {math.NaN(), 0}} {
		if got := Classify(types, c.z); got != c.want {
			t.Errorf("Classify(%v) = %d, want %d", c.z, got, c.want)
		}
	}
	for _, c := range []struct {
		name   string
		ref    Reference
		source string
		types  []int
	}{
		// Evaluated: the z-scores of the index have mean 0 and SD 1 among the areas themselves.
		{"areas evaluated", Reference{}, "areas evaluated", nil},
		// A reference far below every area puts each in type 1.
		{"configured", Reference{Mean: ptr(-10), SD: ptr(1)}, "configured (priority_settings)", []int{1, 1, 1, 1, 1}},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := fixture()
			in.Reference = c.ref
			opt := options(t, in)
			opt.Need.Preset = "scb"
			res, err := Analyse(in, opt)
			if err != nil {
				t.Fatal(err)
			}
			if res.Reference == nil || res.Reference.Source != c.source {
				t.Fatalf("reference %+v, want source %s", res.Reference, c.source)
			}
			want := res.Reference.Mean + 0.5*res.Reference.SD
			if math.Abs(res.Threshold-want) > 1e-12 || !strings.Contains(res.ThresholdNote, "area type 2") {
				t.Errorf("threshold %v (%s), want the lower edge of type 2, %v", res.Threshold, res.ThresholdNote, want)
			}
			for a, r := range res.Areas {
				z := (r.Index - res.Reference.Mean) / res.Reference.SD
				if r.AreaType != Classify(in.AreaTypes, z) || r.AreaTypeSD != z {
					t.Errorf("%s: type %d at %v, want %d at %v", in.Areas[a], r.AreaType, r.AreaTypeSD, Classify(in.AreaTypes, z), z)
				}
				if c.types != nil && r.AreaType != c.types[a] {
					t.Errorf("%s: type %d, want %d", in.Areas[a], r.AreaType, c.types[a])
				}
			}
		})
	}
	in := fixture()
	res, err := Analyse(in, options(t, in))
	if err != nil {
		t.Fatal(err)
	}
	if res.Reference != nil || res.Areas[0].AreaType != 0 || !strings.Contains(res.ThresholdNote, "80th percentile") {
		t.Errorf("without the SCB preset: reference %v, type %d, threshold note %q", res.Reference, res.Areas[0].AreaType, res.ThresholdNote)
	}
}

// TestCaveats: what the analysis leaves out, it says.
func TestCaveats(t *testing.T) {
	for _, c := range []struct {
		name     string
		change   func(*Options, *Inputs)
		warnings []string
	}{
		{"nothing left out", func(*Options, *Inputs) {}, []string{}},
		{"indicator without values", func(o *Options, in *Inputs) {
			o.Need = need(t, *in, map[string]float64{"low": 1, "turnout": 1, "empty": 1})
		}, []string{"indicator empty has no value in 2024 and is left out"}},
		{"input unavailable", func(_ *Options, in *Inputs) {
			in.Feasibility = append(in.Feasibility, FeasibilityInput{Key: "share", Source: SourcePartnerLayer, Weight: 1, Unavailable: "not shared"})
		}, []string{"feasibility input share is unavailable: not shared"}},
		{"input without values", func(_ *Options, in *Inputs) {
			in.Feasibility = append(in.Feasibility, FeasibilityInput{Key: "assoc", Source: SourceIndicator, IndicatorKey: "empty", Weight: 1})
		}, []string{"feasibility input assoc has no values and is left out"}},
		{"no input with values", func(_ *Options, in *Inputs) { in.Feasibility = nil },
			[]string{"no feasibility input has values: pilots are chosen by need alone"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := fixture()
			in.Values.Keys = append(in.Values.Keys, "empty")
			for y, row := range in.Values.Data {
				next := make([]float64, 0, len(in.Areas)*3)
				for a := range in.Areas {
					next = append(next, row[a*2], row[a*2+1], math.NaN())
				}
				in.Values.Data[y] = next
			}
			opt := options(t, in)
			c.change(&opt, &in)
			res, err := Analyse(in, opt)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(res.Warnings, c.warnings) {
				t.Errorf("warnings %q, want %q", res.Warnings, c.warnings)
			}
			if slices.Contains(res.Need.Keys, "empty") {
				t.Errorf("need evaluated with %v", res.Need.Keys)
			}
		})
	}
	in := fixture()
	opt := options(t, in)
	opt.Year = 2030
	var e *input.Error
	if _, err := Analyse(in, opt); !errors.As(err, &e) || e.Field != "year" {
		t.Errorf("a year without values: %v, want an *Error for year", err)
	}
}

func TestCompare(t *testing.T) {
	in := fixture()
	needs := []Need{need(t, in, map[string]float64{"low": 1}), need(t, in, map[string]float64{"turnout": 1})}
	cmp, err := Compare([]string{"economy", "turnout"}, needs, in.Indicators, in.Values, len(in.Areas), 2024)
	if err != nil {
		t.Fatal(err)
	}
	// low ranks A B C D E, turnout (lower is more need) A C B D E.
	if !slices.Equal(cmp.Rankings[0], []int{1, 2, 3, 4, 5}) || !slices.Equal(cmp.Rankings[1], []int{1, 3, 2, 4, 5}) {
		t.Errorf("rankings %v", cmp.Rankings)
	}
	if cmp.Tau[0][1] != 0.8 || cmp.Consensus.Rank[0] != 1 || cmp.Spread[0].Range != 1 {
		t.Errorf("tau %v, consensus %v, spread %+v", cmp.Tau, cmp.Consensus.Rank, cmp.Spread[0])
	}
	_, warn, err := ResolveStored("s", Weighting{Weights: map[string]float64{"low": 1, "gone": 1, "alsogone": 2},
		Normalisation: "zscore", Aggregation: "arithmetic"}, in.Indicators)
	want := []string{"scenario s: indicator alsogone is not in the catalogue", "scenario s: indicator gone is not in the catalogue"}
	if err != nil || !slices.Equal(warn, want) {
		t.Errorf("ResolveStored: %q, %v; want %q", warn, err, want)
	}
	var e *input.Error
	if _, err := Compare([]string{"a", "b"}, needs, in.Indicators, in.Values, len(in.Areas), 2031); !errors.As(err, &e) || e.Field != "year" {
		t.Errorf("a year without values: %v", err)
	}
}
