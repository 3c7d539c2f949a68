package layers

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// IndicatorRow is one value to import: an area's value of an indicator in a year.
type IndicatorRow struct {
	Line         int // row or cell number in the source, for error messages
	AreaCode     string
	IndicatorKey string
	Year         int
	Value        float64
}

// JSONStatMapping says how the dimensions of a JSON-stat dataset map onto indicator values.
type JSONStatMapping struct {
	AreaDim string // e.g. "Region"
	TimeDim string // e.g. "Tid"; categories like "2021"
	// ContentsDim is the dimension of measures ("ContentsCode" in PX-Web); each of its
	// categories that is imported must be named in Indicators. Empty when the dataset has
	// a single measure, which then goes to Indicator.
	ContentsDim string
	Indicators  map[string]string // contents category → indicator key
	Indicator   string            // the key when there is no contents dimension
}

// maxJSONStatCells bounds a dataset's size (the product of its dimension sizes), so a hostile
// file cannot make the importer allocate without limit.
const maxJSONStatCells = 50_000_000

type jsonStat struct {
	Version   string                 `json:"version"`
	Class     string                 `json:"class"`
	ID        []string               `json:"id"`
	Size      []int                  `json:"size"`
	Dimension map[string]jsonStatDim `json:"dimension"`
	Value     json.RawMessage        `json:"value"`
}

type jsonStatDim struct {
	Label    string `json:"label"`
	Category struct {
		Index json.RawMessage   `json:"index"`
		Label map[string]string `json:"label"`
	} `json:"category"`
}

// ParseJSONStat reads a JSON-stat 2.0 dataset, as Statistics Sweden's PX-Web API answers
// with `"response": {"format": "json-stat2"}`, and returns one row per non-missing value.
// Missing values (null, or absent in a sparse value object) are skipped, never read as 0.
// Errors name the dimension, category or cell at fault.
func ParseJSONStat(r io.Reader, m JSONStatMapping) ([]IndicatorRow, error) {
	var ds jsonStat
	dec := json.NewDecoder(io.LimitReader(r, 512<<20))
	if err := dec.Decode(&ds); err != nil {
		return nil, Invalid("file", "not JSON-stat: %v", err)
	}
	if ds.Version != "2.0" || ds.Class != "dataset" {
		return nil, Invalid("file", "want a JSON-stat 2.0 dataset (version \"2.0\", class \"dataset\"), got version %q class %q", ds.Version, ds.Class)
	}
	if len(ds.ID) != len(ds.Size) || len(ds.ID) == 0 {
		return nil, Invalid("file", "id has %d dimensions but size has %d", len(ds.ID), len(ds.Size))
	}
	cells := 1
	for i, n := range ds.Size {
		if n <= 0 {
			return nil, Invalid("file", "dimension %s has size %d", ds.ID[i], n)
		}
		if cells > maxJSONStatCells/n {
			return nil, Invalid("file", "dataset larger than %d cells", maxJSONStatCells)
		}
		cells *= n
	}

	// categories[d][k] is the code of category k of dimension d, in index order.
	categories := make([][]string, len(ds.ID))
	pos := map[string]int{}
	for d, id := range ds.ID {
		pos[id] = d
		dim, ok := ds.Dimension[id]
		if !ok {
			return nil, Invalid("file", "dimension %s listed in id but not described", id)
		}
		codes, err := categoryCodes(dim, ds.Size[d])
		if err != nil {
			return nil, Invalid("file", "dimension %s: %v", id, err)
		}
		categories[d] = codes
	}
	need := func(name, what string) (int, error) {
		d, ok := pos[name]
		if !ok {
			return 0, Invalid(what, "dimension %q not in the dataset (it has %s)", name, strings.Join(ds.ID, ", "))
		}
		return d, nil
	}
	areaD, err := need(m.AreaDim, "area-dimension")
	if err != nil {
		return nil, err
	}
	timeD, err := need(m.TimeDim, "time-dimension")
	if err != nil {
		return nil, err
	}
	contentsD := -1
	if m.ContentsDim != "" {
		if contentsD, err = need(m.ContentsDim, "contents-dimension"); err != nil {
			return nil, err
		}
	} else if m.Indicator == "" {
		return nil, Invalid("indicator", "name the indicator key, or the contents dimension and its mapping")
	}
	for d, id := range ds.ID {
		if d != areaD && d != timeD && d != contentsD && ds.Size[d] != 1 {
			return nil, Invalid("file", "dimension %s has %d categories; select one of them in the query, or map it", id, ds.Size[d])
		}
	}
	years := make([]int, len(categories[timeD]))
	for k, code := range categories[timeD] {
		y, err := strconv.Atoi(code)
		if err != nil || y < 1900 || y > 2100 {
			return nil, Invalid("time-dimension", "category %q is not a year; only annual values can be imported", code)
		}
		years[k] = y
	}
	keys := make([]string, 0)
	if contentsD >= 0 {
		keys = make([]string, len(categories[contentsD]))
		for k, code := range categories[contentsD] {
			key, ok := m.Indicators[code]
			if !ok {
				return nil, Invalid("indicator", "contents category %q has no indicator key; map it with %s=<key>", code, code)
			}
			keys[k] = key
		}
	}

	values, err := jsonStatValues(ds.Value, cells)
	if err != nil {
		return nil, err
	}
	// Row-major order: the last dimension varies fastest.
	strides := make([]int, len(ds.Size))
	stride := 1
	for d := len(ds.Size) - 1; d >= 0; d-- {
		strides[d] = stride
		stride *= ds.Size[d]
	}
	var rows []IndicatorRow
	for cell, v := range values {
		if v == nil {
			continue
		}
		if math.IsNaN(*v) || math.IsInf(*v, 0) {
			return nil, Invalid("file", "cell %d is not a finite number", cell)
		}
		k := func(d int) int { return cell / strides[d] % ds.Size[d] }
		row := IndicatorRow{Line: cell, AreaCode: categories[areaD][k(areaD)], Year: years[k(timeD)], Value: *v, IndicatorKey: m.Indicator}
		if contentsD >= 0 {
			row.IndicatorKey = keys[k(contentsD)]
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// categoryCodes returns a dimension's category codes in index order. The index is an array
// of codes or an object code → position; with neither, the labels' single code is used.
func categoryCodes(dim jsonStatDim, size int) ([]string, error) {
	codes := make([]string, size)
	raw := dim.Category.Index
	switch {
	case len(raw) > 0 && raw[0] == '[':
		var list []string
		if err := json.Unmarshal(raw, &list); err != nil {
			return nil, fmt.Errorf("category index: %v", err)
		}
		if len(list) != size {
			return nil, fmt.Errorf("%d categories in the index, size says %d", len(list), size)
		}
		copy(codes, list)
	case len(raw) > 0 && raw[0] == '{':
		var m map[string]int
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, fmt.Errorf("category index: %v", err)
		}
		if len(m) != size {
			return nil, fmt.Errorf("%d categories in the index, size says %d", len(m), size)
		}
		for code, i := range m {
			if i < 0 || i >= size || codes[i] != "" {
				return nil, fmt.Errorf("category %q has position %d, out of range or taken", code, i)
			}
			codes[i] = code
		}
	case size == 1 && len(dim.Category.Label) == 1:
		for code := range dim.Category.Label {
			codes[0] = code
		}
	default:
		return nil, fmt.Errorf("no category index")
	}
	return codes, nil
}

// jsonStatValues reads "value" as a dense array or a sparse object keyed by cell number.
func jsonStatValues(raw json.RawMessage, cells int) ([]*float64, error) {
	out := make([]*float64, cells)
	switch {
	case len(raw) > 0 && raw[0] == '[':
		var list []*float64
		if err := json.Unmarshal(raw, &list); err != nil {
			return nil, Invalid("file", "value: %v", err)
		}
		if len(list) != cells {
			return nil, Invalid("file", "value has %d cells, the dimensions give %d", len(list), cells)
		}
		return list, nil
	case len(raw) > 0 && raw[0] == '{':
		var m map[string]*float64
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, Invalid("file", "value: %v", err)
		}
		for k, v := range m {
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= cells {
				return nil, Invalid("file", "value key %q is not a cell number below %d", k, cells)
			}
			out[i] = v
		}
		return out, nil
	}
	return nil, Invalid("file", "value must be an array or an object")
}
