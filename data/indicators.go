package data

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// illustrativeSource is appended to every indicator's source text.
const illustrativeSource = " – illustrativa demodata, inte officiell statistik"

// indicatorModel generates one indicator: for a district with vulnerability v in year y,
//
//	value = base + slope·v + (trend + trendV·v)·(y−2015) + post·v·max(0, y−2022)
//	        + shock[y]·(1+v) + districtOffset + noise·N(0,1)
//
// clamped to [lo, hi] and rounded to one decimal. post is the change per year after the joint
// work starts in 2023, largest where the work concentrates (high v). districtOffset is a fixed
// N(0, 1.5·noise) per district, so districts of equal v still differ.
type indicatorModel struct {
	Indicator
	base, slope   float64
	trend, trendV float64
	post          float64
	shock         map[int]float64
	centre        float64 // extra for the city-centre district (nightlife, commuters)
	noise         float64
	lo, hi        float64
	years         []int // nil: every year FirstIndicatorYear..LastIndicatorYear
	firstYear     int   // 0: FirstIndicatorYear
	survey        bool  // from a sample survey: suppressed in districts under surveyMinPopulation
	class         string
}

// surveyMinPopulation is the size under which survey-based values are suppressed, as a
// survey would have too few answers there.
const surveyMinPopulation = 1000

// missingShare is the share of district-years deliberately left without a value, so that
// coverage handling has gaps to show.
const missingShare = 0.02

// indicatorModels is the catalogue: Statistics Sweden's three socio-economic index inputs
// (V1–V3) and the long-term measures of participation, trust and hope for the future that the
// report's "build the peace" group proposed, plus overcrowding, unemployment and crime.
func indicatorModels() []indicatorModel {
	pct := "%"
	return []indicatorModel{
		{Indicator: Indicator{Key: "low_economic_standard", NameSV: "Låg ekonomisk standard", NameEN: "Low economic standard",
			Unit: pct, Theme: "economy", Direction: "higher_is_worse",
			Source:      "Modellerad på SCB, inkomst- och taxeringsregistret" + illustrativeSource,
			Description: "V1 i SCB:s socioekonomiska index: andel av befolkningen med disponibel inkomst per konsumtionsenhet under 60 % av medianen i riket."},
			base: 8, slope: 38, trend: 0.1, trendV: 0.2, noise: 0.6, lo: 0, hi: 100},
		{Indicator: Indicator{Key: "low_education", NameSV: "Låg utbildningsnivå", NameEN: "Low level of education",
			Unit: pct, Theme: "education", Direction: "higher_is_worse",
			Source:      "Modellerad på SCB, utbildningsregistret" + illustrativeSource,
			Description: "V2 i SCB:s socioekonomiska index: andel 20–64 år utan fullständig gymnasieutbildning."},
			base: 6, slope: 24, trend: -0.1, noise: 0.7, lo: 0, hi: 100},
		{Indicator: Indicator{Key: "long_term_assistance_unemployment", NameSV: "Långvarigt ekonomiskt bistånd eller arbetslöshet",
			NameEN: "Long-term social assistance or unemployment", Unit: pct, Theme: "labour", Direction: "higher_is_worse",
			Source:      "Modellerad på SCB och Arbetsförmedlingen" + illustrativeSource,
			Description: "V3 i SCB:s socioekonomiska index: andel 20–64 år med ekonomiskt bistånd minst 10 månader och/eller arbetslösa mer än 6 månader under året."},
			base: 2.5, slope: 17, trend: -0.05, trendV: -0.1, post: -0.4, shock: map[int]float64{2020: 0.8, 2021: 0.5}, noise: 0.6, lo: 0, hi: 100},
		{Indicator: Indicator{Key: "overcrowding", NameSV: "Trångboddhet", NameEN: "Overcrowding",
			Unit: pct, Theme: "housing", Direction: "higher_is_worse",
			Source:      "Modellerad på SCB, hushålls- och bostadsregistret (norm 2)" + illustrativeSource,
			Description: "Andel av befolkningen som bor trångt. Skalad så att kommunens befolkningsviktade medelvärde 2020 är 15,6 % som i rapporten."},
			base: 6, slope: 26, trend: 0.1, noise: 0.8, lo: 0, hi: 100},
		{Indicator: Indicator{Key: "unemployment", NameSV: "Arbetslöshet", NameEN: "Unemployment",
			Unit: pct, Theme: "labour", Direction: "higher_is_worse",
			Source:      "Modellerad på Arbetsförmedlingen" + illustrativeSource,
			Description: "Andel 20–64 år som är öppet arbetslösa eller i program med aktivitetsstöd."},
			base: 3, slope: 15, trend: -0.1, post: -0.3, shock: map[int]float64{2020: 1.5, 2021: 1.0}, noise: 0.5, lo: 0, hi: 100},
		{Indicator: Indicator{Key: "preschool_enrolment", NameSV: "Inskrivna i förskola", NameEN: "Preschool enrolment",
			Unit: pct, Theme: "participation", Direction: "higher_is_better",
			Source:      "Modellerad på kommunens barn- och utbildningsförvaltning" + illustrativeSource,
			Description: "Andel barn 1–5 år som är inskrivna i förskola."},
			base: 95, slope: -20, trend: 0.1, post: 1.5, noise: 1.0, lo: 0, hi: 100},
		{Indicator: Indicator{Key: "voter_turnout", NameSV: "Valdeltagande", NameEN: "Voter turnout",
			Unit: pct, Theme: "participation", Direction: "higher_is_better",
			Source:      "Modellerad på Valmyndigheten, val till kommunfullmäktige" + illustrativeSource,
			Description: "Andel röstberättigade som röstade i valet till kommunfullmäktige. Finns bara valår."},
			base: 88, slope: -35, trend: -0.3, noise: 1.0, lo: 0, hi: 100, years: []int{2018, 2022}},
		{Indicator: Indicator{Key: "association_members", NameSV: "Aktiva föreningsmedlemmar", NameEN: "Active association members",
			Unit: pct, Theme: "participation", Direction: "higher_is_better",
			Source:      "Modellerad på kommunens föreningsregister och enkät" + illustrativeSource,
			Description: "Andel 7–25 år som är aktiva medlemmar i en förening med kommunalt stöd."},
			base: 38, slope: -18, post: 0.8, noise: 1.5, lo: 0, hi: 100, firstYear: 2017},
		{Indicator: Indicator{Key: "parents_school_talks", NameSV: "Föräldrar på utvecklingssamtal", NameEN: "Parents attending school development talks",
			Unit: pct, Theme: "participation", Direction: "higher_is_better",
			Source:      "Modellerad på kommunens skolor" + illustrativeSource,
			Description: "Andel elever i grundskolan vars vårdnadshavare deltog i utvecklingssamtalet."},
			base: 97, slope: -15, post: 0.8, noise: 1.5, lo: 0, hi: 100, firstYear: 2019},
		{Indicator: Indicator{Key: "perceived_safety", NameSV: "Upplevd trygghet", NameEN: "Perceived safety",
			Unit: pct, Theme: "safety", Direction: "higher_is_better",
			Source:      "Modellerad på Polisens trygghetsmätning" + illustrativeSource,
			Description: "Andel som känner sig trygga när de går ut ensamma sent en kväll i sitt område."},
			base: 82, slope: -35, trend: -0.3, post: 1.0, noise: 2.0, lo: 0, hi: 100, survey: true},
		{Indicator: Indicator{Key: "propensity_to_report", NameSV: "Anmälningsbenägenhet", NameEN: "Propensity to report crime",
			Unit: pct, Theme: "trust", Direction: "higher_is_better",
			Source:      "Modellerad på Polisens trygghetsmätning" + illustrativeSource,
			Description: "Andel som säger att de skulle anmäla ett brott de utsatts för."},
			base: 80, slope: -25, post: 0.7, noise: 2.0, lo: 0, hi: 100, survey: true},
		{Indicator: Indicator{Key: "clearance_rate", NameSV: "Personuppklaring", NameEN: "Clearance rate",
			Unit: pct, Theme: "trust", Direction: "higher_is_better",
			Source:      "Modellerad på Polisens brottsstatistik" + illustrativeSource,
			Description: "Andel anmälda brott i området som klarats upp genom att en misstänkt person knutits till brottet."},
			base: 18, slope: -6, post: 0.5, noise: 1.2, lo: 0, hi: 100, class: "internal"},
		{Indicator: Indicator{Key: "voluntary_support_acceptance", NameSV: "Tackar ja till frivilligt stöd", NameEN: "Acceptance of voluntary support",
			Unit: pct, Theme: "trust", Direction: "higher_is_better",
			Source:      "Modellerad på individ- och familjeförvaltningen" + illustrativeSource,
			Description: "Andel familjer som erbjudits frivilligt stöd från socialtjänsten och tackat ja."},
			base: 75, slope: -20, post: 1.0, noise: 3.0, lo: 0, hi: 100, firstYear: 2018},
		{Indicator: Indicator{Key: "school_completion", NameSV: "Behörighet till gymnasiet", NameEN: "Eligibility for upper secondary school",
			Unit: pct, Theme: "education", Direction: "higher_is_better",
			Source:      "Modellerad på Skolverket" + illustrativeSource,
			Description: "Andel elever i årskurs 9 som är behöriga till ett yrkesprogram, efter elevernas folkbokföringsområde."},
			base: 92, slope: -30, trend: -0.2, post: 1.0, noise: 2.5, lo: 0, hi: 100},
		{Indicator: Indicator{Key: "child_poverty", NameSV: "Barnfattigdom", NameEN: "Child poverty",
			Unit: pct, Theme: "future", Direction: "higher_is_worse",
			Source:      "Modellerad på SCB, inkomst- och taxeringsregistret" + illustrativeSource,
			Description: "Andel barn 0–17 år i hushåll med låg ekonomisk standard."},
			base: 6, slope: 45, trend: 0.1, trendV: 0.2, post: -0.5, noise: 1.2, lo: 0, hi: 100},
		{Indicator: Indicator{Key: "children_working_parent", NameSV: "Barn med minst en förvärvsarbetande förälder", NameEN: "Children with at least one working parent",
			Unit: pct, Theme: "future", Direction: "higher_is_better",
			Source:      "Modellerad på SCB, registerbaserad arbetsmarknadsstatistik" + illustrativeSource,
			Description: "Andel barn 0–17 år med minst en förälder som förvärvsarbetar."},
			base: 96, slope: -30, post: 0.6, shock: map[int]float64{2020: -1.0}, noise: 1.0, lo: 0, hi: 100},
		{Indicator: Indicator{Key: "income_support_long_term", NameSV: "Långvarigt ekonomiskt bistånd", NameEN: "Long-term income support",
			Unit: "% av hushållen", Theme: "future", Direction: "higher_is_worse",
			Source:      "Modellerad på individ- och familjeförvaltningen" + illustrativeSource,
			Description: "Andel hushåll med ekonomiskt bistånd minst 10 av årets 12 månader."},
			base: 0.8, slope: 9, trend: -0.05, post: -0.3, noise: 0.4, lo: 0, hi: 100},
		{Indicator: Indicator{Key: "reported_crimes_per_1000", NameSV: "Anmälda brott per 1 000 invånare", NameEN: "Reported crimes per 1,000 inhabitants",
			Unit: "per 1 000 inv.", Theme: "crime", Direction: "higher_is_worse",
			Source:      "Modellerad på Polisens brottsstatistik" + illustrativeSource,
			Description: "Anmälda brott med brottsplats i området per 1 000 invånare."},
			base: 60, slope: 110, trend: -0.5, centre: 150, noise: 8, lo: 0, hi: 1000, class: "internal"},
	}
}

// protected district-years are never dropped: the report's overcrowding figure for 2020 and
// the latest socio-economic values that rankings start from.
func protected(key string, year int) bool {
	return (key == "overcrowding" && year == 2020) || (key == "low_economic_standard" && year == LastIndicatorYear)
}

// overcrowdingMean2020 is the report's overcrowding figure for the municipality in 2020.
const overcrowdingMean2020 = 15.6

// generateIndicators returns the catalogue and its values per district and year.
func generateIndicators(r *rand.Rand, districts []District, vuln map[string]float64) ([]Indicator, []IndicatorValue, error) {
	var cat []Indicator
	var values []IndicatorValue
	for _, m := range indicatorModels() {
		cat = append(cat, m.Indicator)
		years := m.years
		if years == nil {
			first := FirstIndicatorYear
			if m.firstYear != 0 {
				first = m.firstYear
			}
			for y := first; y <= LastIndicatorYear; y++ {
				years = append(years, y)
			}
		}
		class := m.class
		if class == "" {
			class = "open"
		}
		var vs []IndicatorValue
		for _, d := range districts {
			v := vuln[d.Code]
			offset := r.NormFloat64() * 1.5 * m.noise
			extra := 0.0
			if d.Kind == "centre" {
				extra = m.centre
			}
			for _, y := range years {
				t := float64(y - FirstIndicatorYear)
				x := m.base + m.slope*v + (m.trend+m.trendV*v)*t + m.post*v*math.Max(0, float64(y-2022)) +
					m.shock[y]*(1+v) + extra + offset + m.noise*r.NormFloat64()
				// Draw the drop decision for every district-year, kept or not, so the
				// stream (and thus every later value) does not depend on which are protected.
				drop := r.Float64() < missingShare
				if (drop && !protected(m.Key, y)) || (m.survey && d.Population < surveyMinPopulation) {
					continue
				}
				vs = append(vs, IndicatorValue{DistrictCode: d.Code, IndicatorKey: m.Key, Year: y, Value: x, DataClass: class})
			}
		}
		if m.Key == "overcrowding" {
			if err := scaleToMean(vs, districts, 2020, overcrowdingMean2020); err != nil {
				return nil, nil, err
			}
		}
		for i := range vs {
			vs[i].Value = math.Round(math.Min(m.hi, math.Max(m.lo, vs[i].Value))*10) / 10
		}
		values = append(values, vs...)
	}
	dw, dwValues := dwellings(districts, vuln)
	return append(cat, dw), append(values, dwValues...), nil
}

// dwellings is the number of dwellings per district and year: the population over a
// household size that grows with vulnerability (1.9 persons per dwelling in the least
// vulnerable districts, 2.5 in Bäckby — more crowded), with 0.6 % new dwellings a year
// around 2022. It is the denominator of partner shares (the housing company's share of all
// dwellings), not an input of the need index, and uses no random numbers, so adding it left
// every other value as it was.
func dwellings(districts []District, vuln map[string]float64) (Indicator, []IndicatorValue) {
	ind := Indicator{Key: "dwellings", NameSV: "Bostäder", NameEN: "Dwellings", Unit: "antal", Theme: "housing",
		Direction: "higher_is_better", Source: "Modellerad på SCB, bostadsbeståndet" + illustrativeSource,
		Description: "Antal bostäder (lägenheter och småhus) i området; nämnare för andelar, som bostadsbolagets andel av bostäderna."}
	var vs []IndicatorValue
	for _, d := range districts {
		perDwelling := 1.9 + 0.6*vuln[d.Code]
		for y := FirstIndicatorYear; y <= LastIndicatorYear; y++ {
			n := math.Round(float64(d.Population) / perDwelling * (1 + 0.006*float64(y-2022)))
			vs = append(vs, IndicatorValue{DistrictCode: d.Code, IndicatorKey: ind.Key, Year: y, Value: n, DataClass: "open"})
		}
	}
	return ind, vs
}

// scaleToMean multiplies all values so that the population-weighted mean of year equals
// want, keeping the districts' relative positions and trends.
func scaleToMean(vs []IndicatorValue, districts []District, year int, want float64) error {
	pop := map[string]float64{}
	for _, d := range districts {
		pop[d.Code] = float64(d.Population)
	}
	sum, weight := 0.0, 0.0
	for _, v := range vs {
		if v.Year == year {
			sum += v.Value * pop[v.DistrictCode]
			weight += pop[v.DistrictCode]
		}
	}
	if weight == 0 || sum <= 0 {
		return fmt.Errorf("data: no values to scale in %d", year)
	}
	k := want / (sum / weight)
	for i := range vs {
		vs[i].Value *= k
	}
	return nil
}
