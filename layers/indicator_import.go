package layers

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// ParseIndicatorCSV reads indicator values in long format: a header naming an area code
// column (code, district_code, deso or regso), indicator (or indicator_key), year and value,
// then one value per row. Comma and semicolon delimiters are detected from the header; with
// semicolons a decimal comma is accepted, as Swedish spreadsheets write it. An empty value
// is missing and skipped, never read as 0. Errors give the line number.
func ParseIndicatorCSV(r io.Reader) ([]IndicatorRow, error) {
	br := bufio.NewReader(r)
	head, err := br.Peek(4096)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, Invalid("file", "%v", err)
	}
	first, _, _ := strings.Cut(strings.TrimPrefix(string(head), "\ufeff"), "\n")
	delim := ','
	if strings.Count(first, ";") > strings.Count(first, ",") {
		delim = ';'
	}
	cr := csv.NewReader(br)
	cr.Comma = delim
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, Invalid("file", "line 1: no header: %v", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	find := func(names ...string) int {
		for _, n := range names {
			if i, ok := col[n]; ok {
				return i
			}
		}
		return -1
	}
	codeC, indC, yearC, valC := find("code", "district_code", "deso", "regso"), find("indicator", "indicator_key"), find("year", "ar", "år"), find("value", "varde", "värde")
	if codeC < 0 || indC < 0 || yearC < 0 || valC < 0 {
		return nil, Invalid("file", "line 1: the header needs columns code, indicator, year and value (got %s)", strings.Join(header, string(delim)))
	}
	var rows []IndicatorRow
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, Invalid("file", "line %d: %v", line, err)
		}
		if len(rec) <= max(codeC, indC, yearC, valC) {
			return nil, Invalid("file", "line %d: %d fields, want at least %d", line, len(rec), max(codeC, indC, yearC, valC)+1)
		}
		raw := strings.TrimSpace(rec[valC])
		if raw == "" || raw == ".." || raw == "-" { // PX-Web and SCB mark missing values so
			continue
		}
		if delim == ';' {
			raw = strings.Replace(raw, ",", ".", 1)
		}
		v, err := strconv.ParseFloat(raw, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, Invalid("file", "line %d: value %q is not a number", line, rec[valC])
		}
		y, err := strconv.Atoi(strings.TrimSpace(rec[yearC]))
		if err != nil || y < 1900 || y > 2100 {
			return nil, Invalid("file", "line %d: year %q is not a year", line, rec[yearC])
		}
		rows = append(rows, IndicatorRow{Line: line, AreaCode: strings.TrimSpace(rec[codeC]),
			IndicatorKey: strings.TrimSpace(rec[indC]), Year: y, Value: v})
	}
	return rows, nil
}

// ImportSummary says what an import did.
type ImportSummary struct {
	Rows     int // values read
	Inserted int64
	Updated  int64
}

// ImportIndicatorValues stores rows in one transaction: every area code must be a district
// (of any level) and every key an indicator in the catalogue, or nothing is written and the
// error lists the first unknown ones with their line numbers. Existing values for the same
// area, indicator and year are replaced; imported values are not illustrative.
func (s *Store) ImportIndicatorValues(ctx context.Context, rows []IndicatorRow) (ImportSummary, error) {
	sum := ImportSummary{Rows: len(rows)}
	if len(rows) == 0 {
		return sum, Invalid("file", "no values to import")
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE import_values (
			line int, district_code text, indicator_key text, year smallint, value double precision) ON COMMIT DROP`); err != nil {
			return err
		}
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"import_values"},
			[]string{"line", "district_code", "indicator_key", "year", "value"},
			pgx.CopyFromSlice(len(rows), func(i int) ([]any, error) {
				r := rows[i]
				return []any{r.Line, r.AreaCode, r.IndicatorKey, r.Year, r.Value}, nil
			}))
		if err != nil {
			return fmt.Errorf("copy: %w", err)
		}
		var problems []string
		prow, err := tx.Query(ctx, importProblemsSQL)
		if err != nil {
			return err
		}
		for prow.Next() {
			var p string
			if err := prow.Scan(&p); err != nil {
				return err
			}
			problems = append(problems, p)
		}
		if err := prow.Err(); err != nil {
			return err
		}
		if len(problems) > 0 {
			return Invalid("file", "%s", strings.Join(problems, "; "))
		}
		return tx.QueryRow(ctx, importUpsertSQL).Scan(&sum.Inserted, &sum.Updated)
	})
	if err != nil {
		var inv *InvalidError
		if errors.As(err, &inv) {
			return ImportSummary{}, err
		}
		return ImportSummary{}, fmt.Errorf("import indicator values: %w", err)
	}
	return sum, nil
}

// importProblemsSQL lists the first unknown area codes and indicator keys, and duplicates
// within the file, each with a line number.
const importProblemsSQL = `
(SELECT 'line ' || min(line) || ': unknown area code ' || quote_literal(district_code)
   FROM import_values v WHERE NOT EXISTS (SELECT 1 FROM districts d WHERE d.code = v.district_code)
   GROUP BY district_code ORDER BY min(line) LIMIT 5)
UNION ALL
(SELECT 'line ' || min(line) || ': unknown indicator ' || quote_literal(indicator_key)
   FROM import_values v WHERE NOT EXISTS (SELECT 1 FROM indicators i WHERE i.key = v.indicator_key)
   GROUP BY indicator_key ORDER BY min(line) LIMIT 5)
UNION ALL
(SELECT 'lines ' || min(line) || ' and ' || max(line) || ': the same area, indicator and year twice'
   FROM import_values GROUP BY district_code, indicator_key, year HAVING count(*) > 1 ORDER BY min(line) LIMIT 5)`

// importUpsertSQL writes the staged values; xmax = 0 tells an inserted row from an updated one.
const importUpsertSQL = `
WITH up AS (
    INSERT INTO indicator_values (district_code, indicator_key, year, value, illustrative)
    SELECT district_code, indicator_key, year, value, false FROM import_values
    ON CONFLICT (district_code, indicator_key, year)
    DO UPDATE SET value = EXCLUDED.value, illustrative = false
    RETURNING (xmax = 0) AS inserted
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM up`
