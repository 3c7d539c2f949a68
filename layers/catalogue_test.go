package layers

import "testing"

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
