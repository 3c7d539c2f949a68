package layers

import (
	"strings"
	"testing"
)

func TestCatalogueIsValid(t *testing.T) {
	if err := NewCatalogue().Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestCatalogueValidateRejects(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(l *Layer)
	}{
		{"quote in table", func(l *Layer) { l.Table = `places"; DROP TABLE x; --` }},
		{"upper-case property", func(l *Layer) { l.Properties[0].Name = "Name" }},
		{"duplicate property", func(l *Layer) { l.Properties[1] = l.Properties[0] }},
		{"filter on array", func(l *Layer) { l.Properties[0].Type = StringArray; l.Properties[0].Filter = true }},
		{"end without start", func(l *Layer) { l.TimeStart, l.TimeEnd = "", "end_date" }},
		{"geometry without mercator", func(l *Layer) { l.Mercator = "" }},
		{"bad id type", func(l *Layer) { l.IDType = Number }},
		{"colour not #rrggbb", func(l *Layer) { l.Style.Colour = "white" }},
		{"colour by a property not in tiles", func(l *Layer) { l.Style.ColourBy = "description" }},
		{"colour by an unknown property", func(l *Layer) { l.Style.ColourBy = "nowhere" }},
		{"legend value outside the enum", func(l *Layer) {
			l.Style.ColourBy = "kind"
			l.Style.Legend = []LegendEntry{{Value: "castle", Colour: "#000000", Title: "Slott", TitleEN: "Castle"}}
		}},
		{"legend value of the wrong type", func(l *Layer) {
			l.Style.ColourBy = "kind"
			l.Style.Legend = []LegendEntry{{Value: 1, Colour: "#000000", Title: "Ett", TitleEN: "One"}}
		}},
		{"legend value twice", func(l *Layer) {
			l.Style.ColourBy = "kind"
			e := LegendEntry{Value: "park", Colour: "#000000", Title: "Park", TitleEN: "Park"}
			l.Style.Legend = []LegendEntry{e, e}
		}},
		{"legend value without colour by", func(l *Layer) {
			l.Style.Legend = []LegendEntry{{Value: "park", Colour: "#000000", Title: "Park", TitleEN: "Park"}}
		}},
		{"legend entry without English", func(l *Layer) { l.Style.Legend[0].TitleEN = "" }},
		{"aggregate entry on a layer that does not aggregate", func(l *Layer) { l.Style.Legend[0].Aggregate = true }},
		{"styled layer without geometry", func(l *Layer) { l.Geometry, l.Mercator, l.MapTile = "", "", false }},
		{"map tile layer without geometry", func(l *Layer) { l.Geometry, l.Mercator, l.Style = "", "", nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewCatalogue()
			l, err := c.Layer("places")
			if err != nil {
				t.Fatal(err)
			}
			tt.mutate(l)
			if err := c.Validate(); err == nil {
				t.Errorf("Validate accepted a catalogue with %s", tt.name)
			}
		})
	}
}

// TestCatalogueDrivesPageAndMapTile pins what the declarations say to the page and the
// combined tile: the map tile's layers in drawing order, and the vulnerable areas' import names.
func TestCatalogueDrivesPageAndMapTile(t *testing.T) {
	c := NewCatalogue()
	var ids []string
	for _, l := range c.MapTileLayers() {
		ids = append(ids, l.ID)
	}
	if want := "districts places interventions"; strings.Join(ids, " ") != want {
		t.Errorf("map tile layers %v, want %s", ids, want)
	}
	va, _ := c.Layer("vulnerable-areas")
	if got := strings.Join(va.ImportNames("class"), " "); got != "class klass kategori category typ type status" {
		t.Errorf("import names of class: %s", got)
	}
	if got := va.ImportNames("nowhere"); got != nil {
		t.Errorf("import names of an undeclared property: %v", got)
	}
}

func TestLayerParseFilter(t *testing.T) {
	obs, _ := NewCatalogue().Layer("observations")
	tests := []struct {
		name, raw string
		want      any
		wantErr   bool
	}{
		{"severity", "4", int64(4), false},
		{"severity", "four", nil, true},
		{"category", "shooting", "shooting", false},
		{"category", "picnic", nil, true},
		{"illustrative", "true", true, false},
		{"observed_at", "2023-01-01T00:00:00Z", nil, true}, // not filterable: use datetime
		{"geom", "x", nil, true},
	}
	for _, tt := range tests {
		got, err := obs.ParseFilter(tt.name, tt.raw)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseFilter(%s=%s) error %v, wantErr %v", tt.name, tt.raw, err, tt.wantErr)
			continue
		}
		if err == nil && got.Value != tt.want {
			t.Errorf("ParseFilter(%s=%s) = %#v, want %#v", tt.name, tt.raw, got.Value, tt.want)
		}
	}
}
