package featurefile_test

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/lagesbild/lagesbild/layers/featurefile"
)

// TestStream reads small GeoJSON and CSV files through NewStream and compares what convert
// saw: numbers, positions, the CRS and the picked properties, or the error naming the feature
// or line.
func TestStream(t *testing.T) {
	opt := featurefile.StreamOptions{
		Fields:      []featurefile.StreamField{{Name: "name"}, {Name: "n"}, {Name: "note", Optional: true}},
		Coordinates: []featurefile.CoordinateColumns{{X: "x", Y: "y", SRID: 3006}, {X: "lon", Y: "lat", SRID: 4326}},
	}
	show := func(r *featurefile.Record) (string, error) {
		var vs []string
		for _, v := range r.Values {
			vs = append(vs, fmt.Sprintf("%d:%s", v.Kind, v.S))
		}
		return fmt.Sprintf("%d@%s,%s/%d[%s]", r.Number, strconv.FormatFloat(r.X, 'f', -1, 64), strconv.FormatFloat(r.Y, 'f', -1, 64),
			r.SRID, strings.Join(vs, " ")), nil
	}
	tests := []struct {
		name    string
		format  featurefile.Format
		in      string
		want    []string
		wantErr string
	}{
		{"GeoJSON: kinds, escapes, case, last member wins", featurefile.GeoJSON,
			`{"type":"FeatureCollection","features":[
{"type":"Feature","geometry":{"type":"Point","coordinates":[16.5,59.6,3]},"properties":{"NAME":"a\"b","n":3,"extra":{"x":[1]},"note":null}},
{"type":"Feature","geometry":{"type":"Point","coordinates":[16.6,59.7]},"properties":{"Name":"x","name":"Råby","n":"4","note":[1,2]}}],"name":"after"}`,
			[]string{`1@16.5,59.6/4326[1:a"b 2:3 0:]`, `2@16.6,59.7/4326[1:Råby 1:4 4:[1,2]]`}, ""},
		{"GeoJSON in EPSG:3006 by its OGC URI", featurefile.GeoJSON,
			`{"crs":{"type":"name","properties":{"name":"http://www.opengis.net/def/crs/EPSG/0/3006"}},"features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[587000,6610000]},"properties":{}}]}`,
			[]string{`1@587000,6610000/3006[0: 0: 0:]`}, ""},
		{"GeoJSON: a line", featurefile.GeoJSON,
			`{"features":[{"type":"Feature","geometry":{"type":"LineString","coordinates":[1,2]},"properties":{}}]}`, nil, "feature 1: geometry must be a Point"},
		{"GeoJSON: properties not an object", featurefile.GeoJSON,
			`{"features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":[1]}]}`, nil, "feature 1: properties"},
		{"CSV: x, y win over lon, lat; semicolons; a missing optional column", featurefile.CSV,
			"lon;lat;Name;N;x;y\n1;2; Bäckby ;7;587000;6610000\n1;2;;;587001;6610001\n",
			[]string{`2@587000,6610000/3006[1:Bäckby 1:7 0:]`, `3@587001,6610001/3006[0: 0: 0:]`}, ""},
		{"CSV: no coordinate columns", featurefile.CSV, "name,n\na,1\n", nil, "line 1: the header needs x and y (EPSG:3006) or lon and lat (CRS84) columns"},
		{"CSV: a required column missing", featurefile.CSV, "name,x,y\na,1,2\n", nil, "line 1: the header has no n column"},
		{"CSV: a short row", featurefile.CSV, "name,n,lon,lat\na,1,16,59\nb,2,16\n", []string{`2@16,59/4326[1:a 1:1 0:]`}, "line 3: the row has a different number of columns"},
		{"CSV: not numbers", featurefile.CSV, "name,n,lon,lat\na,1,east,59\n", nil, `line 2: the coordinates "east", "59" are not numbers`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := featurefile.NewStream(strings.NewReader(tt.in), tt.format, opt, show)
			var got []string
			for err == nil {
				var v string
				if v, err = s.Next(); err == nil {
					got = append(got, v)
				}
			}
			if errors.Is(err, io.EOF) {
				err = nil
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("records\n%q\nwant\n%q", got, tt.want)
			}
			var fe *featurefile.Error
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("err = %v", err)
			case tt.wantErr != "" && (!errors.As(err, &fe) || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("err = %v, want a *featurefile.Error containing %q", err, tt.wantErr)
			}
		})
	}
}
