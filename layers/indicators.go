package layers

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/lagesbild/lagesbild/geo/crs"
)

// Indicator is one entry of the indicator catalogue.
type Indicator struct {
	Key          string `json:"key"`
	NameSV       string `json:"name_sv"`
	NameEN       string `json:"name_en"`
	Unit         string `json:"unit"`
	Theme        string `json:"theme"`
	Direction    string `json:"direction"`
	Source       string `json:"source"`
	Illustrative bool   `json:"illustrative"`
}

// IndicatorMap is an indicator's values for one year joined to the areas of one level:
// the input of a choropleth. Areas without a value have "value": null.
type IndicatorMap struct {
	Indicator Indicator
	Year      int
	Years     []int // every year with values, ascending
	Features  []Feature
}

const indicatorSQL = `
SELECT key, name_sv, name_en, unit, theme, direction, source, illustrative,
       coalesce((SELECT array_agg(DISTINCT year ORDER BY year) FROM indicator_values WHERE indicator_key = key), '{}')
FROM indicators
WHERE key = $1`

// indicatorDistrictsSQL joins one indicator-year to every area of a level; a LEFT JOIN so a
// missing value shows as missing, never as zero.
const indicatorDistrictsSQL = `
SELECT to_json(d.code)::text,
       CASE WHEN $4 = 3006 THEN ST_AsGeoJSON(d.geom, 2, 0) ELSE ST_AsGeoJSON(ST_Transform(d.geom, 4326), 7, 0) END,
       json_build_object(
           'name', d.name, 'level', d.level, 'part_of_town', d.part_of_town, 'population', d.population,
           'indicator_key', i.key, 'year', $2::int, 'value', v.value, 'unit', i.unit,
           'illustrative', d.illustrative OR coalesce(v.illustrative, false))::text
FROM districts d
CROSS JOIN indicators i
LEFT JOIN indicator_values v ON v.district_code = d.code AND v.indicator_key = i.key AND v.year = $2
WHERE i.key = $1 AND d.level = $3
ORDER BY d.code`

// IndicatorDistricts returns indicator key's values in year (0: the latest year with values)
// for every area of level, with geometries in out. An unknown key wraps ErrNotFound.
func (s *Store) IndicatorDistricts(ctx context.Context, key string, year int, level string, out crs.CRS) (*IndicatorMap, error) {
	m := &IndicatorMap{}
	ind := &m.Indicator
	err := s.pool.QueryRow(ctx, indicatorSQL, key).Scan(&ind.Key, &ind.NameSV, &ind.NameEN, &ind.Unit, &ind.Theme,
		&ind.Direction, &ind.Source, &ind.Illustrative, &m.Years)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("indicator %q: %w", key, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("indicator %q: %w", key, err)
	}
	m.Year = year
	if year == 0 && len(m.Years) > 0 {
		m.Year = m.Years[len(m.Years)-1]
	}
	rows, err := s.pool.Query(ctx, indicatorDistrictsSQL, key, m.Year, level, out.SRID())
	if err != nil {
		return nil, fmt.Errorf("indicator %q districts: %w", key, err)
	}
	m.Features, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Feature, error) {
		var f Feature
		var id, props []byte
		err := r.Scan(&id, &f.Geometry, &props)
		f.ID, f.Properties = id, props
		return f, err
	})
	if err != nil {
		return nil, fmt.Errorf("indicator %q districts: %w", key, err)
	}
	return m, nil
}
