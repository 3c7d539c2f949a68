package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lagesbild/lagesbild/geo/crs"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/auth"
	"github.com/lagesbild/lagesbild/web/request"
	"github.com/lagesbild/lagesbild/web/respond"
)

// items serves GET /collections/{collectionId}/items.
func (s *Server) items(c echo.Context) error {
	l, err := s.cat.Layer(c.Param("collectionId"))
	if err != nil {
		return err
	}
	if err := auth.RequireClass(c, auth.FeatureClass(l), "collection "+l.ID); err != nil {
		return err
	}
	r, err := parseItems(l, c.QueryParams())
	if err != nil {
		return err
	}
	page, err := s.store.Features(c.Request().Context(), l, r.query)
	if err != nil {
		return err
	}
	defer s.auth.AuditRestrictedRead(c, l, auth.RestrictedRows(l, page.Features))
	c.Response().Header().Set("Content-Crs", "<"+r.query.CRS.URI()+">")
	if r.format == request.FormatCSV {
		body, err := featuresCSV(l, &r.query, page)
		if err != nil {
			return err
		}
		c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+l.ID+`.csv"`)
		return s.out.Send(c, http.StatusOK, respond.MediaCSV, respond.CacheData, body)
	}
	base := s.baseURL(c) + "/collections/" + l.ID + "/items"
	return s.out.Send(c, http.StatusOK, respond.MediaGeoJSON, respond.CacheData, featureCollection(base, c.QueryParams(), &r.query, page, s.now()))
}

// item serves GET /collections/{collectionId}/items/{featureId}.
func (s *Server) item(c echo.Context) error {
	l, err := s.cat.Layer(c.Param("collectionId"))
	if err != nil {
		return err
	}
	if err := auth.RequireClass(c, auth.FeatureClass(l), "collection "+l.ID); err != nil {
		return err
	}
	out, err := parseItemParams(c.QueryParams())
	if err != nil {
		return err
	}
	f, err := s.store.Feature(c.Request().Context(), l, c.Param("featureId"), out)
	if err != nil {
		return err
	}
	defer s.auth.AuditRestrictedRead(c, l, auth.RestrictedRows(l, []layers.Feature{f}))
	base := s.baseURL(c) + "/collections/" + l.ID
	self := base + "/items/" + url.PathEscape(c.Param("featureId"))
	body := featureDocument(f, []respond.Link{
		{Href: self, Rel: "self", Type: respond.MediaGeoJSON, Title: "This feature"},
		{Href: base, Rel: "collection", Type: respond.MediaJSON, Title: l.Title},
	})
	c.Response().Header().Set("Content-Crs", "<"+out.URI()+">")
	return s.out.Send(c, http.StatusOK, respond.MediaGeoJSON, respond.CacheData, body)
}

// parseItemParams checks the query of a single feature (f and crs only) and returns the
// output CRS.
func parseItemParams(v url.Values) (crs.CRS, error) {
	for name := range v {
		if name != "f" && name != "crs" {
			return 0, layers.Invalid(name, "unknown parameter; a single feature takes f and crs")
		}
	}
	if _, err := respond.Format(v.Get("f"), request.FormatJSON, request.FormatJSON, "geojson"); err != nil {
		return 0, err
	}
	return request.CRS("crs", v.Get("crs"))
}

// featureDocument is a single GeoJSON feature with its links.
func featureDocument(f layers.Feature, links []respond.Link) []byte {
	var b bytes.Buffer
	b.WriteString(`{"type":"Feature",`)
	writeFeatureBody(&b, f)
	b.WriteString(`,"links":`)
	b.Write(respond.JSON(links))
	b.WriteByte('}')
	return b.Bytes()
}

// writeFeatureBody writes the id, geometry and properties members of a GeoJSON feature.
func writeFeatureBody(b *bytes.Buffer, f layers.Feature) {
	b.WriteString(`"id":`)
	b.Write(f.ID)
	b.WriteString(`,"geometry":`)
	if f.Geometry == nil {
		b.WriteString("null")
	} else {
		b.Write(f.Geometry)
	}
	b.WriteString(`,"properties":`)
	b.Write(f.Properties)
}

// writeFeatureArray opens a FeatureCollection and writes its features member; the caller
// adds the other members and the closing brace.
func writeFeatureArray(b *bytes.Buffer, features []layers.Feature) {
	b.WriteString(`{"type":"FeatureCollection","features":[`)
	for i, f := range features {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"type":"Feature",`)
		writeFeatureBody(b, f)
		b.WriteByte('}')
	}
	b.WriteByte(']')
}

// featureCollection writes the GeoJSON answer with OGC paging links. The features' JSON
// comes straight from PostGIS, so it is copied, not re-encoded.
func featureCollection(base string, params url.Values, q *layers.Query, page *layers.Page, now time.Time) []byte {
	var b bytes.Buffer
	b.Grow(256 + len(page.Features)*256)
	writeFeatureArray(&b, page.Features)
	b.WriteString(`,"timeStamp":"`)
	b.WriteString(now.UTC().Format(time.RFC3339))
	b.WriteString(`","numberReturned":`)
	b.WriteString(strconv.Itoa(len(page.Features)))
	if page.NumberMatched >= 0 {
		b.WriteString(`,"numberMatched":`)
		b.WriteString(strconv.FormatInt(page.NumberMatched, 10))
	}
	limit := q.Limit
	if limit == 0 {
		limit = layers.DefaultLimit
	}
	pageURL := func(off, n int, f string) string {
		v := url.Values{}
		for k, vals := range params {
			v[k] = vals
		}
		if off > 0 {
			v.Set("offset", strconv.Itoa(off))
		} else {
			v.Del("offset")
		}
		if n != limit {
			v.Set("limit", strconv.Itoa(n))
		}
		if f != "" {
			v.Set("f", f)
		}
		if enc := v.Encode(); enc != "" {
			return base + "?" + enc
		}
		return base
	}
	links := []respond.Link{
		{Href: pageURL(q.Offset, limit, ""), Rel: "self", Type: respond.MediaGeoJSON, Title: "This page"},
		{Href: pageURL(q.Offset, limit, request.FormatCSV), Rel: "alternate", Type: "text/csv", Title: "This page as CSV"},
	}
	if page.More {
		// The next link asks for the rest in pages of the largest size: a client that follows
		// next links reads the whole answer, and GDAL (3.6) asks for 10 features and then
		// follows them — 1,310 requests for the observations before, three now. A client that
		// wants pages of its own size sets offset itself.
		links = append(links, respond.Link{Href: pageURL(q.Offset+limit, layers.MaxLimit, ""), Rel: "next", Type: respond.MediaGeoJSON, Title: "Next page"})
	}
	if q.Offset > 0 {
		links = append(links, respond.Link{Href: pageURL(max(0, q.Offset-limit), limit, ""), Rel: "prev", Type: respond.MediaGeoJSON, Title: "Previous page"})
	}
	b.WriteString(`,"links":`)
	b.Write(respond.JSON(links))
	b.WriteByte('}')
	return b.Bytes()
}

// featuresCSV writes one row per feature: id, the selected properties in declared order, and
// the geometry as WKT in the output CRS. Arrays are joined with ";", objects stay JSON.
func featuresCSV(l *layers.Layer, q *layers.Query, page *layers.Page) ([]byte, error) {
	var cols []string
	for _, p := range l.Properties {
		if q.Properties == nil || slices.Contains(q.Properties, p.Name) {
			cols = append(cols, p.Name)
		}
	}
	var buf bytes.Buffer
	buf.WriteString("\ufeff") // BOM: Excel, which planners use, then reads UTF-8 (å, ä, ö) correctly
	w := respond.NewCSVWriter(&buf)
	header := append([]string{"id"}, cols...)
	if l.HasGeometry() {
		header = append(header, "geometry_wkt")
	}
	_ = w.Write(header)
	row := make([]string, len(header))
	for _, f := range page.Features {
		var props map[string]json.RawMessage
		if err := json.Unmarshal(f.Properties, &props); err != nil {
			return nil, fmt.Errorf("csv: properties of %s: %w", f.ID, err)
		}
		row[0] = csvValue(f.ID)
		for i, name := range cols {
			row[i+1] = csvValue(props[name])
		}
		if l.HasGeometry() {
			row[len(row)-1] = string(f.Geometry)
		}
		_ = w.Write(row)
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

func csvValue(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	switch raw[0] {
	case '"':
		var s string
		_ = json.Unmarshal(raw, &s)
		return s
	case '[':
		var items []any
		if err := json.Unmarshal(raw, &items); err == nil {
			var b bytes.Buffer
			for i, it := range items {
				if i > 0 {
					b.WriteByte(';')
				}
				if str, ok := it.(string); ok {
					b.WriteString(str)
				} else {
					j, _ := json.Marshal(it)
					b.Write(j)
				}
			}
			return b.String()
		}
	}
	return string(raw)
}
