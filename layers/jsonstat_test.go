package layers

import (
	"errors"
	"os"
	"strings"
	"testing"
)

func TestParseJSONStat(t *testing.T) {
	f, err := os.Open("testdata/pxweb-overcrowding.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := ParseJSONStat(f, JSONStatMapping{AreaDim: "Region", TimeDim: "Tid", ContentsDim: "ContentsCode",
		Indicators: map[string]string{"000006SY": "overcrowding", "000006SZ": "unemployment"}})
	if err != nil {
		t.Fatal(err)
	}
	// Row-major: Region × ContentsCode × Tid, the null (Bäckby unemployment 2024) skipped.
	want := []IndicatorRow{
		{0, "1980-BACKBY", "overcrowding", 2023, 28.1}, {1, "1980-BACKBY", "overcrowding", 2024, 27.4},
		{2, "1980-BACKBY", "unemployment", 2023, 9.5},
		{4, "1980-RABY", "overcrowding", 2023, 15.2}, {5, "1980-RABY", "overcrowding", 2024, 15.0},
		{6, "1980-RABY", "unemployment", 2023, 6.1}, {7, "1980-RABY", "unemployment", 2024, 5.8},
	}
	if len(rows) != len(want) {
		t.Fatalf("got %d rows, want %d: %+v", len(rows), len(want), rows)
	}
	for i := range want {
		if rows[i] != want[i] {
			t.Errorf("row %d = %+v, want %+v", i, rows[i], want[i])
		}
	}
}

func TestParseJSONStatSparseAndErrors(t *testing.T) {
	sparse := `{"version":"2.0","class":"dataset","id":["Region","Tid"],"size":[2,2],
	  "dimension":{"Region":{"category":{"index":["A","B"]}},"Tid":{"category":{"index":["2020","2021"]}}},
	  "value":{"1":3.5,"2":4}}`
	rows, err := ParseJSONStat(strings.NewReader(sparse), JSONStatMapping{AreaDim: "Region", TimeDim: "Tid", Indicator: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0] != (IndicatorRow{1, "A", "x", 2021, 3.5}) || rows[1] != (IndicatorRow{2, "B", "x", 2020, 4}) {
		t.Errorf("sparse rows %+v", rows)
	}
	tests := []struct {
		name, doc string
		m         JSONStatMapping
		wantParam string
		wantText  string
	}{
		{"not json", `{"version":`, JSONStatMapping{AreaDim: "Region", TimeDim: "Tid", Indicator: "x"}, "file", "not JSON-stat"},
		{"version 1", `{"version":"1.0","class":"dataset"}`, JSONStatMapping{}, "file", "2.0"},
		{"unknown area dimension", sparse, JSONStatMapping{AreaDim: "Kommun", TimeDim: "Tid", Indicator: "x"}, "area-dimension", "Kommun"},
		{"no indicator", sparse, JSONStatMapping{AreaDim: "Region", TimeDim: "Tid"}, "indicator", "indicator"},
		{"monthly time", strings.ReplaceAll(sparse, `"2021"`, `"2021M01"`), JSONStatMapping{AreaDim: "Region", TimeDim: "Tid", Indicator: "x"}, "time-dimension", "2021M01"},
		{"value count", strings.Replace(sparse, `{"1":3.5,"2":4}`, `[1,2,3]`, 1), JSONStatMapping{AreaDim: "Region", TimeDim: "Tid", Indicator: "x"}, "file", "3 cells"},
		{"value key out of range", strings.Replace(sparse, `"2":4`, `"9":4`, 1), JSONStatMapping{AreaDim: "Region", TimeDim: "Tid", Indicator: "x"}, "file", "\"9\""},
		{"huge", `{"version":"2.0","class":"dataset","id":["a","b","c"],"size":[100000,100000,100000],"dimension":{},"value":[]}`,
			JSONStatMapping{AreaDim: "a", TimeDim: "b", Indicator: "x"}, "file", "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseJSONStat(strings.NewReader(tt.doc), tt.m)
			var inv *InvalidError
			if !errors.As(err, &inv) || inv.Param != tt.wantParam || !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("error %v, want invalid %s mentioning %q", err, tt.wantParam, tt.wantText)
			}
		})
	}
}

func TestParseIndicatorCSV(t *testing.T) {
	comma := "code,indicator,year,value\n1980-BACKBY,overcrowding,2023,28.1\n1980-RABY,overcrowding,2023,\n"
	semicolon := "\ufeffDeSO;Indicator;År;Värde\n1980A0010;overcrowding;2023;28,1\n1980A0011;overcrowding;2023;..\n"
	for name, doc := range map[string]string{"comma": comma, "semicolon": semicolon} {
		rows, err := ParseIndicatorCSV(strings.NewReader(doc))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(rows) != 1 || rows[0].Value != 28.1 || rows[0].Year != 2023 || rows[0].Line != 2 {
			t.Errorf("%s: rows %+v, want one value 28.1 from line 2 (the missing one skipped)", name, rows)
		}
	}
	bad := []struct{ doc, want string }{
		{"code,year,value\nA,2020,1\n", "line 1"},
		{"code,indicator,year,value\nA,x,2020,1\nB,x,twenty,2\n", "line 3"},
		{"code,indicator,year,value\nA,x,2020,1\nB,x,2020,NaN\n", "line 3"},
		{"code,indicator,year,value\nA,x\n", "line 2"},
	}
	for _, b := range bad {
		if _, err := ParseIndicatorCSV(strings.NewReader(b.doc)); err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("ParseIndicatorCSV(%q) error %v, want one naming %s", b.doc, err, b.want)
		}
	}
}
