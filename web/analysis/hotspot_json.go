package analysis

import (
	"math"
	"slices"
	"strconv"

	"github.com/lagesbild/lagesbild/web/respond"
)

// An analysis answer is mostly its cells: 12,000 hexagons are 6 MB of GeoJSON, and
// encoding/json spent 75 ms of a Gi* request on them, most of it reflecting on each cell's
// property map and sorting its keys. encodeDoc writes the cells itself and leaves everything
// else to respond.JSON, byte for byte what respond.JSON writes for the whole document
// (TestEncodeDocIsRespondJSON): the same key order, number forms and escapes.

// encodeDoc is respond.JSON(doc), with a []cellFeature value written by appendFeatures.
func encodeDoc(doc map[string]any) []byte {
	keys := make([]string, 0, len(doc))
	for k := range doc {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	size := 64
	if fs, ok := doc["features"].([]cellFeature); ok {
		size += 520 * len(fs)
	}
	b := make([]byte, 0, size)
	b = append(b, '{')
	for n, k := range keys {
		if n > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		if fs, ok := doc[k].([]cellFeature); ok {
			b = appendFeatures(b, fs)
		} else {
			b = append(b, respond.JSON(doc[k])...)
		}
	}
	return append(b, '}')
}

// appendFeatures writes fs as encoding/json does: the struct fields in their order, the
// properties' keys sorted.
func appendFeatures(b []byte, fs []cellFeature) []byte {
	if fs == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for n := range fs {
		if n > 0 {
			b = append(b, ',')
		}
		f := &fs[n]
		b = append(b, `{"type":`...)
		b = appendString(b, f.Type)
		b = append(b, `,"id":`...)
		b = appendString(b, f.ID)
		b = append(b, `,"geometry":{"type":`...)
		b = appendString(b, f.Geometry.Type)
		b = append(b, `,"coordinates":`...)
		b = appendRings(b, f.Geometry.Coordinates)
		b = append(b, `},"properties":`...)
		b = appendProps(b, f.Properties)
		b = append(b, '}')
	}
	return append(b, ']')
}

func appendRings(b []byte, rings [][][]float64) []byte {
	if rings == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for n, ring := range rings {
		if n > 0 {
			b = append(b, ',')
		}
		if ring == nil {
			b = append(b, "null"...)
			continue
		}
		b = append(b, '[')
		for m, p := range ring {
			if m > 0 {
				b = append(b, ',')
			}
			b = appendFloats(b, p)
		}
		b = append(b, ']')
	}
	return append(b, ']')
}

func appendProps(b []byte, props map[string]any) []byte {
	if props == nil {
		return append(b, "null"...)
	}
	var buf [16]string
	keys := buf[:0]
	for k := range props {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for n, k := range keys {
		if n > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		b = appendValue(b, props[k])
	}
	return append(b, '}')
}

// appendValue writes the values the analyses' properties hold; any other goes to respond.JSON.
func appendValue(b []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...)
	case bool:
		return strconv.AppendBool(b, v)
	case int:
		return strconv.AppendInt(b, int64(v), 10)
	case int64:
		return strconv.AppendInt(b, v, 10)
	case float64:
		return appendFloat(b, v)
	case string:
		return appendString(b, v)
	case []float64:
		return appendFloats(b, v)
	}
	return append(b, respond.JSON(v)...)
}

func appendFloats(b []byte, v []float64) []byte {
	if v == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for n, f := range v {
		if n > 0 {
			b = append(b, ',')
		}
		b = appendFloat(b, f)
	}
	return append(b, ']')
}

// appendFloat writes f as encoding/json writes a float64: the shortest form, in exponent form
// below 1e-6 and from 1e21, with a two-digit negative exponent shortened (1e-07 → 1e-7).
// NaN and infinities go to respond.JSON, which refuses them as before.
func appendFloat(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, respond.JSON(f)...)
	}
	abs, format := math.Abs(f), byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// appendString writes s quoted; a string with anything but printable ASCII other than the
// quote and the backslash goes to respond.JSON for its escapes.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return append(b, respond.JSON(s)...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
