package data

import (
	"fmt"
	"strings"
)

// districtProfile is the generator's fixed idea of a district: its population (end of 2022,
// rounded to hundreds) and a vulnerability score in [0, 1] that drives its indicators and its
// background of observations. Bäckby is 1; the west is high; the north and east are mixed;
// the lakeside south and the villages are low.
type districtProfile struct {
	population    int
	vulnerability float64
}

// districtProfiles is keyed by the name in the centres file. The populations sum to
// 159,000, the municipality's population at the end of 2022; the districts are coarse
// aggregates, so the Voronoi cells cover the whole municipality.
func districtProfiles() map[string]districtProfile {
	return map[string]districtProfile{
		"Centrum":           {12000, 0.35},
		"Kristiansborg":     {6500, 0.15},
		"Vetterstorp":       {5500, 0.45},
		"Viksäng":           {8500, 0.40},
		"Hammarby":          {8500, 0.70},
		"Råby":              {7500, 0.80},
		"Bäckby":            {8000, 1.00},
		"Skälby":            {7000, 0.65},
		"Erikslund":         {4500, 0.30},
		"Vallby":            {9000, 0.55},
		"Pettersberg":       {7500, 0.50},
		"Oxbacken":          {6000, 0.30},
		"Malmaberg":         {5500, 0.20},
		"Önsta-Gryta":       {10500, 0.60},
		"Hemdal":            {6000, 0.35},
		"Skiljebo":          {8500, 0.60},
		"Bjurhovda":         {7500, 0.55},
		"Haga":              {5000, 0.25},
		"Hälla":             {3500, 0.30},
		"Öster Mälarstrand": {9000, 0.05},
		"Lillåudden":        {5000, 0.10},
		"Skultuna":          {2500, 0.25},
		"Tillberga":         {2100, 0.20},
		"Dingtuna":          {1200, 0.15},
		"Irsta":             {900, 0.15},
		"Barkarö":           {1300, 0.10},
	}
}

// buildDistricts makes one district per row of the centres file and returns the
// vulnerability score per district code alongside.
func buildDistricts(ref reference) ([]District, map[string]float64, error) {
	profiles := districtProfiles()
	if len(profiles) != len(ref.centres) {
		return nil, nil, fmt.Errorf("data: %d district profiles for %d centres", len(profiles), len(ref.centres))
	}
	var out []District
	vuln := map[string]float64{}
	for _, c := range ref.centres {
		p, ok := profiles[c.name]
		if !ok {
			return nil, nil, fmt.Errorf("data: no profile for district %q", c.name)
		}
		code := MunicipalityCode + "-" + slug(c.name)
		out = append(out, District{
			Code:       code,
			Name:       c.name,
			Level:      "district",
			ParentCode: MunicipalityCode,
			Kind:       c.kind,
			PartOfTown: c.area,
			Seed:       c.pt,
			Population: p.population,
			DataClass:  "open",
		})
		vuln[code] = p.vulnerability
	}
	return out, vuln, nil
}

// slug turns a Swedish name into an upper-case ASCII code part: "Önsta-Gryta" → "ONSTA-GRYTA",
// "Öster Mälarstrand" → "OSTER-MALARSTRAND".
func slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToUpper(name) {
		switch r {
		case 'Å', 'Ä':
			r = 'A'
		case 'Ö':
			r = 'O'
		case 'É':
			r = 'E'
		}
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}
