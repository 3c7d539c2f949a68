package data

import (
	"fmt"
	"math/rand/v2"
	"time"
	_ "time/tzdata" // observation times are drawn in Swedish local time on any host

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// profile names a mix of observation categories typical of a kind of place.
type profile int

const (
	drugScene  profile = iota // open dealing and gatherings: the report's squares and centres
	transit                   // station: theft, disorder
	nightlife                 // central square: disorder and violence at night
	shopping                  // retail areas: theft
	background                // the low everyday level anywhere people live
)

// yearLevel is the expected number of observations at a hotspot in one year, with a linear
// ramp of the intensity over the year (from rampStart on 1 January to rampEnd on 31 December;
// 1, 1 is flat). A ramp shows an intervention biting, or a hotspot emerging, within a year.
type yearLevel struct {
	count              int
	rampStart, rampEnd float64
}

// hotspot is a place where observations concentrate.
type hotspot struct {
	place   string
	profile profile
	sigma   float64 // metres, standard deviation of the Gaussian scatter in x and y
	years   [LastObservationYear - FirstObservationYear + 1]yearLevel
}

func flat(n int) yearLevel { return yearLevel{n, 1, 1} }

// hotspots follow the report: strongest at Bäckby torg and Vasaparken (open drug dealing);
// the west (Råby, Hammarby, Skälby); partly the north and east. Bäckby torg rises to 2022 and
// falls once cameras, hedge trimming and guards start in 2023; Vasaparken falls after its
// cameras (2023) and visitation zone (2024); Bjurhovda centrum emerges during 2024.
func hotspots() []hotspot {
	return []hotspot{
		{"Bäckby torg", drugScene, 110, [4]yearLevel{flat(900), flat(1150), {750, 1.4, 0.6}, flat(520)}},
		{"Vasaparken", drugScene, 90, [4]yearLevel{flat(700), flat(800), {700, 1.2, 0.8}, {480, 1.1, 0.9}}},
		{"Råby centrum", drugScene, 150, [4]yearLevel{flat(350), flat(420), flat(450), flat(430)}},
		{"Hammarby centrum", drugScene, 150, [4]yearLevel{flat(300), flat(330), flat(360), flat(340)}},
		{"Skälby torg", drugScene, 160, [4]yearLevel{flat(220), flat(250), flat(260), flat(240)}},
		{"Önsta-Gryta centrum", drugScene, 180, [4]yearLevel{flat(180), flat(200), flat(210), flat(220)}},
		{"Skiljebo centrum", drugScene, 180, [4]yearLevel{flat(200), flat(210), flat(230), flat(260)}},
		{"Bjurhovda centrum", drugScene, 150, [4]yearLevel{flat(30), flat(35), flat(50), {500, 0.2, 1.8}}},
		{"Vallby centrum", drugScene, 200, [4]yearLevel{flat(150), flat(160), flat(170), flat(160)}},
		{"Pettersbergs torg", drugScene, 150, [4]yearLevel{flat(120), flat(130), flat(140), flat(130)}},
		{"Västerås resecentrum", transit, 120, [4]yearLevel{flat(350), flat(380), flat(400), flat(410)}},
		{"Stora torget", nightlife, 100, [4]yearLevel{flat(250), flat(270), flat(280), flat(290)}},
		{"Erikslunds köpcentrum", shopping, 200, [4]yearLevel{flat(120), flat(130), flat(130), flat(140)}},
		{"Hälla köpcentrum", shopping, 200, [4]yearLevel{flat(80), flat(80), flat(90), flat(100)}},
	}
}

// Background level: per 1,000 inhabitants and year, scaled by (0.3 + vulnerability), spread
// widely around the district seed. Villages get a lower rate (fewer reporting channels).
const (
	backgroundPer1000 = 6.0
	villageFactor     = 0.4
	backgroundSigma   = 450.0
	backgroundGrowth  = 0.04 // relative increase per year
)

type weighted[T any] struct {
	v T
	w float64
}

// pick draws one value from a weighted list.
func pick[T any](r *rand.Rand, items []weighted[T]) T {
	total := 0.0
	for _, it := range items {
		total += it.w
	}
	u := r.Float64() * total
	for _, it := range items {
		if u < it.w {
			return it.v
		}
		u -= it.w
	}
	return items[len(items)-1].v
}

// categoryMix is the share of each category at a kind of place. Drug handling, open dealing
// and insecure gatherings dominate the drug scenes; shootings are rare everywhere.
func categoryMix(p profile) []weighted[string] {
	switch p {
	case drugScene:
		return []weighted[string]{{"open_drug_dealing", .22}, {"drug_handling", .24}, {"gathering_insecurity", .20},
			{"drug_use", .08}, {"insecurity_report", .07}, {"violence", .05}, {"vandalism", .05}, {"littering", .04},
			{"disorder", .03}, {"theft", .015}, {"shooting", .004}}
	case transit:
		return []weighted[string]{{"theft", .22}, {"disorder", .20}, {"gathering_insecurity", .15}, {"drug_handling", .10},
			{"drug_use", .10}, {"violence", .07}, {"vandalism", .06}, {"insecurity_report", .06}, {"littering", .03},
			{"open_drug_dealing", .01}}
	case nightlife:
		return []weighted[string]{{"disorder", .25}, {"violence", .15}, {"gathering_insecurity", .15}, {"theft", .12},
			{"vandalism", .10}, {"littering", .10}, {"drug_use", .08}, {"insecurity_report", .05}}
	case shopping:
		return []weighted[string]{{"theft", .40}, {"disorder", .15}, {"gathering_insecurity", .15}, {"vandalism", .10},
			{"drug_handling", .08}, {"littering", .07}, {"insecurity_report", .05}}
	default:
		return []weighted[string]{{"vandalism", .20}, {"littering", .20}, {"insecurity_report", .15}, {"theft", .15},
			{"disorder", .10}, {"gathering_insecurity", .08}, {"drug_handling", .06}, {"drug_use", .04},
			{"violence", .02}, {"shooting", .001}}
	}
}

// sourceMix is who reports a category. Shootings and violence come mostly from the police;
// litter and vandalism from field staff and the housing company; insecurity from surveys and
// safety walks.
func sourceMix(category string) []weighted[string] {
	switch category {
	case "shooting":
		return []weighted[string]{{"police", 1}}
	case "violence":
		return []weighted[string]{{"police", .75}, {"security_guard", .20}, {"municipal_field_staff", .05}}
	case "open_drug_dealing":
		return []weighted[string]{{"police", .45}, {"municipal_field_staff", .20}, {"security_guard", .15},
			{"housing_company", .10}, {"safety_walk", .05}, {"resident_survey", .05}}
	case "drug_handling":
		return []weighted[string]{{"police", .50}, {"security_guard", .15}, {"municipal_field_staff", .15},
			{"housing_company", .15}, {"safety_walk", .05}}
	case "drug_use":
		return []weighted[string]{{"police", .30}, {"municipal_field_staff", .30}, {"security_guard", .20}, {"housing_company", .20}}
	case "gathering_insecurity":
		return []weighted[string]{{"municipal_field_staff", .30}, {"security_guard", .20}, {"police", .20},
			{"resident_survey", .10}, {"safety_walk", .10}, {"housing_company", .10}}
	case "vandalism":
		return []weighted[string]{{"housing_company", .40}, {"municipal_field_staff", .35}, {"safety_walk", .10},
			{"police", .10}, {"security_guard", .05}}
	case "littering":
		return []weighted[string]{{"municipal_field_staff", .50}, {"housing_company", .30}, {"safety_walk", .20}}
	case "insecurity_report":
		return []weighted[string]{{"resident_survey", .50}, {"safety_walk", .30}, {"municipal_field_staff", .20}}
	case "theft":
		return []weighted[string]{{"police", .70}, {"security_guard", .30}}
	default: // disorder
		return []weighted[string]{{"police", .35}, {"security_guard", .35}, {"municipal_field_staff", .20}, {"housing_company", .10}}
	}
}

// severity grades a category: shooting 5, violence 4–5, open dealing 3–4, and down to
// littering 1.
func severity(r *rand.Rand, category string) int {
	switch category {
	case "shooting":
		return 5
	case "violence":
		return 4 + b(r, .3)
	case "open_drug_dealing":
		return 3 + b(r, .5)
	case "drug_handling":
		return 3
	case "drug_use", "gathering_insecurity", "theft":
		return 2 + b(r, .4)
	case "insecurity_report":
		return 1 + r.IntN(3)
	case "vandalism":
		return 2 - b(r, .2)
	case "disorder":
		return 1 + b(r, .5)
	default: // littering
		return 1
	}
}

// b is a Bernoulli draw: 1 with probability p.
func b(r *rand.Rand, p float64) int {
	if r.Float64() < p {
		return 1
	}
	return 0
}

// sensitivity follows need to know: police-sourced events are restricted; some resident
// survey answers are published openly; everything else is internal.
func sensitivity(r *rand.Rand, source string) string {
	switch {
	case source == "police":
		return "restricted"
	case source == "resident_survey" && r.Float64() < .5:
		return "open"
	default:
		return "internal"
	}
}

// Temporal weights: more in summer, on Friday and Saturday, and in the evening.
func monthWeight(m time.Month) float64 {
	return [...]float64{.70, .70, .80, .95, 1.10, 1.25, 1.20, 1.30, 1.10, .95, .80, .75}[m-1]
}

func weekdayWeight(d time.Weekday) float64 {
	return [...]float64{1.00, .85, .85, .90, 1.00, 1.30, 1.40}[d] // Sunday first
}

func hourWeights() []weighted[int] {
	w := [24]float64{.90, .70, .50, .30, .15, .10, .15, .25, .30, .35, .40, .50,
		.55, .60, .70, .85, 1.00, 1.15, 1.30, 1.45, 1.55, 1.50, 1.35, 1.15}
	out := make([]weighted[int], 24)
	for h, v := range w {
		out[h] = weighted[int]{h, v}
	}
	return out
}

// drawTime draws an instant in year y in Swedish local time, weighted by season, weekday,
// hour and the year's ramp, and returns it in UTC.
func drawTime(r *rand.Rand, loc *time.Location, y int, lvl yearLevel, hours []weighted[int]) time.Time {
	start := date(y, time.January, 1)
	days := date(y+1, time.January, 1).Sub(start).Hours() / 24
	maxW := 1.30 * 1.40 * max(lvl.rampStart, lvl.rampEnd)
	for {
		day := r.IntN(int(days))
		d := start.AddDate(0, 0, day)
		frac := float64(day) / (days - 1)
		w := monthWeight(d.Month()) * weekdayWeight(d.Weekday()) * (lvl.rampStart + (lvl.rampEnd-lvl.rampStart)*frac)
		if r.Float64()*maxW < w {
			h := pick(r, hours)
			return time.Date(y, d.Month(), d.Day(), h, r.IntN(60), r.IntN(60), 0, loc).UTC()
		}
	}
}

// scatter draws a point around c with Gaussian spread sigma, redrawing points that fall
// outside the municipality (the outline follows the lake shore south of the city).
func scatter(r *rand.Rand, c orb.Point, sigma float64, outline orb.Polygon) orb.Point {
	for range 50 {
		p := orb.Point{cm(c[0] + r.NormFloat64()*sigma), cm(c[1] + r.NormFloat64()*sigma)}
		if planar.PolygonContains(outline, p) {
			return p
		}
	}
	return c // centres are inside the outline (checked for places and districts)
}

// obsSource is where observations are generated from: a hotspot or a district's background.
type obsSource struct {
	name    string // hotspot place name, "" for background
	centre  orb.Point
	sigma   float64
	profile profile
	years   [LastObservationYear - FirstObservationYear + 1]yearLevel
}

// generateObservations draws the observations of 2021–2024, sorted by source in a fixed
// order and within a source by year, so that the output depends only on r's seed.
func generateObservations(r *rand.Rand, places []Place, districts []District, vuln map[string]float64,
	outline orb.Polygon) ([]Observation, error) {
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	byName := map[string]Place{}
	for _, p := range places {
		byName[p.Name] = p
	}
	var sources []obsSource
	for _, h := range hotspots() {
		p, ok := byName[h.place]
		if !ok {
			return nil, fmt.Errorf("data: hotspot at unknown place %q", h.place)
		}
		sources = append(sources, obsSource{h.place, centroid(p.Geom), h.sigma, h.profile, h.years})
	}
	for _, d := range districts {
		if !planar.PolygonContains(outline, d.Seed) {
			return nil, fmt.Errorf("data: district seed %q lies outside the municipality", d.Name)
		}
		rate := backgroundPer1000 * float64(d.Population) / 1000 * (0.3 + vuln[d.Code])
		if d.Kind == "village" {
			rate *= villageFactor
		}
		s := obsSource{centre: d.Seed, sigma: backgroundSigma, profile: background}
		for i := range s.years {
			s.years[i] = flat(int(rate*(1+backgroundGrowth*float64(i)) + .5))
		}
		sources = append(sources, s)
	}

	hours := hourWeights()
	var out []Observation
	for _, s := range sources {
		cats := categoryMix(s.profile)
		for i, lvl := range s.years {
			y := FirstObservationYear + i
			for range lvl.count {
				cat := pick(r, cats)
				src := pick(r, sourceMix(cat))
				out = append(out, Observation{
					ObservedAt:  drawTime(r, loc, y, lvl, hours),
					Category:    cat,
					Severity:    severity(r, cat),
					Source:      src,
					SourceID:    fmt.Sprintf("demo-%06d", len(out)+1),
					Sensitivity: sensitivity(r, src),
					Location:    scatter(r, s.centre, s.sigma, outline),
					Hotspot:     s.name,
				})
			}
		}
	}
	return out, nil
}
