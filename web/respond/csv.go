package respond

import (
	"encoding/csv"
	"io"
	"math"
	"strconv"
)

// CSVWriter is a csv.Writer whose every cell goes through CSVCell: the exports are opened in
// spreadsheets (Excel, LibreOffice), which run a cell starting with = + - @ as a formula, and
// their text comes from editors and partners of other organisations.
type CSVWriter struct{ *csv.Writer }

func NewCSVWriter(w io.Writer) CSVWriter { return CSVWriter{csv.NewWriter(w)} }

// Write writes row with each cell neutralised; row itself is not changed.
func (w CSVWriter) Write(row []string) error {
	out := make([]string, len(row))
	for k, c := range row {
		out[k] = CSVCell(c)
	}
	return w.Writer.Write(out)
}

// CSVCell prefixes a cell that a spreadsheet would read as a formula (starting with =, +, -,
// @, tab or carriage return) with an apostrophe, as OWASP advises; a finite number such as
// -4.39 is left alone, being no formula and meant to stay a number.
func CSVCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			return s
		}
		return "'" + s
	}
	return s
}
