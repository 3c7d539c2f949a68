// Package data is Lägesbild's illustrative demo dataset for Västerås municipality and its
// deterministic generator.
//
// Assumptions: everything Generate returns is ILLUSTRATIVE, not official statistics (see
// Notice): the municipality outline and the district centres are embedded reference files
// (see README.md), the rest is modelled on the figures in the project brief. All coordinates
// are SWEREF 99 TM (EPSG:3006; x = easting, y = northing, metres). The same seed always gives
// the same dataset. District polygons are not built here: the loader makes them in PostGIS as
// Voronoi cells of the district seed points clipped to the municipality outline. Values use
// the enumerations of migrations/001_foundation.sql verbatim.
package data

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"time"

	"github.com/paulmach/orb"
)

// Notice is the label every view of the demo data must carry.
const Notice = "Illustrativa demodata – inte officiell statistik / Illustrative demo data – not official statistics"

// DefaultSeed is the seed of the demo dataset the project ships and tests against.
const DefaultSeed uint64 = 1980

// MunicipalityCode is Statistics Sweden's code for Västerås, the parent of every district.
const MunicipalityCode = "1980"

// The period the generator covers.
const (
	FirstIndicatorYear   = 2015
	LastIndicatorYear    = 2024
	FirstObservationYear = 2021
	LastObservationYear  = 2024
)

// Dataset is the whole demo dataset as plain values. Every entity in it is illustrative.
type Dataset struct {
	Seed            uint64
	Notice          string
	Municipality    Municipality
	Districts       []District
	Classifications []Classification
	VulnerableAreas []VulnerableArea
	Places          []Place
	Observations    []Observation
	Indicators      []Indicator
	IndicatorValues []IndicatorValue
	Interventions   []Intervention
	// MimerBuildings is the illustrative partner layer of the housing company Mimer.
	MimerBuildings []PartnerBuilding
}

// Municipality is the top-level area; its outline is the frame the districts are clipped to.
type Municipality struct {
	Code       string // "1980"
	Name       string
	Level      string // "municipality"
	Population int    // end of 2022
	DataClass  string
	Outline    orb.Polygon // EPSG:3006, closed rings, exterior first
}

// District is a stadsdel or village. Its polygon is derived by the loader from Seed.
type District struct {
	Code       string // "1980-" + ASCII slug of Name, matches ^[A-Za-z0-9_-]{1,32}$
	Name       string
	Level      string // "district"
	ParentCode string // MunicipalityCode
	Kind       string // centre, urban or village (from the centres file)
	PartOfTown string // centrum, väst, norr, öst, syd or landsbygd
	Seed       orb.Point
	Population int
	DataClass  string
}

// Classification is one period of a district on the police list of vulnerable areas.
type Classification struct {
	DistrictCode string
	Class        string     // utsatt, risk or sarskilt_utsatt
	ValidFrom    time.Time  // a date (midnight UTC)
	ValidTo      *time.Time // exclusive end date; nil while the class is current
	Source       string
}

// PoliceListYears are the years the police published their list of vulnerable areas within
// the demo period (every other year since 2015).
var PoliceListYears = []int{2015, 2017, 2019, 2021, 2023}

// VulnerableArea is a district on one year's police list, derived from the classifications:
// the demo draws the police's boundary as the district's own outline.
type VulnerableArea struct {
	DistrictCode string
	Name         string
	Class        string
	Year         int
	Source       string
}

// vulnerableAreas lists, for every police list year, the districts classified at some time
// in that year.
func vulnerableAreas(cs []Classification, districts []District) []VulnerableArea {
	names := map[string]string{}
	for _, d := range districts {
		names[d.Code] = d.Name
	}
	var out []VulnerableArea
	for _, y := range PoliceListYears {
		for _, c := range cs {
			if c.ValidFrom.Year() <= y && (c.ValidTo == nil || c.ValidTo.After(date(y, 1, 1))) {
				out = append(out, VulnerableArea{DistrictCode: c.DistrictCode, Name: names[c.DistrictCode], Class: c.Class, Year: y,
					Source: fmt.Sprintf("Polisen, lista över utsatta områden %d (illustrativ, härledd från demodistriktet)", y)})
			}
		}
	}
	return out
}

// Place is a named public place: a point, or a small polygon for parks, squares and areas.
type Place struct {
	Name         string // unique
	Kind         string // schema list: square, park, centre, ...
	Description  string
	DistrictCode string       // the district the place was positioned in
	DataClass    string       // open, internal or restricted
	Geom         orb.Geometry // orb.Point or orb.Polygon in EPSG:3006
}

// Observation is one reported event at a point. It describes a place and a time, never a person.
type Observation struct {
	ObservedAt  time.Time // UTC
	Category    string
	Severity    int // 1..5
	Source      string
	SourceID    string // unique within Source
	Sensitivity string // open, internal or restricted
	Location    orb.Point
	// Hotspot names the place the generator centred the point on, "" for background
	// events. It is not stored in the database; tests and documentation use it.
	Hotspot string
}

// Indicator is one entry of the indicator catalogue.
type Indicator struct {
	Key         string // ^[a-z][a-z0-9_]{0,63}$
	NameSV      string
	NameEN      string
	Unit        string
	Theme       string // economy, education, housing, labour, participation, trust, safety, crime, demography, future
	Direction   string // higher_is_worse or higher_is_better
	Source      string
	Description string
}

// IndicatorValue is one district's value of one indicator in one year. A district-year
// without a value is simply absent.
type IndicatorValue struct {
	DistrictCode string
	IndicatorKey string
	Year         int
	Value        float64
	DataClass    string
}

// Intervention is a measure of the joint work, placed by a geometry, by target districts, or both.
type Intervention struct {
	Title        string
	Description  string
	Category     string
	Horizon      string // vinna_slaget, vinna_kriget or bygga_freden
	Approach     string // repressive, preventive or promotive
	LeadOrg      string
	Partners     []string
	Status       string     // planned, active, paused, completed or cancelled (as of the end of 2024)
	StartDate    *time.Time // a date; nil when unknown
	EndDate      *time.Time // a date; nil when open-ended
	HoursPerWeek *float64
	BudgetSEK    *float64
	DataClass    string
	Geom         orb.Geometry // nil when the intervention is placed only by its districts
	Districts    []string     // target district codes (may include MunicipalityCode)
}

// The streams of the seeded generator: each part draws from its own stream, so tuning one
// part of the generator leaves the others' output unchanged.
const (
	streamObservations uint64 = 1
	streamIndicators   uint64 = 2
	streamPartner      uint64 = 3
)

// Generate builds the demo dataset for seed. The same seed gives an identical dataset; the
// seed changes the observations and the indicator noise, while the reference geography,
// places, classifications and interventions are fixed. An error means the embedded
// reference files or the generator's tables are inconsistent (a bug, not bad input).
func Generate(seed uint64) (*Dataset, error) {
	ref, err := loadReference()
	if err != nil {
		return nil, err
	}
	ds := &Dataset{
		Seed:   seed,
		Notice: Notice,
		Municipality: Municipality{
			Code:       MunicipalityCode,
			Name:       "Västerås kommun",
			Level:      "municipality",
			Population: 159000, // end of 2022, as in the report
			DataClass:  "open",
			Outline:    ref.outline,
		},
	}
	districts, profiles, err := buildDistricts(ref)
	if err != nil {
		return nil, err
	}
	ds.Districts = districts
	codes := map[string]string{} // name -> code
	for _, d := range districts {
		codes[d.Name] = d.Code
	}
	ds.Classifications = []Classification{{
		DistrictCode: codes["Bäckby"],
		Class:        "utsatt",
		ValidFrom:    date(2021, 1, 1),
		Source:       "Polisen, lista över utsatta områden 2021 (illustrativ)",
	}}
	ds.VulnerableAreas = vulnerableAreas(ds.Classifications, districts)
	ds.Places, err = buildPlaces(districts, ref.outline)
	if err != nil {
		return nil, err
	}
	ds.Observations, err = generateObservations(rand.New(rand.NewPCG(seed, streamObservations)),
		ds.Places, districts, profiles, ref.outline)
	if err != nil {
		return nil, err
	}
	ds.Indicators, ds.IndicatorValues, err = generateIndicators(rand.New(rand.NewPCG(seed, streamIndicators)),
		districts, profiles)
	if err != nil {
		return nil, err
	}
	ds.Interventions, err = buildInterventions(ds.Places, codes)
	if err != nil {
		return nil, err
	}
	ds.MimerBuildings, err = buildMimerStock(rand.New(rand.NewPCG(seed, streamPartner)), districts, ref.outline)
	if err != nil {
		return nil, err
	}
	if err := check(ds); err != nil {
		return nil, err
	}
	return ds, nil
}

// check verifies the invariants the database would otherwise reject, so a broken table in
// the generator fails here with a clear message instead of halfway through a load.
func check(ds *Dataset) error {
	codePattern := regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`) // the CHECK on districts.code
	seen := map[string]bool{MunicipalityCode: true}
	for _, d := range ds.Districts {
		if !codePattern.MatchString(d.Code) {
			return fmt.Errorf("data: district code %q does not match %s", d.Code, codePattern)
		}
		if seen[d.Code] {
			return fmt.Errorf("data: duplicate district code %q", d.Code)
		}
		seen[d.Code] = true
	}
	for _, c := range ds.Classifications {
		if !seen[c.DistrictCode] {
			return fmt.Errorf("data: classification of unknown district %q", c.DistrictCode)
		}
	}
	for _, iv := range ds.Interventions {
		for _, c := range iv.Districts {
			if !seen[c] {
				return fmt.Errorf("data: intervention %q targets unknown district %q", iv.Title, c)
			}
		}
	}
	names := map[string]bool{}
	for _, p := range ds.Places {
		if names[p.Name] {
			return fmt.Errorf("data: duplicate place %q", p.Name)
		}
		names[p.Name] = true
	}
	return nil
}

// date returns the civil date y-m-d as midnight UTC.
func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// datePtr is date for the optional date fields.
func datePtr(y int, m time.Month, d int) *time.Time {
	t := date(y, m, d)
	return &t
}
