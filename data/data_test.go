package data

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

func generate(t *testing.T, seed uint64) *Dataset {
	t.Helper()
	ds, err := Generate(seed)
	if err != nil {
		t.Fatalf("Generate(%d): %v", seed, err)
	}
	return ds
}

func TestGenerateIsDeterministic(t *testing.T) {
	a, b := generate(t, DefaultSeed), generate(t, DefaultSeed)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two datasets from the same seed differ")
	}
	c := generate(t, DefaultSeed+1)
	if reflect.DeepEqual(a.Observations, c.Observations) {
		t.Error("different seeds gave the same observations")
	}
	if reflect.DeepEqual(a.IndicatorValues, c.IndicatorValues) {
		t.Error("different seeds gave the same indicator values")
	}
	// The template fingerprint of the test databases hashes the JSON encoding.
	ja, err := json.Marshal(a)
	if err != nil {
		t.Fatalf("json: %v", err)
	}
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		t.Error("JSON encodings of equal datasets differ")
	}
}

func TestCounts(t *testing.T) {
	ds := generate(t, DefaultSeed)
	tests := []struct {
		name     string
		got      int
		min, max int
	}{
		{"districts", len(ds.Districts), 26, 26},
		{"classifications", len(ds.Classifications), 1, 1},
		{"places", len(ds.Places), 20, 30},
		{"observations", len(ds.Observations), 18000, 22000},
		{"indicators", len(ds.Indicators), 14, 30},
		{"interventions", len(ds.Interventions), 15, 25},
		// 26 districts × 18 indicators × up to 10 years, less gaps.
		{"indicator values", len(ds.IndicatorValues), 3000, 26 * 18 * 10},
	}
	for _, tt := range tests {
		if tt.got < tt.min || tt.got > tt.max {
			t.Errorf("%s: got %d, want %d..%d", tt.name, tt.got, tt.min, tt.max)
		}
	}
}

func TestPopulation(t *testing.T) {
	ds := generate(t, DefaultSeed)
	sum := 0
	for _, d := range ds.Districts {
		sum += d.Population
		lo, hi := 3000, 12000
		if d.Kind == "village" {
			lo, hi = 500, 2500
		}
		if d.Population < lo || d.Population > hi {
			t.Errorf("%s (%s): population %d, want %d..%d", d.Name, d.Kind, d.Population, lo, hi)
		}
	}
	if got, want := sum, ds.Municipality.Population; got != want {
		t.Errorf("sum of district populations: got %d, want %d", got, want)
	}
	if got, want := ds.Municipality.Population, 159000; got != want {
		t.Errorf("municipality population: got %d, want %d", got, want)
	}
}

// The lists below are copied from migrations/001_foundation.sql on purpose: the test fails if
// the generator drifts from the schema's CHECK constraints.
var (
	schemaPartOfTown     = []string{"centrum", "väst", "norr", "öst", "syd", "landsbygd"}
	schemaDataClass      = []string{"open", "internal", "restricted"}
	schemaPoliceClass    = []string{"utsatt", "risk", "sarskilt_utsatt"}
	schemaPlaceKind      = []string{"square", "park", "centre", "school_area", "transit_hub", "shopping_centre", "youth_centre", "sports_ground", "residential_yard"}
	schemaObsCategory    = []string{"open_drug_dealing", "drug_handling", "drug_use", "gathering_insecurity", "violence", "shooting", "vandalism", "littering", "insecurity_report", "theft", "disorder"}
	schemaObsSource      = []string{"police", "municipal_field_staff", "safety_walk", "resident_survey", "housing_company", "security_guard"}
	schemaTheme          = []string{"economy", "education", "housing", "labour", "participation", "trust", "safety", "crime", "demography", "future"}
	schemaDirection      = []string{"higher_is_worse", "higher_is_better"}
	schemaIvCategory     = []string{"night_walkers", "surveillance_cameras", "security_guards", "police_presence", "visitation_zone", "environmental_design", "cleaning", "preschool_enrolment", "adults_in_school", "language", "employment", "meeting_place", "civil_society_partnership", "leaving_crime_support", "family_support", "other"}
	schemaHorizon        = []string{"vinna_slaget", "vinna_kriget", "bygga_freden"}
	schemaApproach       = []string{"repressive", "preventive", "promotive"}
	schemaStatus         = []string{"planned", "active", "paused", "completed", "cancelled"}
	schemaDistrictLevels = []string{"municipality", "regso", "district", "deso"}
)

func TestEnumerationsMatchTheSchema(t *testing.T) {
	ds := generate(t, DefaultSeed)
	type field struct {
		what  string
		got   string
		allow []string
	}
	var fields []field
	add := func(what, got string, allow []string) { fields = append(fields, field{what, got, allow}) }
	add("municipality level", ds.Municipality.Level, schemaDistrictLevels)
	add("municipality data class", ds.Municipality.DataClass, schemaDataClass)
	for _, d := range ds.Districts {
		add(d.Code+" level", d.Level, schemaDistrictLevels)
		add(d.Code+" part of town", d.PartOfTown, schemaPartOfTown)
		add(d.Code+" data class", d.DataClass, schemaDataClass)
		add(d.Code+" kind", d.Kind, []string{"centre", "urban", "village"})
	}
	for _, c := range ds.Classifications {
		add("police class", c.Class, schemaPoliceClass)
	}
	for _, p := range ds.Places {
		add(p.Name+" kind", p.Kind, schemaPlaceKind)
		add(p.Name+" data class", p.DataClass, schemaDataClass)
	}
	for _, o := range ds.Observations {
		add(o.SourceID+" category", o.Category, schemaObsCategory)
		add(o.SourceID+" source", o.Source, schemaObsSource)
		add(o.SourceID+" sensitivity", o.Sensitivity, schemaDataClass)
	}
	for _, i := range ds.Indicators {
		add(i.Key+" theme", i.Theme, schemaTheme)
		add(i.Key+" direction", i.Direction, schemaDirection)
	}
	for _, v := range ds.IndicatorValues {
		add(v.IndicatorKey+" data class", v.DataClass, schemaDataClass)
	}
	for _, iv := range ds.Interventions {
		add(iv.Title+" category", iv.Category, schemaIvCategory)
		add(iv.Title+" horizon", iv.Horizon, schemaHorizon)
		add(iv.Title+" approach", iv.Approach, schemaApproach)
		add(iv.Title+" status", iv.Status, schemaStatus)
		add(iv.Title+" data class", iv.DataClass, schemaDataClass)
	}
	for _, f := range fields {
		if !slices.Contains(f.allow, f.got) {
			t.Errorf("%s: got %q, want one of %v", f.what, f.got, f.allow)
		}
	}
}

func TestRangesMatchTheSchema(t *testing.T) {
	ds := generate(t, DefaultSeed)
	code := regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)
	key := regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds.Districts {
		if !code.MatchString(d.Code) {
			t.Errorf("district code %q", d.Code)
		}
	}
	for _, i := range ds.Indicators {
		if !key.MatchString(i.Key) {
			t.Errorf("indicator key %q", i.Key)
		}
	}
	type src struct{ source, id string }
	ids := map[src]bool{}
	for _, o := range ds.Observations {
		if o.Severity < 1 || o.Severity > 5 {
			t.Errorf("%s: severity %d", o.SourceID, o.Severity)
		}
		if o.Category == "shooting" && o.Severity != 5 {
			t.Errorf("%s: shooting with severity %d", o.SourceID, o.Severity)
		}
		if ids[src{o.Source, o.SourceID}] {
			t.Errorf("duplicate source id %s/%s", o.Source, o.SourceID)
		}
		ids[src{o.Source, o.SourceID}] = true
		if y := o.ObservedAt.In(loc).Year(); y < FirstObservationYear || y > LastObservationYear {
			t.Errorf("%s: observed at %v", o.SourceID, o.ObservedAt)
		}
		if wantRestricted := o.Source == "police"; wantRestricted != (o.Sensitivity == "restricted") {
			t.Errorf("%s: source %s with sensitivity %s", o.SourceID, o.Source, o.Sensitivity)
		}
	}
	for _, v := range ds.IndicatorValues {
		if math.IsNaN(v.Value) || math.IsInf(v.Value, 0) || v.Value < 0 {
			t.Errorf("%s %s %d: value %v", v.DistrictCode, v.IndicatorKey, v.Year, v.Value)
		}
	}
	for _, iv := range ds.Interventions {
		if iv.StartDate != nil && iv.EndDate != nil && iv.EndDate.Before(*iv.StartDate) {
			t.Errorf("%s: ends before it starts", iv.Title)
		}
		if iv.Geom == nil && len(iv.Districts) == 0 {
			t.Errorf("%s: neither geometry nor districts", iv.Title)
		}
	}
}

func TestRequiredIndicators(t *testing.T) {
	ds := generate(t, DefaultSeed)
	byKey := map[string]Indicator{}
	for _, i := range ds.Indicators {
		byKey[i.Key] = i
	}
	tests := []struct{ key, theme, direction string }{
		{"low_economic_standard", "economy", "higher_is_worse"},
		{"low_education", "education", "higher_is_worse"},
		{"long_term_assistance_unemployment", "labour", "higher_is_worse"},
		{"overcrowding", "housing", "higher_is_worse"},
		{"unemployment", "labour", "higher_is_worse"},
		{"preschool_enrolment", "participation", "higher_is_better"},
		{"voter_turnout", "participation", "higher_is_better"},
		{"school_completion", "education", "higher_is_better"},
		{"perceived_safety", "safety", "higher_is_better"},
		{"propensity_to_report", "trust", "higher_is_better"},
		{"child_poverty", "future", "higher_is_worse"},
		{"children_working_parent", "future", "higher_is_better"},
		{"association_members", "participation", "higher_is_better"},
		{"reported_crimes_per_1000", "crime", "higher_is_worse"},
	}
	for _, tt := range tests {
		got, ok := byKey[tt.key]
		if !ok {
			t.Errorf("indicator %s missing", tt.key)
			continue
		}
		if got.Theme != tt.theme || got.Direction != tt.direction {
			t.Errorf("%s: got %s/%s, want %s/%s", tt.key, got.Theme, got.Direction, tt.theme, tt.direction)
		}
		if !regexp.MustCompile(`illustrativ`).MatchString(got.Source) {
			t.Errorf("%s: source %q is not marked illustrative", tt.key, got.Source)
		}
	}
}

// weightedMean is the population-weighted mean of key in year over the districts with a value.
func weightedMean(ds *Dataset, key string, year int) float64 {
	pop := map[string]float64{}
	for _, d := range ds.Districts {
		pop[d.Code] = float64(d.Population)
	}
	sum, w := 0.0, 0.0
	for _, v := range ds.IndicatorValues {
		if v.IndicatorKey == key && v.Year == year {
			sum += v.Value * pop[v.DistrictCode]
			w += pop[v.DistrictCode]
		}
	}
	return sum / w
}

func TestIndicatorShape(t *testing.T) {
	for _, seed := range []uint64{DefaultSeed, 1, 2, 3, 42} {
		ds := generate(t, seed)
		if got, want := weightedMean(ds, "overcrowding", 2020), 15.6; math.Abs(got-want) > 0.05 {
			t.Errorf("seed %d: overcrowding 2020 weighted mean: got %.3f, want %.1f", seed, got, want)
		}
		worst, worstValue := "", -1.0
		n := 0
		for _, v := range ds.IndicatorValues {
			if v.IndicatorKey == "low_economic_standard" && v.Year == 2024 {
				n++
				if v.Value > worstValue {
					worst, worstValue = v.DistrictCode, v.Value
				}
			}
		}
		if got, want := worst, "1980-BACKBY"; got != want {
			t.Errorf("seed %d: worst low_economic_standard 2024: got %s, want %s", seed, got, want)
		}
		if got, want := n, len(ds.Districts); got != want {
			t.Errorf("seed %d: low_economic_standard 2024 values: got %d, want %d", seed, got, want)
		}
	}
}

func TestIndicatorGaps(t *testing.T) {
	ds := generate(t, DefaultSeed)
	have := map[string]int{}
	for _, v := range ds.IndicatorValues {
		have[v.IndicatorKey]++
	}
	if got, want := have["voter_turnout"], 2*len(ds.Districts); got > want {
		t.Errorf("voter_turnout values: got %d, want at most %d (election years only)", got, want)
	}
	full := len(ds.Districts) * (LastIndicatorYear - FirstIndicatorYear + 1)
	if got := have["low_education"]; got == 0 || got > full {
		t.Errorf("low_education values: got %d, want 1..%d", got, full)
	}
	missing := 0
	for _, m := range indicatorModels() {
		if m.years == nil && m.firstYear == 0 && !m.survey {
			missing += full - have[m.Key]
		}
	}
	if missing == 0 {
		t.Error("no district-year is missing; coverage handling has nothing to show")
	}
}

func TestObservationTrends(t *testing.T) {
	ds := generate(t, DefaultSeed)
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]map[int]int{}
	for _, o := range ds.Observations {
		if count[o.Hotspot] == nil {
			count[o.Hotspot] = map[int]int{}
		}
		count[o.Hotspot][o.ObservedAt.In(loc).Year()]++ // the generator draws local instants
	}
	tests := []struct {
		what string
		got  bool
	}{
		{"Bäckby torg rises to 2022", count["Bäckby torg"][2022] > count["Bäckby torg"][2021]},
		{"Bäckby torg falls in 2023", count["Bäckby torg"][2023] < count["Bäckby torg"][2022]},
		{"Bäckby torg falls in 2024", count["Bäckby torg"][2024] < count["Bäckby torg"][2023]},
		{"Bjurhovda centrum emerges in 2024", count["Bjurhovda centrum"][2024] > 5*count["Bjurhovda centrum"][2023]},
		{"Bäckby torg is the strongest hotspot", count["Bäckby torg"][2022] > count["Vasaparken"][2022]},
	}
	for _, tt := range tests {
		if !tt.got {
			t.Errorf("%s: counts %v", tt.what, count)
		}
	}
}

func TestEverythingInsideTheMunicipality(t *testing.T) {
	ds := generate(t, DefaultSeed)
	in := func(p orb.Point) bool { return planar.PolygonContains(ds.Municipality.Outline, p) }
	for _, d := range ds.Districts {
		if !in(d.Seed) {
			t.Errorf("district seed %s outside", d.Name)
		}
	}
	for _, p := range ds.Places {
		for _, pt := range points(p.Geom) {
			if !in(pt) {
				t.Errorf("place %s: %v outside", p.Name, pt)
			}
		}
	}
	for _, iv := range ds.Interventions {
		if iv.Geom == nil {
			continue
		}
		for _, pt := range points(iv.Geom) {
			if !in(pt) {
				t.Errorf("intervention %s: %v outside", iv.Title, pt)
			}
		}
	}
	out := 0
	for _, o := range ds.Observations {
		if !in(o.Location) {
			out++
		}
	}
	if out > 0 {
		t.Errorf("%d observations outside the municipality", out)
	}
}

// points returns a point, or the vertices of a polygon.
func points(g orb.Geometry) []orb.Point {
	switch g := g.(type) {
	case orb.Point:
		return []orb.Point{g}
	case orb.Polygon:
		var out []orb.Point
		for _, r := range g {
			out = append(out, r...)
		}
		return out
	}
	return nil
}

func TestSlug(t *testing.T) {
	tests := []struct{ name, want string }{
		{"Bäckby", "BACKBY"},
		{"Önsta-Gryta", "ONSTA-GRYTA"},
		{"Öster Mälarstrand", "OSTER-MALARSTRAND"},
		{"Råby", "RABY"},
		{"Hälla", "HALLA"},
		{"  Barkarö  ", "BARKARO"},
	}
	for _, tt := range tests {
		if got := slug(tt.name); got != tt.want {
			t.Errorf("slug(%q): got %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestBackbyIsTheOnlyVulnerableArea(t *testing.T) {
	ds := generate(t, DefaultSeed)
	if got, want := len(ds.Classifications), 1; got != want {
		t.Fatalf("classifications: got %d, want %d", got, want)
	}
	c := ds.Classifications[0]
	if c.DistrictCode != "1980-BACKBY" || c.Class != "utsatt" || c.ValidTo != nil || c.ValidFrom.Year() != 2021 {
		t.Errorf("got %+v, want Bäckby utsatt from 2021, open-ended", c)
	}
	// The police lists of 2021 and 2023 name it; those of 2015–2019 do not.
	var years []int
	for _, v := range ds.VulnerableAreas {
		if v.DistrictCode != "1980-BACKBY" || v.Name != "Bäckby" || v.Class != "utsatt" || !strings.Contains(v.Source, "illustrativ") {
			t.Errorf("vulnerable area %+v, want Bäckby utsatt, marked illustrative", v)
		}
		years = append(years, v.Year)
	}
	if fmt.Sprint(years) != "[2021 2023]" {
		t.Errorf("vulnerable area years %v, want [2021 2023]", years)
	}
}
