package respond

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/lagesbild/lagesbild/layers"
)

// Every CSV answer of the API (items, priority, follow-up, plans, forecast, partner layers)
// goes out through Sender.send, which makes it a download a Swedish planner can open by double-click
// (issue 14, point 11): a UTF-8 byte order mark (Excel then reads å, ä, ö), a file name
// (Content-Disposition; the handler's own, or one from the path), and on request the form
// Swedish Excel reads without the import wizard: ?dialect=excel-sv gives semicolons between
// fields and a decimal comma in numbers. Without dialect the CSV is RFC 4180 (commas, points).

// csvDialectKey is where the Pre middleware leaves the dialect a request asked for.
const csvDialectKey = "lagesbild.csvDialect"

// dialectExcelSV is the Swedish Excel form: ";" between fields, "," in decimal numbers.
const dialectExcelSV = "excel-sv"

// CSVDialect is middleware that takes the dialect parameter out of the query before any
// handler reads it (so the handlers' lists of allowed parameters need not name it) and
// refuses an unknown one. Mount it with Echo's Pre, before routing, when nothing has read
// the query yet.
func CSVDialect(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if !strings.Contains(req.URL.RawQuery, "dialect") {
			return next(c)
		}
		q, err := url.ParseQuery(req.URL.RawQuery)
		if err != nil || !q.Has("dialect") {
			return next(c) // the handlers refuse an unreadable query themselves
		}
		switch d := q["dialect"]; {
		case len(d) > 1:
			return layers.Invalid("dialect", "given %d times; give it once", len(d))
		case d[0] == "rfc4180":
		case d[0] == dialectExcelSV:
			c.Set(csvDialectKey, dialectExcelSV)
		default:
			return layers.Invalid("dialect", "unknown CSV dialect %q; use excel-sv (semicolons, decimal comma) or rfc4180 (the default)", d[0])
		}
		c.Set(csvDialectKey+".asked", true)
		q.Del("dialect")
		req.URL.RawQuery = q.Encode()
		return next(c)
	}
}

// csvDownload makes a CSV body a download: the byte order mark, a file name when the
// handler gave none, and the dialect asked for. A dialect asked of an answer that is not
// CSV is refused (it would be silently ignored otherwise). changed says whether the body
// differs from the one given (its ETag must then be computed anew).
func csvDownload(c echo.Context, contentType string, body []byte) (out []byte, changed bool, err error) {
	if !strings.HasPrefix(contentType, "text/csv") {
		if asked, _ := c.Get(csvDialectKey + ".asked").(bool); asked {
			return nil, false, layers.Invalid("dialect", "applies to CSV answers only (f=csv)")
		}
		return body, false, nil
	}
	h := c.Response().Header()
	if h.Get(echo.HeaderContentDisposition) == "" {
		name := strings.ReplaceAll(strings.Trim(c.Request().URL.Path, "/"), "/", "-")
		h.Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s.csv"`, cmp.Or(name, "lagesbild")))
	}
	d, _ := c.Get(csvDialectKey).(string)
	if d != dialectExcelSV && bytes.HasPrefix(body, []byte(bom)) {
		return body, false, nil
	}
	out = bytes.TrimPrefix(body, []byte(bom))
	if d == dialectExcelSV {
		if out, err = excelSV(out); err != nil {
			return nil, false, err
		}
	}
	return append([]byte(bom), out...), true, nil
}

const bom = "\ufeff"

// plainNumber is a number as the CSV writers write them (strconv): no thousands separator.
var plainNumber = regexp.MustCompile(`^-?[0-9]+\.[0-9]+(?:[eE][-+]?[0-9]+)?$`)

// excelSV rewrites an RFC 4180 CSV with ";" between fields and a decimal comma in every
// field that is a plain decimal number; text, dates and identifiers stay as they are.
func excelSV(body []byte) ([]byte, error) {
	r := csv.NewReader(bytes.NewReader(body))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("csv dialect: read the answer: %w", err)
	}
	var out bytes.Buffer
	w := csv.NewWriter(&out)
	w.Comma = ';'
	for _, row := range rows {
		for i, f := range row {
			if plainNumber.MatchString(f) {
				row[i] = strings.Replace(f, ".", ",", 1)
			}
		}
		if err := w.Write(row); err != nil {
			return nil, fmt.Errorf("csv dialect: %w", err)
		}
	}
	w.Flush()
	return out.Bytes(), w.Error()
}
