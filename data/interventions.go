package data

import (
	"fmt"
	"time"

	"github.com/paulmach/orb"
)

// statusDate is the day the demo's statuses describe: the end of the generated period.
func statusDate() time.Time { return date(LastObservationYear, time.December, 31) }

// interventionSpec is an intervention before its place and districts are resolved.
type interventionSpec struct {
	title, description          string
	category, horizon, approach string
	lead                        string
	partners                    []string
	start, end                  *time.Time
	hours, budget               float64 // 0: unknown
	class                       string
	place                       string   // geometry from this place ("" for none)
	zone                        float64  // > 0: a square zone of this side (metres) around the place instead
	districts                   []string // district names, or MunicipalityCode for the whole municipality
}

// interventionSpecs are the measures the report names, across its three horizons: pressure
// on public places (vinna slaget), stopping recruitment of children (vinna kriget) and trust
// and social capital (bygga freden).
func interventionSpecs() []interventionSpec {
	west := []string{"Bäckby", "Råby", "Hammarby", "Skälby"}
	return []interventionSpec{
		{"Nattvandring i Bäckby", "Vuxna nattvandrar fredag och lördag kväll kring torget och gårdarna.",
			"night_walkers", "vinna_slaget", "repressive", "Civilsamhället", []string{"Mimer", "KIFF"},
			datePtr(2021, 9, 1), nil, 12, 150000, "open", "Bäckby torg", 0, []string{"Bäckby"}},
		{"Nattvandring i Råby", "Föreningsdriven nattvandring helgkvällar.",
			"night_walkers", "vinna_slaget", "repressive", "Civilsamhället", []string{"Mimer", "KIFF"},
			datePtr(2022, 3, 1), nil, 8, 100000, "open", "Råby centrum", 0, []string{"Råby"}},
		{"Kamerabevakning Bäckby torg", "Kameror över torget för att öka upptäcktsrisken.",
			"surveillance_cameras", "vinna_slaget", "repressive", "Polisen", []string{"Stadsledningskontoret", "Mimer"},
			datePtr(2023, 2, 1), nil, 0, 1200000, "internal", "Bäckby torg", 0, []string{"Bäckby"}},
		{"Kamerabevakning Vasaparken", "Kameror i parken där öppen narkotikahandel förekommer.",
			"surveillance_cameras", "vinna_slaget", "repressive", "Polisen", []string{"Stadsledningskontoret"},
			datePtr(2023, 4, 15), nil, 0, 900000, "internal", "Vasaparken", 0, nil},
		{"Ordningsvakter i Vasaparken och på Stora torget", "Ordningsvakter kvällar och helger.",
			"security_guards", "vinna_slaget", "repressive", "Stadsledningskontoret", []string{"Polisen"},
			datePtr(2022, 6, 1), nil, 40, 2400000, "internal", "Vasaparken", 0, []string{"Centrum"}},
		{"Ordningsvakter Bäckby torg", "Ordningsvakter på och kring torget kvällstid.",
			"security_guards", "vinna_slaget", "repressive", "Mimer", []string{"Polisen", "Stadsledningskontoret"},
			datePtr(2023, 3, 1), nil, 30, 1500000, "internal", "Bäckby torg", 0, []string{"Bäckby"}},
		{"Ökad polisnärvaro i västra Västerås", "Riktad närvaro och tryck mot de öppna narkotikascenerna.",
			"police_presence", "vinna_slaget", "repressive", "Polisen", []string{"Stadsledningskontoret"},
			datePtr(2022, 9, 1), nil, 60, 0, "internal", "", 0, west},
		{"Riktad polisnärvaro Bjurhovda centrum", "Svar på en ny samlingsplats för narkotikahandel under 2024.",
			"police_presence", "vinna_slaget", "repressive", "Polisen", []string{"Mimer"},
			datePtr(2024, 9, 1), nil, 20, 0, "internal", "Bjurhovda centrum", 0, []string{"Bjurhovda"}},
		{"Visitationszon Vasaparken", "Tidsbegränsad säkerhetszon med rätt att visitera.",
			"visitation_zone", "vinna_slaget", "repressive", "Polisen", nil,
			datePtr(2024, 6, 1), datePtr(2024, 6, 14), 0, 0, "internal", "Vasaparken", 600, []string{"Centrum"}},
		{"Gallring av buskage kring Bäckby torg", "Buskar som skymde narkotikahandel klipps ner.",
			"environmental_design", "vinna_slaget", "repressive", "Mimer", []string{"Polisen", "Stadsledningskontoret"},
			datePtr(2023, 4, 1), datePtr(2023, 5, 15), 0, 250000, "open", "Bäckby torg", 0, []string{"Bäckby"}},
		{"Städning av torgytor", "Tätare städning av torg och centrummiljöer i väster.",
			"cleaning", "vinna_slaget", "repressive", "Stadsledningskontoret", []string{"Mimer"},
			datePtr(2023, 1, 1), nil, 10, 400000, "internal", "", 0, []string{"Bäckby", "Råby", "Skälby"}},
		{"Ökat förskoledeltagande", "Uppsökande arbete så att fler barn i utsatta områden går i förskola.",
			"preschool_enrolment", "vinna_kriget", "preventive", "BUF", []string{"IFF", "Civilsamhället"},
			datePtr(2023, 8, 1), nil, 0, 3500000, "internal", "", 0, []string{"Bäckby", "Råby", "Hammarby"}},
		{"Fler vuxna i skolan", "Lärare, assistenter och socialsekreterare i skolorna.",
			"adults_in_school", "vinna_kriget", "preventive", "BUF", []string{"IFF"},
			datePtr(2023, 8, 15), nil, 0, 6000000, "internal", "Bäckby skolområde", 0, west},
		{"Språksatsning i förskola och skola", "Språkutvecklande arbete och läsfrämjande insatser.",
			"language", "vinna_kriget", "preventive", "BUF", []string{"KIFF", "Civilsamhället"},
			datePtr(2023, 1, 15), nil, 0, 1800000, "internal", "", 0, west},
		{"Vägar till egen försörjning", "Samordnade insatser för arbete och egen försörjning.",
			"employment", "vinna_kriget", "preventive", "IFF", []string{"Arbetsförmedlingen", "Mimer"},
			datePtr(2024, 1, 1), nil, 0, 2500000, "internal", "", 0, []string{"Bäckby", "Råby", "Hammarby", "Skälby", "Önsta-Gryta", "Skiljebo"}},
		{"Stöd till unga som vill lämna kriminalitet", "Avhopparverksamhet för unga.",
			"leaving_crime_support", "vinna_kriget", "preventive", "IFF", []string{"Polisen", "Regionen"},
			datePtr(2023, 1, 1), nil, 0, 1200000, "internal", "", 0, []string{MunicipalityCode}},
		{"Familjestöd i Bäckby", "Föräldraskapsstöd och samverkan med barn- och ungdomspsykiatrin.",
			"family_support", "vinna_kriget", "preventive", "IFF", []string{"Regionen", "BUF"},
			datePtr(2023, 9, 1), nil, 0, 900000, "internal", "", 0, []string{"Bäckby"}},
		{"Nattfotboll", "Fotboll fredagskvällar i samarbete med föreningar.",
			"meeting_place", "bygga_freden", "promotive", "KIFF", []string{"Civilsamhället", "Polisen"},
			datePtr(2022, 5, 1), nil, 4, 200000, "open", "Bäckby bollplan", 0, []string{"Bäckby"}},
		{"El Sistema i Råby", "Musik för barn efter skoltid.",
			"meeting_place", "bygga_freden", "promotive", "KIFF", []string{"BUF", "Civilsamhället"},
			datePtr(2021, 8, 15), nil, 6, 600000, "open", "Råby skolområde", 0, []string{"Råby"}},
		{"Scouting i Skiljebo", "Ny scoutkår med stöd av kommunen och bostadsbolaget.",
			"meeting_place", "bygga_freden", "promotive", "Civilsamhället", []string{"KIFF", "Mimer"},
			datePtr(2025, 2, 1), nil, 3, 80000, "open", "Skiljebo centrum", 0, []string{"Skiljebo"}},
		{"Mötesplats Skultuna", "Öppen mötesplats för unga i Skultuna.",
			"meeting_place", "bygga_freden", "promotive", "SKF", []string{"KIFF"},
			datePtr(2022, 1, 10), nil, 10, 300000, "internal", "Skultuna torg", 0, []string{"Skultuna"}},
		{"IOP med civilsamhället", "Idéburet offentligt partnerskap om trygghet och mötesplatser.",
			"civil_society_partnership", "bygga_freden", "promotive", "Stadsledningskontoret", []string{"Civilsamhället", "KIFF", "IFF"},
			datePtr(2023, 6, 1), datePtr(2026, 5, 31), 0, 2000000, "internal", "", 0,
			[]string{"Bäckby", "Råby", "Hammarby", "Skälby", "Vallby", "Pettersberg", "Önsta-Gryta"}},
	}
}

// buildInterventions resolves places and district names. The status follows from the dates
// as of statusDate, so it never contradicts them.
func buildInterventions(places []Place, codes map[string]string) ([]Intervention, error) {
	geoms := map[string]orb.Geometry{}
	for _, p := range places {
		geoms[p.Name] = p.Geom
	}
	var out []Intervention
	for _, s := range interventionSpecs() {
		iv := Intervention{
			Title: s.title, Description: s.description, Category: s.category, Horizon: s.horizon,
			Approach: s.approach, LeadOrg: s.lead, Partners: s.partners, StartDate: s.start, EndDate: s.end,
			DataClass: s.class, Status: status(s.start, s.end),
		}
		if iv.Partners == nil {
			iv.Partners = []string{}
		}
		if s.hours > 0 {
			iv.HoursPerWeek = &s.hours
		}
		if s.budget > 0 {
			iv.BudgetSEK = &s.budget
		}
		if s.place != "" {
			g, ok := geoms[s.place]
			if !ok {
				return nil, fmt.Errorf("data: intervention %q at unknown place %q", s.title, s.place)
			}
			iv.Geom = g
			if s.zone > 0 {
				iv.Geom = rect(centroid(g), s.zone, s.zone)
			}
		}
		for _, name := range s.districts {
			if name == MunicipalityCode {
				iv.Districts = append(iv.Districts, MunicipalityCode)
				continue
			}
			code, ok := codes[name]
			if !ok {
				return nil, fmt.Errorf("data: intervention %q targets unknown district %q", s.title, name)
			}
			iv.Districts = append(iv.Districts, code)
		}
		out = append(out, iv)
	}
	return out, nil
}

// status is the state on statusDate implied by the dates.
func status(start, end *time.Time) string {
	now := statusDate()
	switch {
	case start != nil && start.After(now):
		return "planned"
	case end != nil && end.Before(now):
		return "completed"
	default:
		return "active"
	}
}
