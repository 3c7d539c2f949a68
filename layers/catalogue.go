package layers

import (
	"fmt"
	"regexp"
	"slices"
)

// DataClass is the need-to-know class of a layer or a row.
type DataClass string

// The data classes, from least to most protected.
const (
	Open       DataClass = "open"
	Internal   DataClass = "internal"
	Restricted DataClass = "restricted"
)

// PropType is the type of a published property, as it appears in JSON and in the OpenAPI document.
type PropType int

// Property types.
const (
	String PropType = iota
	Integer
	Number
	Boolean
	Date
	DateTime
	StringArray
	JSON
)

// Property is one published attribute of a layer. Name is both the API name and the column
// of the layer's relation, so a request's property name is only ever looked up here.
type Property struct {
	Name        string
	Type        PropType
	Description string
	Enum        []string // allowed values (mirrors the CHECK constraint in the migration)
	Filter      bool     // may be used as ?name=value on items
	Sort        bool     // may be used in sortby
	Tile        bool     // carried in vector tiles (small, not sensitive)
	// Aliases are other names an import file may give the property (Swedish words, the
	// source's own names), tried in order after Name, case-insensitively.
	Aliases []string
}

// Style is how the map page shows a layer: a switch in its layer panel titled Title
// (TitleEN in English), and features coloured by ColourBy with a legend. A layer without a
// Style is not in the page's layer panel (it is still a collection with tiles).
type Style struct {
	// Title and TitleEN name the layer in the panel; empty: the layer's own titles.
	Title, TitleEN string
	// Colour (#rrggbb) draws every feature whose ColourBy value no Legend entry names.
	Colour string
	// ColourBy is the tile property whose value picks a Legend entry's colour; empty: every
	// feature in Colour.
	ColourBy string
	// Legend lists the legend's entries in order. A layer whose legend the page draws itself
	// (the districts' choropleth) declares none.
	Legend []LegendEntry
}

// LegendEntry is one line of a layer's legend: a colour and what it stands for, in Swedish
// and English.
type LegendEntry struct {
	Colour         string // #rrggbb
	Title, TitleEN string
	// Value is the ColourBy value drawn in Colour (a string or an integer, as the property's
	// type); nil for an entry that explains a colour without keying a value.
	Value any
	// Aggregate marks the colour of the grid cells of an aggregated tile (AggregateTiles).
	Aggregate bool
}

// Layer declares one published collection: where its rows live and what of them is shown.
// Collections, items, the OpenAPI document and the tests all derive from this declaration.
type Layer struct {
	ID          string // collection id in URLs
	Title       string // Swedish title shown to users
	TitleEN     string
	Description string
	Table       string // relation read for features (a view adding derived properties)
	IDColumn    string
	IDType      PropType // String or Integer
	// Geometry is the EPSG:3006 geometry column; empty for a layer without geometry.
	Geometry     string
	GeometryType string // GeoJSON type name, "Geometry" when mixed
	// SRID of Geometry; 0 is EPSG:3006, which every published layer uses (a test catalogue
	// declares another to load the CQL2 test dataset, which covers the world).
	SRID     int
	Mercator string // stored EPSG:3857 copy of Geometry, for tiles
	// Generalised, for a polygon layer, are the zooms at which Table holds a copy of Mercator
	// simplified to half a tile unit of that zoom, named by GeneralisedColumn (generated
	// columns, so they follow every write); zero: polygons are simplified in every tile.
	// See tileGeometrySQL for what the other zooms read.
	Generalised ZoomRange
	// TimeStart and TimeEnd name the temporal columns the datetime parameter filters on:
	// only TimeStart for instants, both for intervals (NULL means open-ended).
	TimeStart string
	TimeEnd   string
	Class     DataClass // default data class of the layer's rows
	// ClassColumn is the column holding each row's data class, which row-level security
	// reads (migration 009); empty when every row has the layer's class.
	ClassColumn string
	Properties  []Property
	// Sources are the base tables the layer reads (Table may be a view over them); a change
	// to any of them invalidates the layer's cached tiles. Empty: Table itself.
	Sources []string
	// AggregateTiles marks a point layer whose tiles carry counts per grid cell instead of
	// points below AggregateBelowZoom, because at those zooms it holds thousands per tile.
	AggregateTiles bool
	// MapTile puts the layer in the combined map tile (/tiles/WebMercatorQuad/{z}/{y}/{x}),
	// drawn in catalogue order, so the page fetches it with the other base layers in one
	// request instead of from its own collection tiles.
	MapTile bool
	// Style shows the layer in the map page's layer panel; nil: not in the panel.
	Style *Style
}

// ZoomRange is the zooms Min to Max, both included; the zero value is none.
type ZoomRange struct{ Min, Max int }

// Empty reports whether r holds no zoom.
func (r ZoomRange) Empty() bool { return r.Max <= 0 || r.Max < r.Min }

// GeneralisedColumn names the column of the copy of l's Mercator geometry simplified for
// zoom z (Generalised): Mercator + "_z" + z.
func (l *Layer) GeneralisedColumn(z int) string { return fmt.Sprintf("%s_z%d", l.Mercator, z) }

// SourceTables returns the base tables the layer reads.
func (l *Layer) SourceTables() []string {
	if len(l.Sources) > 0 {
		return l.Sources
	}
	return []string{l.Table}
}

// MayHoldRestricted reports whether rows of the layer can be of class restricted.
func (l *Layer) MayHoldRestricted() bool { return l.ClassColumn != "" || l.Class == Restricted }

// HasGeometry reports whether the layer has a geometry column.
func (l *Layer) HasGeometry() bool { return l.Geometry != "" }

// Temporal reports whether the datetime parameter applies to the layer.
func (l *Layer) Temporal() bool { return l.TimeStart != "" }

// Property returns the declared property called name.
func (l *Layer) Property(name string) (Property, bool) {
	for _, p := range l.Properties {
		if p.Name == name {
			return p, true
		}
	}
	return Property{}, false
}

// ImportNames returns the names an import file may give property name: the name itself, then
// its aliases. It is nil when the layer declares no such property.
func (l *Layer) ImportNames(name string) []string {
	p, ok := l.Property(name)
	if !ok {
		return nil
	}
	return append([]string{p.Name}, p.Aliases...)
}

// Catalogue is the set of declared layers, in display order.
type Catalogue struct {
	layers []*Layer
}

// NewCatalogueOf returns the catalogue of the given layers, in that order, after Validate:
// for tests and tools that declare layers of their own beside (or instead of) NewCatalogue's.
func NewCatalogueOf(ls ...*Layer) (*Catalogue, error) {
	c := &Catalogue{layers: ls}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// Layers returns the declared layers in display order.
func (c *Catalogue) Layers() []*Layer { return c.layers }

// MapTileLayers returns the layers of the combined map tile (MapTile), bottom to top.
func (c *Catalogue) MapTileLayers() []*Layer {
	var out []*Layer
	for _, l := range c.layers {
		if l.MapTile {
			out = append(out, l)
		}
	}
	return out
}

// Layer returns the layer with the given collection id, or an error wrapping ErrNotFound.
func (c *Catalogue) Layer(id string) (*Layer, error) {
	for _, l := range c.layers {
		if l.ID == id {
			return l, nil
		}
	}
	return nil, fmt.Errorf("collection %q: %w", id, ErrNotFound)
}

var (
	identRE  = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)
	idRE     = regexp.MustCompile(`^[a-z][a-z0-9-]{0,62}$`)
	colourRE = regexp.MustCompile(`^#[0-9a-f]{6}$`)
)

// Validate checks the declarations: identifiers are plain lower-case SQL names (they are
// written into SQL, quoted, and into JSON keys), ids are unique, types are consistent.
func (c *Catalogue) Validate() error {
	seen := map[string]bool{}
	for _, l := range c.layers {
		if !idRE.MatchString(l.ID) || seen[l.ID] {
			return fmt.Errorf("layer %q: invalid or duplicate id", l.ID)
		}
		seen[l.ID] = true
		if err := l.validate(); err != nil {
			return fmt.Errorf("layer %q: %w", l.ID, err)
		}
	}
	return nil
}

// validate checks one layer's declaration.
func (l *Layer) validate() error {
	for _, ident := range []string{l.Table, l.IDColumn} {
		if !identRE.MatchString(ident) {
			return fmt.Errorf("invalid identifier %q", ident)
		}
	}
	for _, ident := range append([]string{l.Geometry, l.Mercator, l.TimeStart, l.TimeEnd}, l.Sources...) {
		if ident != "" && !identRE.MatchString(ident) {
			return fmt.Errorf("invalid identifier %q", ident)
		}
	}
	switch {
	case l.IDType != String && l.IDType != Integer:
		return fmt.Errorf("id type must be String or Integer")
	case l.TimeEnd != "" && l.TimeStart == "":
		return fmt.Errorf("TimeEnd without TimeStart")
	case l.AggregateTiles && l.GeometryType != "Point":
		return fmt.Errorf("only point layers can aggregate tiles")
	case (l.Geometry == "") != (l.Mercator == ""):
		return fmt.Errorf("Geometry and Mercator go together")
	case len(l.Properties) > 50: // json_build_object takes at most 100 arguments
		return fmt.Errorf("more than 50 properties")
	case l.MapTile && !l.HasGeometry():
		return fmt.Errorf("a layer without geometry cannot be in the map tile")
	case !l.Generalised.Empty() && (l.GeometryType == "Point" || !l.HasGeometry() || l.Generalised.Min < 0 || l.Generalised.Max > MaxTileZoom):
		return fmt.Errorf("generalised copies need a geometry other than points and zooms within 0–%d", MaxTileZoom)
	}
	props := map[string]bool{}
	for _, p := range l.Properties {
		if !identRE.MatchString(p.Name) || props[p.Name] {
			return fmt.Errorf("invalid or duplicate property %q", p.Name)
		}
		props[p.Name] = true
		if (p.Filter || p.Sort) && (p.Type == StringArray || p.Type == JSON) {
			return fmt.Errorf("property %q of this type cannot be filtered or sorted", p.Name)
		}
	}
	if err := l.validateStyle(); err != nil {
		return fmt.Errorf("style: %w", err)
	}
	return nil
}

// validateStyle checks a layer's style: colours are #rrggbb (the page writes them into the
// map's style and the legend as they are), ColourBy is a tile property, and each legend value
// has that property's type and is keyed once.
func (l *Layer) validateStyle() error {
	st := l.Style
	if st == nil {
		return nil
	}
	if !l.HasGeometry() {
		return fmt.Errorf("a layer without geometry is not on the map")
	}
	if !colourRE.MatchString(st.Colour) {
		return fmt.Errorf("colour %q is not #rrggbb", st.Colour)
	}
	var by *Property
	if st.ColourBy != "" {
		p, ok := l.Property(st.ColourBy)
		if !ok || !p.Tile {
			return fmt.Errorf("colour by %q: not a tile property", st.ColourBy)
		}
		by = &p
	}
	seen := map[any]bool{}
	for i, e := range st.Legend {
		if e.Value != nil && seen[e.Value] {
			return fmt.Errorf("legend entry %d: value %v is keyed twice", i, e.Value)
		}
		seen[e.Value] = true
		if err := l.validateLegendEntry(e, by); err != nil {
			return fmt.Errorf("legend entry %d: %w", i, err)
		}
	}
	return nil
}

// validateLegendEntry checks one legend entry; by is the ColourBy property (nil: none).
func (l *Layer) validateLegendEntry(e LegendEntry, by *Property) error {
	if !colourRE.MatchString(e.Colour) || e.Title == "" || e.TitleEN == "" {
		return fmt.Errorf("a #rrggbb colour and both titles are required")
	}
	if e.Aggregate && (!l.AggregateTiles || e.Value != nil) {
		return fmt.Errorf("an aggregate entry is for the cells of an aggregating layer and keys no value")
	}
	if e.Value == nil {
		return nil
	}
	if by == nil {
		return fmt.Errorf("a value without ColourBy")
	}
	ok := false
	switch v := e.Value.(type) {
	case string:
		ok = by.Type == String && (by.Enum == nil || slices.Contains(by.Enum, v))
	case int:
		ok = by.Type == Integer
	}
	if !ok {
		return fmt.Errorf("value %#v is not a %s", e.Value, by.Name)
	}
	return nil
}

// enum lists the allowed values of a property; each list mirrors a CHECK constraint in the migrations.
func enum(values ...string) []string { return values }

// NewCatalogue returns the declared layers. Adding a layer means one declaration here
// plus the migration that creates its table (and, if it adds derived properties, its view):
// collections, items, tiles, TileJSON, the OpenAPI document, the combined map tile (MapTile),
// the map page's layer panel and legend (Style) and import field names (Aliases) follow it.
// The table needs the id, geometry (with its EPSG:3857 copy) and declared columns, and an
// illustrative boolean; a change notification trigger (migration 003) keeps its tiles fresh.
func NewCatalogue() *Catalogue {
	classProp := Property{Name: "data_class", Type: String, Enum: enum("open", "internal", "restricted"), Filter: true,
		Description: "Need-to-know class of the row: open, internal or restricted."}
	illustrativeProp := Property{Name: "illustrative", Type: Boolean, Filter: true, Tile: true,
		Description: "True for illustrative demo data, which is not official statistics."}
	c := &Catalogue{layers: []*Layer{
		{
			ID: "districts", Title: "Stadsdelar", TitleEN: "Districts",
			Description: "Municipality, districts (stadsdelar) and statistical areas with population and the police classification over time.",
			Table:       "districts_features", IDColumn: "code", IDType: String,
			Sources:  []string{"districts", "district_classifications"},
			Geometry: "geom", GeometryType: "MultiPolygon", Mercator: "geom_3857",
			Class: Open, ClassColumn: "data_class", MapTile: true, Generalised: ZoomRange{Min: 8, Max: 12}, // migration 024
			// The page colours the districts by the chosen indicator and draws that legend itself.
			Style: &Style{Colour: "#cccccc"},
			Properties: []Property{
				{Name: "name", Type: String, Sort: true, Tile: true, Description: "Name of the area."},
				{Name: "level", Type: String, Enum: enum("municipality", "regso", "district", "deso"), Filter: true, Sort: true, Tile: true,
					Description: "Level: municipality, regso, district or deso."},
				{Name: "parent_code", Type: String, Filter: true, Tile: true, Description: "Code of the enclosing area."},
				{Name: "part_of_town", Type: String, Enum: enum("centrum", "väst", "norr", "öst", "syd", "landsbygd"), Filter: true, Sort: true, Tile: true,
					Description: "Part of town as the report speaks of it."},
				{Name: "population", Type: Integer, Sort: true, Tile: true, Description: "Number of inhabitants."},
				{Name: "area_km2", Type: Number, Sort: true, Tile: true, Description: "Area in km² (computed in EPSG:3006)."},
				{Name: "police_class", Type: String, Enum: enum("utsatt", "risk", "sarskilt_utsatt"), Filter: true, Tile: true,
					Description: "Current class on the police list of vulnerable areas, null when not listed."},
				{Name: "police_class_history", Type: JSON, Description: "Every police classification with its validity period."},
				classProp, illustrativeProp,
			},
		},
		{
			ID: "places", Title: "Platser", TitleEN: "Public places",
			Description: "Public places: squares, parks, centres, school areas, transit hubs; district by spatial join.",
			Table:       "places_features", IDColumn: "id", IDType: Integer,
			Sources:  []string{"places", "districts"},
			Geometry: "geom", GeometryType: "Geometry", Mercator: "geom_3857",
			Class: Open, ClassColumn: "data_class", MapTile: true,
			Style: &Style{TitleEN: "Places", Colour: "#ffffff",
				Legend: []LegendEntry{{Colour: "#ffffff", Title: "Offentlig plats", TitleEN: "Public place"}}},
			Properties: []Property{
				{Name: "name", Type: String, Sort: true, Tile: true, Description: "Name of the place."},
				{Name: "kind", Type: String, Filter: true, Sort: true, Tile: true,
					Enum:        enum("square", "park", "centre", "school_area", "transit_hub", "shopping_centre", "youth_centre", "sports_ground", "residential_yard"),
					Description: "Kind of place."},
				{Name: "description", Type: String, Description: "Free text."},
				{Name: "district_code", Type: String, Filter: true, Sort: true, Tile: true, Description: "District the place lies in."},
				classProp, illustrativeProp,
			},
		},
		{
			ID: "vulnerable-areas", Title: "Utsatta områden (Polisen)", TitleEN: "Police vulnerable areas",
			Description: "The police's published boundaries of vulnerable areas (utsatt område, riskområde, särskilt utsatt område) by year.",
			Table:       "vulnerable_areas", IDColumn: "id", IDType: Integer,
			Geometry: "geom", GeometryType: "MultiPolygon", Mercator: "geom_3857",
			Class: Open,
			Properties: []Property{
				{Name: "name", Type: String, Sort: true, Tile: true, Description: "Name of the area as the police list it.",
					Aliases: []string{"namn", "omrade", "omradesnamn", "omrnamn"}},
				{Name: "class", Type: String, Enum: enum("utsatt", "risk", "sarskilt_utsatt"), Filter: true, Tile: true,
					Aliases:     []string{"klass", "kategori", "category", "typ", "type", "status"},
					Description: "Class on the police list: utsatt (vulnerable), risk (risk area) or sarskilt_utsatt (particularly vulnerable)."},
				{Name: "year", Type: Integer, Filter: true, Sort: true, Tile: true, Description: "Year of the list."},
				{Name: "source", Type: String, Description: "Where the boundaries come from."},
				illustrativeProp,
			},
		},
		{
			ID: "observations", Title: "Observationer", TitleEN: "Observations",
			Description: "Observations of drug-related insecurity, violence and disorder in public places (points in time).",
			Table:       "observations", IDColumn: "id", IDType: Integer,
			Geometry: "geom", GeometryType: "Point", Mercator: "geom_3857",
			TimeStart: "observed_at", AggregateTiles: true,
			Class: Internal, ClassColumn: "sensitivity",
			// Colour-blind safe: ColorBrewer YlOrRd for severity.
			Style: &Style{Colour: "#999999", ColourBy: "severity", Legend: []LegendEntry{
				{Aggregate: true, Colour: "#cc79a7",
					Title:   fmt.Sprintf("Under zoomnivå %d: antal per ruta (storlek = antal)", AggregateBelowZoom),
					TitleEN: fmt.Sprintf("Below zoom %d: count per cell (size = count)", AggregateBelowZoom)},
				{Value: 1, Colour: "#ffffb2", Title: "Allvarlighet 1", TitleEN: "Severity 1"},
				{Value: 2, Colour: "#fecc5c", Title: "Allvarlighet 2", TitleEN: "Severity 2"},
				{Value: 3, Colour: "#fd8d3c", Title: "Allvarlighet 3", TitleEN: "Severity 3"},
				{Value: 4, Colour: "#f03b20", Title: "Allvarlighet 4", TitleEN: "Severity 4"},
				{Value: 5, Colour: "#bd0026", Title: "Allvarlighet 5", TitleEN: "Severity 5"},
			}},
			Properties: []Property{
				{Name: "observed_at", Type: DateTime, Sort: true, Tile: true, Description: "When it was observed."},
				{Name: "category", Type: String, Filter: true, Sort: true, Tile: true,
					Enum: enum("open_drug_dealing", "drug_handling", "drug_use", "gathering_insecurity", "violence", "shooting",
						"vandalism", "littering", "insecurity_report", "theft", "disorder"),
					Description: "What was observed."},
				{Name: "severity", Type: Integer, Filter: true, Sort: true, Tile: true, Description: "Severity 1 (low) to 5 (high)."},
				{Name: "source", Type: String, Filter: true, Sort: true, Tile: true,
					Enum:        enum("police", "municipal_field_staff", "safety_walk", "resident_survey", "housing_company", "security_guard"),
					Description: "Who reported it."},
				{Name: "sensitivity", Type: String, Enum: enum("open", "internal", "restricted"), Filter: true, Description: "Need-to-know class of the observation."},
				illustrativeProp,
			},
		},
		{
			ID: "interventions", Title: "Insatser", TitleEN: "Interventions",
			Description: "Interventions with their time horizon (vinna slaget, vinna kriget, bygga freden), approach and lead organisation.",
			Table:       "interventions_features", IDColumn: "id", IDType: Integer,
			Sources:  []string{"interventions", "intervention_districts", "intervention_targets"},
			Geometry: "geom", GeometryType: "Geometry", Mercator: "geom_3857",
			TimeStart: "start_date", TimeEnd: "end_date",
			Class: Internal, ClassColumn: "data_class", MapTile: true,
			// Colour-blind safe: Okabe–Ito for the horizons.
			Style: &Style{Colour: "#666666", ColourBy: "horizon", Legend: []LegendEntry{
				{Value: "vinna_slaget", Colour: "#d55e00", Title: "Tidshorisont: vinna slaget", TitleEN: "Time horizon: win the battle"},
				{Value: "vinna_kriget", Colour: "#0072b2", Title: "Tidshorisont: vinna kriget", TitleEN: "Time horizon: win the war"},
				{Value: "bygga_freden", Colour: "#009e73", Title: "Tidshorisont: bygga freden", TitleEN: "Time horizon: build the peace"},
			}},
			Properties: []Property{
				{Name: "title", Type: String, Sort: true, Tile: true, Description: "Short title."},
				{Name: "description", Type: String, Description: "What is done and why."},
				{Name: "category", Type: String, Filter: true, Sort: true, Tile: true,
					Enum: enum("night_walkers", "surveillance_cameras", "security_guards", "police_presence", "visitation_zone",
						"environmental_design", "cleaning", "preschool_enrolment", "adults_in_school", "language", "employment",
						"meeting_place", "civil_society_partnership", "leaving_crime_support", "family_support", "other"),
					Description: "Kind of intervention."},
				{Name: "horizon", Type: String, Enum: enum("vinna_slaget", "vinna_kriget", "bygga_freden"), Filter: true, Sort: true, Tile: true,
					Description: "Time horizon: win the battle, win the war, build the peace."},
				{Name: "approach", Type: String, Enum: enum("repressive", "preventive", "promotive"), Filter: true, Sort: true, Tile: true,
					Description: "Repressive, preventive or promotive."},
				{Name: "lead_org", Type: String, Filter: true, Sort: true, Tile: true, Description: "Lead organisation."},
				{Name: "partners", Type: StringArray, Description: "Partner organisations."},
				{Name: "status", Type: String, Enum: enum("planned", "active", "paused", "completed", "cancelled"), Filter: true, Sort: true, Tile: true,
					Description: "Status."},
				{Name: "start_date", Type: Date, Sort: true, Tile: true, Description: "First day (null: not yet decided)."},
				{Name: "end_date", Type: Date, Sort: true, Tile: true, Description: "Last day (null: open-ended)."},
				{Name: "hours_per_week", Type: Number, Sort: true, Description: "Staff hours per week."},
				{Name: "budget_sek", Type: Number, Sort: true, Description: "Budget in SEK."},
				{Name: "target_districts", Type: StringArray, Description: "Codes of the districts the intervention targets."},
				{Name: "target_indicators", Type: StringArray, Description: "Keys of the indicators the intervention means to move (see the indicators collection)."},
				{Name: "target_categories", Type: StringArray, Description: "Observation categories the intervention means to move."},
				classProp, illustrativeProp,
			},
		},
		{
			ID: "indicators", Title: "Indikatorer", TitleEN: "Indicator catalogue",
			Description: "The socio-economic and follow-up indicators: theme, unit, and whether a higher value is worse or better.",
			Table:       "indicators", IDColumn: "key", IDType: String,
			Class: Open,
			Properties: []Property{
				{Name: "name_sv", Type: String, Sort: true, Description: "Swedish name."},
				{Name: "name_en", Type: String, Sort: true, Description: "English name."},
				{Name: "unit", Type: String, Description: "Unit of the values."},
				{Name: "theme", Type: String, Filter: true, Sort: true,
					Enum:        enum("economy", "education", "housing", "labour", "participation", "trust", "safety", "crime", "demography", "future"),
					Description: "Theme."},
				{Name: "direction", Type: String, Enum: enum("higher_is_worse", "higher_is_better"), Filter: true,
					Description: "Whether a higher value means greater need (worse) or less (better)."},
				{Name: "source", Type: String, Description: "Where the values come from."},
				{Name: "description", Type: String, Description: "Definition."},
				illustrativeProp,
			},
		},
		{
			ID: "indicator-values", Title: "Indikatorvärden", TitleEN: "Indicator values",
			Description: "Indicator values per district and year (no geometry; join to districts by district_code, or use /indicators/{key}/districts).",
			Table:       "indicator_values_features", IDColumn: "id", IDType: String,
			Sources: []string{"indicator_values", "districts", "indicators"},
			Class:   Open, ClassColumn: "data_class",
			Properties: []Property{
				{Name: "district_code", Type: String, Filter: true, Sort: true, Description: "District code."},
				{Name: "district_name", Type: String, Sort: true, Description: "District name."},
				{Name: "indicator_key", Type: String, Filter: true, Sort: true, Description: "Indicator key (see the indicators collection)."},
				{Name: "unit", Type: String, Description: "Unit."},
				{Name: "year", Type: Integer, Filter: true, Sort: true, Description: "Year."},
				{Name: "value", Type: Number, Sort: true, Description: "Value."},
				classProp, illustrativeProp,
			},
		},
	}}
	return c
}
