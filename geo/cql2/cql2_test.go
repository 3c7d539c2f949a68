package cql2

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const examples = "../../../shared/cql2/examples"

// TestStandardExamples parses every example of the standard in both encodings: each text
// example (and its -altNN forms) must be the same expression as its JSON twin.
func TestStandardExamples(t *testing.T) {
	texts, err := filepath.Glob(filepath.Join(examples, "text", "*.txt"))
	if err != nil || len(texts) == 0 {
		if os.Getenv("CI") != "" {
			t.Fatalf("no examples in %s: %v", examples, err)
		}
		t.Skipf("no examples in %s (../shared is missing)", examples)
	}
	if len(texts) < 120 {
		t.Fatalf("found %d text examples, want the standard's 120", len(texts))
	}
	for _, path := range texts {
		name := strings.TrimSuffix(filepath.Base(path), ".txt")
		t.Run(name, func(t *testing.T) {
			text, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			twin, _, _ := strings.Cut(name, "-alt")
			js, err := os.ReadFile(filepath.Join(examples, "json", twin+".json"))
			if err != nil {
				t.Fatal(err)
			}
			fromText, err := ParseText(string(text), DefaultLimits())
			if err != nil {
				t.Fatalf("ParseText(%s): %v", text, err)
			}
			fromJSON, err := ParseJSON(js, DefaultLimits())
			if err != nil {
				t.Fatalf("ParseJSON(%s): %v", js, err)
			}
			got, err := fromText.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			want, err := fromJSON.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(want) {
				t.Errorf("text %s\n got %s\nwant %s", text, got, want)
			}
			// The canonical JSON reads back as itself.
			again, err := ParseJSON(want, DefaultLimits())
			if err != nil {
				t.Fatalf("ParseJSON(canonical %s): %v", want, err)
			}
			if b, _ := again.MarshalJSON(); string(b) != string(want) {
				t.Errorf("canonical JSON does not round-trip:\n got %s\nwant %s", b, want)
			}
		})
	}
}

func TestParseTextShapes(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"a=1 AND b=2 OR c=3", `{"op":"or","args":[{"op":"and","args":[{"op":"=","args":[{"property":"a"},1]},{"op":"=","args":[{"property":"b"},2]}]},{"op":"=","args":[{"property":"c"},3]}]}`},
		{"balance-150.0 > 0", `{"op":">","args":[{"op":"-","args":[{"property":"balance"},150]},0]}`},
		{"x = -2 ^ 2", `{"op":"=","args":[{"property":"x"},{"op":"^","args":[-2,2]}]}`},
		{"name = 'O''Brien'", `{"op":"=","args":[{"property":"name"},"O'Brien"]}`},
		{"NOT NOT a IS NULL", `{"op":"not","args":[{"op":"not","args":[{"op":"isNull","args":[{"property":"a"}]}]}]}`},
		{"S_INTERSECTS(geom,BBOX(150,-90,-150,90))", `{"op":"s_intersects","args":[{"property":"geom"},{"bbox":[150,-90,-150,90]}]}`},
		{"t_after(d, timestamp('2020-01-01T10:00:00.5Z'))", `{"op":"t_after","args":[{"property":"d"},{"timestamp":"2020-01-01T10:00:00.5Z"}]}`},
		{"S_INTERSECTS(geom,MULTIPOINT(1 2, 3 4))", `{"op":"s_intersects","args":[{"property":"geom"},{"type":"MultiPoint","coordinates":[[1,2],[3,4]]}]}`},
		{"true", `true`},
	} {
		e, err := ParseText(tc.text, DefaultLimits())
		if err != nil {
			t.Errorf("ParseText(%q): %v", tc.text, err)
			continue
		}
		if got, _ := e.MarshalJSON(); string(got) != tc.want {
			t.Errorf("ParseText(%q)\n got %s\nwant %s", tc.text, got, tc.want)
		}
	}
}

// TestParseErrors: every malformed filter is an *Error saying what is wrong, never a panic.
func TestParseErrors(t *testing.T) {
	lim := DefaultLimits()
	for _, tc := range []struct{ text, want string }{
		{"", "ends where a value"},
		{"a =", "ends where a value"},
		{"a = 'x", "unterminated string"},
		{"a = 1 b", "unexpected"},
		{"a BETWEEN 1 2", "expected AND"},
		{"a IN ()", "at least one value"},
		{"S_INTERSECTS(geom, POLYGON((0 0, 1 0, 1 1, 0 2)))", "not closed"},
		{"S_INTERSECTS(geom, LINESTRING(0 0))", "at least two positions"},
		{"S_INTERSECTS(geom, POINT(0 0, 1 1))", "one position"},
		{"S_INTERSECTS(geom, POINT(0 0 1 2))", "expected"},
		{"S_INTERSECTS(geom)", "takes 2 operands"},
		{"S_INTERSECTS(geom, BBOX(0, 1, 2))", "4 or 6 numbers"},
		{"S_INTERSECTS(geom, BBOX(0, 10, 2, 1))", "south edge"},
		{"d = DATE('2020-13-01')", "not a date"},
		{"d = TIMESTAMP('2020-01-01T00:00:00')", "not a timestamp"},
		{"d = DATE('2020-01-01T00:00:00Z')", "give a date"},
		{"a = 1e999", "out of range"},
		{"a = #", "unexpected character"},
		{"AND(a, b)", "unexpected AND"},
		{"a = like(b)", "unexpected LIKE"},
		{"a = isNull(b)", "operator, not a function"},
		{strings.Repeat("(", 40) + "a=1" + strings.Repeat(")", 40), "nested deeper"},
		{strings.Repeat("NOT ", 40) + "a=1", "nested deeper"},
		{strings.Repeat("- ", 40) + "a=1", "nested deeper"},
		{"a IN (" + strings.Repeat("1,", 1200) + "1)", "more than 1000 terms"},
	} {
		_, err := ParseText(tc.text, lim)
		if err == nil {
			t.Errorf("ParseText(%q): no error, want one containing %q", tc.text, tc.want)
			continue
		}
		if _, ok := err.(*Error); !ok || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseText(%q) = %v (%T), want an *Error containing %q", tc.text, err, err, tc.want)
		}
	}
	for _, tc := range []struct{ json, want string }{
		{`{"op":"=","args":[{"property":"a"}]}`, "takes 2 operand"},
		{`{"op":"=","args":[{"property":"a"},null]}`, "null is not"},
		{`{"op":"=","args":[{"property":"a"},1],"x":1}`, "expected only"},
		{`{"property":""}`, "non-empty"},
		{`{"date":"2020-01-01T00:00:00Z"}`, "not a date"},
		{`{"interval":["2020-01-01"]}`, "two ends"},
		{`{"bbox":[1,2,3]}`, "4 or 6"},
		{`{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}`, "four positions"},
		{`{"type":"Pointy","coordinates":[0,0]}`, "geometry"},
		{`{"foo":1}`, "not a CQL2 expression"},
		{`{"op":"and","args":[true]}`, "at least two"},
		{strings.Repeat(`{"op":"not","args":[`, 200) + "true" + strings.Repeat("]}", 200), "nested deeper"},
		{`[1,`, "not JSON"},
		{`1 2`, "more than one"},
	} {
		_, err := ParseJSON([]byte(tc.json), lim)
		if err == nil {
			t.Errorf("ParseJSON(%s): no error, want one containing %q", tc.json, tc.want)
			continue
		}
		if _, ok := err.(*Error); !ok || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseJSON(%s) = %v (%T), want an *Error containing %q", tc.json, err, err, tc.want)
		}
	}
	big := "S_INTERSECTS(geom, LINESTRING(" + strings.Repeat("1 2, ", 20000) + "1 2))"
	if _, err := ParseText(big, lim); err == nil || !strings.Contains(err.Error(), "coordinates") {
		t.Errorf("a linestring of 20,001 positions: %v, want a coordinates limit", err)
	}
	if _, err := ParseText(strings.Repeat(" ", lim.Bytes+1), lim); err == nil {
		t.Errorf("a filter over %d bytes: no error", lim.Bytes)
	}
}

// FuzzParseText: no input makes the parser panic, and what parses marshals to cql2-json that
// parses back to the same expression.
func FuzzParseText(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join(examples, "text", "*.txt"))
	for _, path := range seeds {
		if b, err := os.ReadFile(path); err == nil {
			f.Add(string(b))
		}
	}
	f.Add("a NOT BETWEEN -1 AND +2 OR b IS NOT NULL")
	f.Add("S_INTERSECTS(g, GEOMETRYCOLLECTION(POINT(1 2), LINESTRING Z(1 2 3, 4 5 6)))")
	f.Fuzz(func(t *testing.T, text string) {
		e, err := ParseText(text, DefaultLimits())
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("ParseText(%q): error of type %T", text, err)
			}
			return
		}
		js, err := e.MarshalJSON()
		if err != nil {
			return // a geometry go-geom cannot write as GeoJSON (mixed layouts) is refused later
		}
		back, err := ParseJSON(js, DefaultLimits())
		if err != nil {
			t.Fatalf("ParseText(%q) marshals to %s, which ParseJSON refuses: %v", text, js, err)
		}
		if again, _ := back.MarshalJSON(); string(again) != string(js) {
			t.Fatalf("ParseText(%q): %s round-trips to %s", text, js, again)
		}
	})
}

// FuzzParseJSON: no input makes the JSON parser panic.
func FuzzParseJSON(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join(examples, "json", "*.json"))
	for _, path := range seeds {
		if b, err := os.ReadFile(path); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, err := ParseJSON(b, DefaultLimits()); err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("ParseJSON(%q): error of type %T", b, err)
			}
		}
	})
}
