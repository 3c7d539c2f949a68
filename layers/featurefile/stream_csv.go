package featurefile

import (
	"bufio"
	"encoding/csv"
	"errors"
	"io"
	"strconv"
	"strings"
)

// csvStream reads a CSV file with a header row, one record at a time; records are numbered
// by line, as a spreadsheet shows them.
type csvStream[T any] struct {
	r       *csv.Reader
	line    int64
	cols    []int // per field, its column, -1 when missing
	x, y    int
	srid    int
	rec     Record
	convert func(*Record) (T, error)
}

func newCSVStream[T any](r io.Reader, opt StreamOptions, convert func(*Record) (T, error)) (*csvStream[T], error) {
	br := bufio.NewReaderSize(r, 1<<20)
	head, err := br.Peek(4096)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, fileErr("%v", err)
	}
	cr := csv.NewReader(br)
	cr.Comma = detectDelimiter(head)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return nil, &Error{Line: 1, Msg: "no header: " + csvStreamMsg(err)}
	}
	index := map[string]int{}
	for k, h := range header {
		index[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = k
	}
	column := func(name string) (int, bool) {
		k, ok := index[strings.ToLower(name)]
		return k, ok
	}
	c := &csvStream[T]{r: cr, line: 1, convert: convert, cols: make([]int, len(opt.Fields))}
	for i, f := range opt.Fields {
		k, ok := column(f.Name)
		if !ok && !f.Optional {
			return nil, &Error{Line: 1, Msg: "the header has no " + f.Name + " column"}
		}
		if !ok {
			k = -1
		}
		c.cols[i] = k
	}
	found := false
	var want []string
	for _, cc := range opt.Coordinates {
		x, okX := column(cc.X)
		y, okY := column(cc.Y)
		if okX && okY {
			c.x, c.y, c.srid, found = x, y, cc.SRID, true
			break
		}
		want = append(want, cc.X+" and "+cc.Y+" ("+crsLabel(cc.SRID)+")")
	}
	if !found {
		return nil, &Error{Line: 1, Msg: "the header needs " + strings.Join(want, " or ") + " columns"}
	}
	c.rec.Values = make([]Value, len(opt.Fields))
	return c, nil
}

func crsLabel(srid int) string {
	if srid == 4326 {
		return "CRS84"
	}
	return "EPSG:" + strconv.Itoa(srid)
}

// next reads and converts up to BatchSize records; the records before an error come with it.
func (c *csvStream[T]) next() ([]T, error) {
	out := make([]T, 0, BatchSize)
	for len(out) < BatchSize {
		v, err := c.record()
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
	return out, nil
}

func (c *csvStream[T]) record() (T, error) {
	var zero T
	fields, err := c.r.Read()
	if errors.Is(err, io.EOF) {
		return zero, io.EOF
	}
	c.line++
	if err != nil {
		return zero, &Error{Line: int(c.line), Msg: csvStreamMsg(err)}
	}
	cell := func(k int) string {
		if k < 0 || k >= len(fields) {
			return ""
		}
		return strings.TrimSpace(fields[k])
	}
	a, errA := parseNumber(cell(c.x), c.r.Comma)
	b, errB := parseNumber(cell(c.y), c.r.Comma)
	if errA != nil || errB != nil {
		return zero, &Error{Line: int(c.line), Msg: "the coordinates " + strconv.Quote(cell(c.x)) + ", " + strconv.Quote(cell(c.y)) + " are not numbers"}
	}
	rec := &c.rec
	rec.Number, rec.X, rec.Y, rec.SRID = c.line, a, b, c.srid
	for i, k := range c.cols {
		if s := cell(k); s != "" {
			rec.Values[i] = Value{Kind: Text, S: s}
		} else {
			rec.Values[i] = Value{}
		}
	}
	return c.convert(rec)
}

func (c *csvStream[T]) close() {}

// csvStreamMsg words a CSV error without its own line number, which the Error carries.
func csvStreamMsg(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		if errors.Is(pe.Err, csv.ErrFieldCount) {
			return "the row has a different number of columns from the header"
		}
		return pe.Err.Error()
	}
	return truncate(err.Error())
}

// parseNumber reads a number as a Swedish spreadsheet may write it too: with a decimal comma
// (when the delimiter is not a comma) and spaces, no-break or thin spaces between thousands.
func parseNumber(s string, delimiter rune) (float64, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err == nil {
		return v, nil
	}
	t := strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\u00a0', '\u2009', '\u202f':
			return -1
		}
		return r
	}, s)
	if delimiter != ',' && strings.Count(t, ",") == 1 && !strings.Contains(t, ".") {
		t = strings.Replace(t, ",", ".", 1)
	}
	if v, err2 := strconv.ParseFloat(t, 64); err2 == nil {
		return v, nil
	}
	return 0, err
}
