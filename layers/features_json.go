package layers

import (
	"slices"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// propertyColumns are the select-list expressions of the properties a features query
// returns, one per selected property in declared order, each read by propertyWriter.
// Strings, integers, booleans and date-times come as values and are written as JSON here,
// byte for byte as PostgreSQL's to_json writes them (TestPropertiesJSONAsPostgreSQL):
// building the object in PostgreSQL (row_to_json of a sub-select per row) cost a third of
// a 1,000-feature page's database time. The other types come as to_json's text.
func propertyColumns(l *Layer, q *Query) (cols []string, props []Property) {
	for _, p := range l.Properties {
		if q.Properties != nil && !slices.Contains(q.Properties, p.Name) {
			continue
		}
		c := "t." + ident(p.Name)
		switch p.Type {
		case String:
			c += "::text"
		case Integer, Boolean, DateTime:
		default:
			c = "to_json(" + c + ")::text"
		}
		cols = append(cols, c)
		props = append(props, p)
	}
	return cols, props
}

// propertyValues holds one row's property values as scanned; the order is propertyColumns'.
type propertyValues struct {
	props []Property
	dest  []any
	str   []pgtype.Text
	ints  []pgtype.Int8
	bools []pgtype.Bool
	times []pgtype.Timestamptz
	raw   [][]byte
}

func newPropertyValues(props []Property) *propertyValues {
	n := len(props)
	v := &propertyValues{props: props, dest: make([]any, n), str: make([]pgtype.Text, n), ints: make([]pgtype.Int8, n),
		bools: make([]pgtype.Bool, n), times: make([]pgtype.Timestamptz, n), raw: make([][]byte, n)}
	for i, p := range props {
		switch p.Type {
		case String:
			v.dest[i] = &v.str[i]
		case Integer:
			v.dest[i] = &v.ints[i]
		case Boolean:
			v.dest[i] = &v.bools[i]
		case DateTime:
			v.dest[i] = &v.times[i]
		default:
			v.dest[i] = &v.raw[i]
		}
	}
	return v
}

// appendJSON appends the row's properties as a JSON object, keys in declared order.
func (v *propertyValues) appendJSON(b []byte) []byte {
	b = append(b, '{')
	for i, p := range v.props {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, p.Name)
		b = append(b, ':')
		switch p.Type {
		case String:
			if !v.str[i].Valid {
				b = append(b, "null"...)
			} else {
				b = appendJSONString(b, v.str[i].String)
			}
		case Integer:
			if !v.ints[i].Valid {
				b = append(b, "null"...)
			} else {
				b = strconv.AppendInt(b, v.ints[i].Int64, 10)
			}
		case Boolean:
			if !v.bools[i].Valid {
				b = append(b, "null"...)
			} else {
				b = strconv.AppendBool(b, v.bools[i].Bool)
			}
		case DateTime:
			b = appendJSONTime(b, v.times[i])
		default:
			if v.raw[i] == nil {
				b = append(b, "null"...)
			} else {
				b = append(b, v.raw[i]...)
			}
		}
	}
	return append(b, '}')
}

// appendJSONString writes s as PostgreSQL's escape_json does: ", \ and the control
// characters escaped (\b \f \n \r \t, the others as \u00xx), everything else as it is.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= ' ' && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"':
			b = append(b, `\"`...)
		case '\\':
			b = append(b, `\\`...)
		case '\b':
			b = append(b, `\b`...)
		case '\f':
			b = append(b, `\f`...)
		case '\n':
			b = append(b, `\n`...)
		case '\r':
			b = append(b, `\r`...)
		case '\t':
			b = append(b, `\t`...)
		default:
			const hex = "0123456789abcdef"
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendJSONTime writes t as to_json writes a timestamptz in the pool's time zone (UTC,
// ConfigurePool): "2006-01-02T15:04:05.999999+00:00", fractional zeros dropped.
func appendJSONTime(b []byte, t pgtype.Timestamptz) []byte {
	switch {
	case !t.Valid:
		return append(b, "null"...)
	case t.InfinityModifier == pgtype.Infinity:
		return append(b, `"infinity"`...)
	case t.InfinityModifier == pgtype.NegativeInfinity:
		return append(b, `"-infinity"`...)
	}
	u := t.Time.UTC()
	b = append(b, '"')
	y := u.Year()
	if y <= 0 { // PostgreSQL counts years before Christ from 1, with a suffix
		b = appendYear(b, 1-y)
	} else {
		b = appendYear(b, y)
	}
	// "-01-02T15:04:05", the fraction without trailing zeros, "+00:00": by hand, as
	// time.Format took a tenth of the server's time on a page of 1,000 observations.
	_, mo, d := u.Date()
	h, mi, sec := u.Clock()
	b = append(b, '-', byte('0'+mo/10), byte('0'+mo%10), '-', byte('0'+d/10), byte('0'+d%10), 'T',
		byte('0'+h/10), byte('0'+h%10), ':', byte('0'+mi/10), byte('0'+mi%10), ':', byte('0'+sec/10), byte('0'+sec%10))
	if us := u.Nanosecond() / 1000; us > 0 {
		digits := 6
		for us%10 == 0 {
			us /= 10
			digits--
		}
		var frac [7]byte
		frac[0] = '.'
		for i := digits; i > 0; i-- {
			frac[i] = byte('0' + us%10)
			us /= 10
		}
		b = append(b, frac[:digits+1]...)
	}
	b = append(b, "+00:00"...)
	if y <= 0 {
		b = append(b, " BC"...)
	}
	return append(b, '"')
}

// appendYear writes y with at least four digits.
func appendYear(b []byte, y int) []byte {
	for d := 1000; d > 1 && y < d; d /= 10 {
		b = append(b, '0')
	}
	return strconv.AppendInt(b, int64(y), 10)
}

// featureScanner reads the rows of a features query (sqlParts.sel, then any extra columns)
// into Features, the properties' JSON of a whole page in one buffer.
type featureScanner struct {
	vals *propertyValues
	dest []any
	id   []byte
	f    Feature
	buf  []byte
}

func (p *sqlParts) scanner(extra ...any) *featureScanner {
	s := &featureScanner{vals: newPropertyValues(p.props), buf: make([]byte, 0, 4096)}
	s.dest = append([]any{&s.id, &s.f.Geometry, &s.f.Class}, s.vals.dest...)
	s.dest = append(s.dest, extra...)
	return s
}

// scan reads row into a new Feature (and the extra destinations given to scanner).
func (s *featureScanner) scan(row pgx.Row) (Feature, error) {
	s.f = Feature{}
	if err := row.Scan(s.dest...); err != nil {
		return Feature{}, err
	}
	f := s.f
	f.ID = s.id
	start := len(s.buf)
	s.buf = s.vals.appendJSON(s.buf)
	f.Properties = s.buf[start:len(s.buf):len(s.buf)]
	return f, nil
}
