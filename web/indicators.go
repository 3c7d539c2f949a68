package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/request"
	"github.com/lagesbild/lagesbild/web/respond"
)

// indicatorDistricts serves GET /indicators/{key}/districts: one indicator and year joined to
// the areas of a level, as GeoJSON for a choropleth or as CSV.
//
// Parameters: year (default: the latest year with values), level (default: district),
// crs, f=json|csv.
func (s *Server) indicatorDistricts(c echo.Context) error {
	if err := respond.OnlyParamsAny(c, "year", "level", "crs", "f"); err != nil {
		return err
	}
	v := c.QueryParams()
	year, err := respond.Int("year", v.Get("year"), 0, 1900, 2100)
	if err != nil {
		return err
	}
	level := v.Get("level")
	if level == "" {
		level = "district"
	}
	districts, _ := s.cat.Layer("districts")
	if _, err := districts.ParseFilter("level", level); err != nil {
		return layers.Invalid("level", "%q is not a level; use municipality, regso, district or deso", level)
	}
	out, err := request.CRS("crs", v.Get("crs"))
	if err != nil {
		return err
	}
	format, err := respond.Format(v.Get("f"), request.FormatJSON, request.FormatJSON, "geojson", request.FormatCSV)
	if err != nil {
		return err
	}
	m, err := s.store.IndicatorDistricts(c.Request().Context(), c.Param("key"), year, level, out)
	if err != nil {
		return err
	}
	if format == request.FormatCSV {
		l := &layers.Layer{ID: "indicator", Properties: []layers.Property{
			{Name: "name"}, {Name: "level"}, {Name: "part_of_town"}, {Name: "population"},
			{Name: "indicator_key"}, {Name: "year"}, {Name: "value"}, {Name: "unit"}, {Name: "illustrative"},
		}}
		body, err := featuresCSV(l, &layers.Query{}, &layers.Page{Features: m.Features})
		if err != nil {
			return err
		}
		c.Response().Header().Set(echo.HeaderContentDisposition,
			`attachment; filename="`+m.Indicator.Key+`-`+strconv.Itoa(m.Year)+`.csv"`)
		return s.out.Send(c, http.StatusOK, respond.MediaCSV, respond.CacheData, body)
	}
	var b bytes.Buffer
	writeFeatureArray(&b, m.Features)
	b.WriteString(`,"indicator":`)
	ind, _ := json.Marshal(m.Indicator)
	b.Write(ind)
	b.WriteString(`,"year":`)
	b.WriteString(strconv.Itoa(m.Year))
	b.WriteString(`,"years":`)
	years, _ := json.Marshal(m.Years)
	b.Write(years)
	if m.Indicator.Illustrative {
		b.WriteString(`,"notice":`)
		n, _ := json.Marshal(respond.IllustrativeNotice)
		b.Write(n)
	}
	b.WriteString(`,"numberReturned":`)
	b.WriteString(strconv.Itoa(len(m.Features)))
	b.WriteString(`,"timeStamp":"`)
	b.WriteString(s.now().UTC().Format(time.RFC3339))
	b.WriteString(`"}`)
	c.Response().Header().Set("Content-Crs", "<"+out.URI()+">")
	return s.out.Send(c, http.StatusOK, respond.MediaGeoJSON, respond.CacheData, b.Bytes())
}
