package report

import (
	"math"
	"strconv"
	"strings"
)

// labels are the words for the enumerated values of the API (the codes stay English in the
// API and in the JSON answers): the page's enums of web/page/src/i18n.js, for what the
// printed pages show. TestReportLabelsCoverCatalogue keeps them complete against the
// catalogue's enumerations.
var labels = map[string]map[string]string{
	"sv": {
		"square": "torg", "park": "park", "centre": "centrum", "school_area": "skolområde", "transit_hub": "knutpunkt för kollektivtrafik",
		"shopping_centre": "köpcentrum", "youth_centre": "fritidsgård", "sports_ground": "idrottsplats", "residential_yard": "bostadsgård",
		"open_drug_dealing": "öppen narkotikaförsäljning", "drug_handling": "narkotikahantering", "drug_use": "narkotikabruk",
		"gathering_insecurity": "otrygg samling", "violence": "våld", "shooting": "skjutning", "vandalism": "skadegörelse",
		"littering": "nedskräpning", "insecurity_report": "anmäld otrygghet", "theft": "stöld", "disorder": "ordningsstörning",
		"police": "polisen", "municipal_field_staff": "kommunens fältpersonal", "safety_walk": "trygghetsvandring",
		"resident_survey": "boendeenkät", "housing_company": "bostadsbolag", "security_guard": "väktare",
		"vinna_slaget": "vinna slaget", "vinna_kriget": "vinna kriget", "bygga_freden": "bygga freden",
		"repressive": "repressiv", "preventive": "förebyggande", "promotive": "främjande",
		"planned": "planerad", "active": "pågående", "paused": "pausad", "completed": "avslutad", "cancelled": "inställd",
		"utsatt": "utsatt område", "risk": "riskområde", "sarskilt_utsatt": "särskilt utsatt område",
		"night_walkers": "nattvandring", "surveillance_cameras": "kameraövervakning", "security_guards": "ordningsvakter",
		"police_presence": "polisnärvaro", "visitation_zone": "visitationszon", "environmental_design": "situationell prevention",
		"cleaning": "städning", "preschool_enrolment": "förskoleinskrivning", "adults_in_school": "fler vuxna i skolan",
		"language": "språkinsatser", "employment": "sysselsättning", "meeting_place": "mötesplats",
		"civil_society_partnership": "samverkan med civilsamhället", "leaving_crime_support": "stöd att lämna kriminalitet",
		"family_support": "familjestöd", "other": "annat",
		"open": "öppen", "internal": "intern", "restricted": "begränsad",
		"municipality": "kommun", "regso": "RegSO", "district": "område", "deso": "DeSO",
		"region": "region", "civil_society": "civilsamhälle", "public": "allmänheten", "housing": "bostadsbolag",
		"reader": "läsare", "editor": "redaktör", "admin": "administratör",
		"centrum": "centrum", "väst": "väst", "norr": "norr", "öst": "öst", "syd": "syd", "landsbygd": "landsbygd",
		"economy": "ekonomi", "education": "utbildning", "labour": "arbete", "participation": "delaktighet", "trust": "tillit",
		"safety": "trygghet", "crime": "brottslighet", "demography": "befolkning", "future": "framtidstro",
		"higher_is_worse": "högre är sämre", "higher_is_better": "högre är bättre",
		"new_hot_spot": "ny brännpunkt", "consecutive_hot_spot": "sammanhängande brännpunkt", "intensifying_hot_spot": "intensifierad brännpunkt",
		"persistent_hot_spot": "ihållande brännpunkt", "diminishing_hot_spot": "avtagande brännpunkt", "sporadic_hot_spot": "sporadisk brännpunkt",
		"oscillating_hot_spot": "växlande brännpunkt", "historical_hot_spot": "historisk brännpunkt",
	},
	"en": {
		"square": "square", "park": "park", "centre": "centre", "school_area": "school area", "transit_hub": "transit hub",
		"shopping_centre": "shopping centre", "youth_centre": "youth centre", "sports_ground": "sports ground", "residential_yard": "residential yard",
		"open_drug_dealing": "open drug dealing", "drug_handling": "drug handling", "drug_use": "drug use",
		"gathering_insecurity": "gathering causing insecurity", "violence": "violence", "shooting": "shooting", "vandalism": "vandalism",
		"littering": "littering", "insecurity_report": "insecurity report", "theft": "theft", "disorder": "disorder",
		"police": "police", "municipal_field_staff": "municipal field staff", "safety_walk": "safety walk",
		"resident_survey": "resident survey", "housing_company": "housing company", "security_guard": "security guard",
		"vinna_slaget": "win the battle", "vinna_kriget": "win the war", "bygga_freden": "build the peace",
		"repressive": "repressive", "preventive": "preventive", "promotive": "promotive",
		"planned": "planned", "active": "active", "paused": "paused", "completed": "completed", "cancelled": "cancelled",
		"utsatt": "vulnerable area", "risk": "risk area", "sarskilt_utsatt": "particularly vulnerable area",
		"night_walkers": "night walkers", "surveillance_cameras": "surveillance cameras", "security_guards": "security guards",
		"police_presence": "police presence", "visitation_zone": "visitation zone", "environmental_design": "environmental design",
		"cleaning": "cleaning", "preschool_enrolment": "preschool enrolment", "adults_in_school": "more adults in school",
		"language": "language", "employment": "employment", "meeting_place": "meeting place",
		"civil_society_partnership": "civil society partnership", "leaving_crime_support": "support to leave crime",
		"family_support": "family support", "other": "other",
		"open": "open", "internal": "internal", "restricted": "restricted",
		"municipality": "municipality", "regso": "RegSO", "district": "district", "deso": "DeSO",
		"region": "region", "civil_society": "civil society", "public": "the public", "housing": "housing company",
		"reader": "reader", "editor": "editor", "admin": "administrator",
		"centrum": "centre", "väst": "west", "norr": "north", "öst": "east", "syd": "south", "landsbygd": "countryside",
		"economy": "economy", "education": "education", "labour": "labour", "participation": "participation", "trust": "trust",
		"safety": "safety", "crime": "crime", "demography": "demography", "future": "hope for the future",
		"higher_is_worse": "higher is worse", "higher_is_better": "higher is better",
		"new_hot_spot": "new hot spot", "consecutive_hot_spot": "consecutive hot spot", "intensifying_hot_spot": "intensifying hot spot",
		"persistent_hot_spot": "persistent hot spot", "diminishing_hot_spot": "diminishing hot spot", "sporadic_hot_spot": "sporadic hot spot",
		"oscillating_hot_spot": "oscillating hot spot", "historical_hot_spot": "historical hot spot",
	},
}

// Label is the word for an enumerated API value in lang (sv or en), or the value itself when
// it has none (a name, not a code).
func Label(lang, value string) string {
	if l, ok := labels[lang][value]; ok {
		return l
	}
	return value
}

// HasLabel says whether value has a word of its own in lang.
func HasLabel(lang, value string) bool {
	_, ok := labels[lang][value]
	return ok
}

// Number writes x with digits decimals the way lang writes figures: in Swedish a decimal comma
// and groups of three separated by a narrow no-break space (U+202F, the thin space that never
// breaks a figure over two lines), in English a point and commas; a minus sign (U+2212), and
// never "−0".
func Number(lang string, x float64, digits int) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "–"
	}
	s := strconv.FormatFloat(math.Abs(x), 'f', digits, 64)
	intPart, frac, _ := strings.Cut(s, ".")
	sep, dec := "\u202f", ","
	if lang == "en" {
		sep, dec = ",", "."
	}
	var b strings.Builder
	if x < 0 && strings.Trim(s, "0.") != "" {
		b.WriteString("−")
	}
	for k, r := range intPart {
		if k > 0 && (len(intPart)-k)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(r)
	}
	if frac != "" {
		b.WriteString(dec + frac)
	}
	return b.String()
}

// Count writes a whole number as Number does.
func Count(lang string, n int64) string { return Number(lang, float64(n), 0) }
