package respond

// Media types of the answers.
const (
	MediaGeoJSON = "application/geo+json"
	MediaCSV     = "text/csv; charset=utf-8"
	MediaMVT     = "application/vnd.mapbox-vector-tile"
)

// Link is an OGC API link object.
type Link struct {
	Href  string `json:"href"`
	Rel   string `json:"rel"`
	Type  string `json:"type,omitempty"`
	Title string `json:"title,omitempty"`
}

// IllustrativeNotice is shown wherever demo data appears.
const IllustrativeNotice = "Illustrativa demodata – inte officiell statistik. Illustrative demo data – not official statistics."

// MediaJSONSchema is the media type of queryables and sortables (OGC API – Features Part 3).
const MediaJSONSchema = "application/schema+json"
