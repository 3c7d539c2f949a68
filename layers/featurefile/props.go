package featurefile

import (
	"encoding/json"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// A raw property value as the file gives it, before the column's type is known.
type rawKind uint8

const (
	rawNull   rawKind = iota
	rawText           // a CSV cell: may turn out to be a number, boolean or date
	rawString         // a JSON string: a date or datetime at most, never a number
	rawNumber         // a JSON number, its text in s
	rawBool           // b
	rawJSON           // a nested JSON object or array, its text in s
)

type rawValue struct {
	kind rawKind
	s    string
	b    bool
}

// typeMask is the set of FieldTypes a value can be read as.
type typeMask uint8

const (
	mInteger typeMask = 1 << iota
	mNumber
	mBoolean
	mDate
	mDateTime
)

// inferenceOrder is tried first to last; string is the fallback every value fits.
var inferenceOrder = []struct {
	m typeMask
	t FieldType
}{{mInteger, Integer}, {mNumber, Number}, {mBoolean, Boolean}, {mDate, Date}, {mDateTime, DateTime}}

var (
	dateRE     = regexp.MustCompile(`^[0-9]{4}([-/])[0-9]{2}[-/][0-9]{2}$`) // GDAL's CSV writes 2024/03/01
	dateTimeRE = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}`)
)

// propsBuilder collects the properties of every feature in file order, then types them.
type propsBuilder struct {
	limits       Limits
	decimalComma bool // CSV with ';': "3,5" is a number
	names        []string
	index        map[string]int
	rows         [][]rawValue // per feature, per column (short rows: missing = null)
}

func newPropsBuilder(l Limits) *propsBuilder {
	return &propsBuilder{limits: l, index: map[string]int{}}
}

// column returns the index of the property name, adding it if new.
func (p *propsBuilder) column(feature int, name string) (int, error) {
	if i, ok := p.index[name]; ok {
		return i, nil
	}
	if len(p.names) >= p.limits.MaxFields {
		return 0, tooLarge(feature, "more than %d properties (at %q)", p.limits.MaxFields, truncate(name))
	}
	if !utf8.ValidString(name) {
		return 0, featErr(feature, "a property name is not valid UTF-8")
	}
	p.index[name] = len(p.names)
	p.names = append(p.names, name)
	return len(p.names) - 1, nil
}

func (p *propsBuilder) add(row []rawValue) { p.rows = append(p.rows, row) }

func (p *propsBuilder) mask(v rawValue) typeMask {
	switch v.kind {
	case rawNumber:
		if _, err := strconv.ParseInt(v.s, 10, 64); err == nil {
			return mInteger | mNumber
		}
		if f, err := strconv.ParseFloat(v.s, 64); err == nil && !math.IsInf(f, 0) {
			return mNumber
		}
		return 0 // beyond float64: kept as its text
	case rawBool:
		return mBoolean
	case rawString:
		return dateMask(v.s)
	case rawText:
		s := strings.TrimSpace(v.s)
		var m typeMask
		if _, err := strconv.ParseInt(s, 10, 64); err == nil {
			m |= mInteger | mNumber
		} else if _, ok := p.parseNumber(s); ok {
			m |= mNumber
		}
		switch strings.ToLower(s) {
		case "true", "false":
			m |= mBoolean
		}
		return m | dateMask(s)
	}
	return 0
}

func dateMask(s string) typeMask {
	if dateRE.MatchString(s) {
		if _, err := parseDate(s); err == nil {
			return mDate
		}
	} else if dateTimeRE.MatchString(s) {
		if _, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return mDateTime
		}
	}
	return 0
}

// parseNumber reads a finite decimal number, with a decimal comma when the CSV's delimiter is
// ';' (Swedish Excel); Inf, NaN and hexadecimal are text.
func (p *propsBuilder) parseNumber(s string) (float64, bool) {
	if p.decimalComma && strings.Count(s, ",") == 1 && !strings.Contains(s, ".") {
		s = strings.Replace(s, ",", ".", 1)
	}
	if s == "" || strings.ContainsAny(s, "xXpPiInN_") {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// build types every column and converts the values; features must be in the order of add.
func (p *propsBuilder) build(features []Feature) []Field {
	fields := make([]Field, len(p.names))
	names := sanitiseNames(p.names)
	for c := range p.names {
		all, seen := mInteger|mNumber|mBoolean|mDate|mDateTime, false
		for _, row := range p.rows {
			if c < len(row) && row[c].kind != rawNull {
				all &= p.mask(row[c])
				seen = true
			}
		}
		if !seen {
			all = 0 // a column of nulls only is a string column
		}
		t := String
		for _, o := range inferenceOrder {
			if all&o.m != 0 {
				t = o.t
				break
			}
		}
		fields[c] = Field{Name: names[c], Type: t, Original: p.names[c]}
	}
	for i, row := range p.rows {
		props := make(map[string]any, len(fields))
		for c, f := range fields {
			var v rawValue
			if c < len(row) {
				v = row[c]
			}
			props[f.Name] = p.convert(v, f.Type)
		}
		features[i].Properties = props
	}
	return fields
}

func (p *propsBuilder) convert(v rawValue, t FieldType) any {
	if v.kind == rawNull {
		return nil
	}
	s := v.s
	if v.kind == rawText {
		s = strings.TrimSpace(s)
	}
	switch t {
	case Integer:
		n, _ := strconv.ParseInt(s, 10, 64)
		return n
	case Number:
		if v.kind == rawNumber {
			f, _ := strconv.ParseFloat(s, 64)
			return f
		}
		f, _ := p.parseNumber(s)
		return f
	case Boolean:
		if v.kind == rawBool {
			return v.b
		}
		return strings.EqualFold(s, "true")
	case Date:
		d, _ := parseDate(s)
		return d
	case DateTime:
		d, _ := time.Parse(time.RFC3339Nano, s)
		return d
	}
	switch v.kind {
	case rawBool:
		return strconv.FormatBool(v.b)
	case rawText:
		return v.s
	}
	return s
}

// jsonRaw turns a decoded JSON property value into a rawValue.
func jsonRaw(m json.RawMessage) rawValue {
	t := strings.TrimSpace(string(m))
	switch {
	case t == "null" || t == "":
		return rawValue{}
	case t == "true" || t == "false":
		return rawValue{kind: rawBool, b: t == "true"}
	case t[0] == '"':
		var s string
		if json.Unmarshal(m, &s) == nil {
			return rawValue{kind: rawString, s: s}
		}
		return rawValue{kind: rawJSON, s: t}
	case t[0] == '{' || t[0] == '[':
		return rawValue{kind: rawJSON, s: t}
	}
	return rawValue{kind: rawNumber, s: t}
}

// sanitiseNames maps property names to a safe set: lower-case ASCII letters, digits and _,
// starting with a letter or _, at most 63 bytes (PostgreSQL's identifier length), unique.
// Swedish letters are folded (å, ä → a; ö → o) so "Område" stays readable as "omrade".
func sanitiseNames(names []string) []string {
	out := make([]string, len(names))
	used := map[string]bool{}
	for i, n := range names {
		var b strings.Builder
		for _, r := range strings.ToLower(n) {
			switch {
			case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_':
				b.WriteRune(r)
			case r == 'å' || r == 'ä' || r == 'á' || r == 'à':
				b.WriteByte('a')
			case r == 'ö' || r == 'ø' || r == 'ó':
				b.WriteByte('o')
			case r == 'é' || r == 'è' || r == 'ë':
				b.WriteByte('e')
			case r == 'ü':
				b.WriteByte('u')
			default:
				if s := b.String(); s != "" && !strings.HasSuffix(s, "_") {
					b.WriteByte('_')
				}
			}
		}
		s := strings.TrimRight(b.String(), "_")
		if s == "" {
			s = "field"
		}
		if s[0] >= '0' && s[0] <= '9' {
			s = "f_" + s
		}
		if len(s) > 63 {
			s = s[:63]
		}
		base := s
		for k := 2; used[s]; k++ {
			suffix := "_" + strconv.Itoa(k)
			s = base
			if len(s)+len(suffix) > 63 {
				s = s[:63-len(suffix)]
			}
			s += suffix
		}
		used[s] = true
		out[i] = s
	}
	return out
}

// truncate shortens a name or value quoted in a message.
func truncate(s string) string {
	if len(s) <= 60 {
		return s
	}
	for i := 60; i > 0; i-- {
		if utf8.RuneStart(s[i]) {
			return s[:i] + "…"
		}
	}
	return ""
}

func itoa(n int) string { return strconv.Itoa(n) }

func parseDate(s string) (time.Time, error) {
	return time.Parse(time.DateOnly, strings.ReplaceAll(s, "/", "-"))
}
