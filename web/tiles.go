package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/lagesbild/lagesbild/geo/tiles"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/auth"
	"github.com/lagesbild/lagesbild/web/request"
	"github.com/lagesbild/lagesbild/web/respond"
)

// Vector tiles follow OGC API – Tiles: /collections/{id}/tiles/WebMercatorQuad/{z}/{y}/{x}
// (tileMatrix, tileRow, tileCol: row before column), the tileset metadata at
// /collections/{id}/tiles/WebMercatorQuad, and TileJSON 3.0.0 for map libraries at the same
// path with f=tilejson. The map's base layers come together in one tile at
// /tiles/WebMercatorQuad/{z}/{y}/{x}, so the page makes one request per tile, not three.

const (
	webMercatorURI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
	crs3857URI     = "http://www.opengis.net/def/crs/EPSG/0/3857"
	formatTileJSON = "tilejson"
	// cacheTile: tiles change only with imports and writes; the ETag makes revalidation cheap.
	cacheTile = "public, max-age=60"
)

// mapTileSet is the combined tile's layers (those the catalogue declares MapTile, bottom to
// top) and the tables they read, resolved once.
type mapTileSet struct {
	layers []*layers.Layer
	tables []string
	// titles name the layers in Swedish and in English ("stadsdelar, platser och insatser").
	titles, titlesEN string
}

func newMapTileSet(cat *layers.Catalogue) mapTileSet {
	var m mapTileSet
	var sv, en []string
	for _, l := range cat.MapTileLayers() {
		m.layers = append(m.layers, l)
		m.tables = append(m.tables, l.SourceTables()...)
		sv, en = append(sv, strings.ToLower(l.Title)), append(en, strings.ToLower(l.TitleEN))
	}
	m.titles, m.titlesEN = enumerate(sv, "och"), enumerate(en, "and")
	return m
}

// enumerate joins words as a sentence lists them: "a, b and c".
func enumerate(words []string, and string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " " + and + " " + words[len(words)-1]
}

// tileRequest is a parsed tile request.
type tileRequest struct {
	tile  tiles.TileID
	query layers.TileQuery
	// canon is the canonical form of the query parameters, part of the cache key.
	canon string
}

// parseTileQuery parses the query parameters of a collection tile: f, datetime, aggregate
// and the layer's filterable properties.
func (s *Server) parseTileQuery(p *layers.Principal, l *layers.Layer, t tiles.TileID, v url.Values) (*tileRequest, error) {
	r := &tileRequest{tile: t, query: layers.TileQuery{Tile: t}}
	for name, vals := range v {
		if len(vals) > 1 {
			return nil, layers.Invalid(name, "given %d times; give it once", len(vals))
		}
		switch name {
		case "f", "datetime", "aggregate", "properties", "filter", "filter-lang", "filter-crs":
			continue
		}
		f, err := l.ParseFilter(name, vals[0])
		if err != nil {
			return nil, err
		}
		r.query.Filters = append(r.query.Filters, f)
	}
	if _, err := respond.Format(v.Get("f"), request.FormatMVT); err != nil {
		return nil, err
	}
	var err error
	if r.query.CQL, err = tileFilter(l, v); err != nil {
		return nil, err
	}
	if v.Has("datetime") {
		dt, err := request.Datetime(v.Get("datetime"))
		if err != nil {
			return nil, err
		}
		if !l.Temporal() {
			return nil, layers.Invalid("datetime", "collection %s has no temporal property", l.ID)
		}
		r.query.Datetime = dt
	}
	r.query.Properties = request.List(v, "properties")
	r.query.Aggregate = l.AggregateTiles && t.Z < layers.AggregateBelowZoom
	if raw := v.Get("aggregate"); v.Has("aggregate") {
		agg, err := strconv.ParseBool(raw)
		if err != nil {
			return nil, layers.Invalid("aggregate", "%q is not true or false", raw)
		}
		if agg && l.GeometryType != "Point" {
			return nil, layers.Invalid("aggregate", "only point layers can be aggregated; %s is not one", l.ID)
		}
		r.query.Aggregate = agg
	}
	if err := s.disclosureView(p, l, &r.query); err != nil {
		return nil, err
	}
	if r.canon, err = tileCanon(v, r.query); err != nil {
		return nil, err
	}
	return r, nil
}

// disclosureView turns q into the disclosure-controlled view where p may not read l's points
// (or the server answers aggregated only): counts per cell, small counts suppressed, windows
// of whole days, and no filter.
func (s *Server) disclosureView(p *layers.Principal, l *layers.Layer, q *layers.TileQuery) error {
	if !l.AggregateTiles || (!s.cfg.AggregatedOnly && p.MayRead(l.Class)) {
		return nil
	}
	q.Aggregate, q.MinCount = true, s.minCellCount()
	if err := request.CheckAggregatedWindow(q.Datetime); err != nil {
		return err
	}
	if q.CQL != nil {
		// Counts of arbitrary shapes and conditions, subtracted from each other, would give
		// the counts the threshold suppresses; the declared property filters and whole-day
		// windows are what the disclosure review allowed.
		return layers.Invalid("filter", "without access to the observations the tiles hold counts per cell, which take datetime and the property filters, not filter")
	}
	return nil
}

// tileFilter parses a tile request's filter (nil for none) and checks it against l here, so
// a TileJSON with a filter the tiles would refuse is refused too.
func tileFilter(l *layers.Layer, v url.Values) (*layers.CQLFilter, error) {
	f, err := request.Filter(v)
	if err != nil || f == nil {
		return nil, err
	}
	if err := l.CheckFilter(f); err != nil {
		return nil, err
	}
	return f, nil
}

// tileCanon is the canonical form of a tile query for the cache key: the parameters but f
// and the filter's, the aggregation chosen, and the filter normalised (request.CanonicalFilter).
func tileCanon(v url.Values, q layers.TileQuery) (string, error) {
	canon, err := request.CanonicalFilter(q.CQL)
	if err != nil {
		return "", err
	}
	rest := request.WithoutF(v)
	for _, p := range []string{"filter", "filter-lang", "filter-crs"} {
		rest.Del(p)
	}
	return fmt.Sprintf("%s|agg=%t,%d|%s", rest.Encode(), q.Aggregate, q.MinCount, canon), nil
}

// collectionTile serves GET /collections/{id}/tiles/WebMercatorQuad/{z}/{y}/{x}.
func (s *Server) collectionTile(c echo.Context) error {
	l, err := s.tileLayer(c.Param("collectionId"))
	if err != nil {
		return err
	}
	t, err := request.TileID(c)
	if err != nil {
		return err
	}
	p := layers.PrincipalFrom(c.Request().Context())
	if !l.AggregateTiles { // a point layer's counts are for everyone; other layers' features by class
		if err := auth.RequireClass(c, auth.FeatureClass(l), "collection "+l.ID); err != nil {
			return err
		}
	}
	r, err := s.parseTileQuery(p, l, t, c.QueryParams())
	if err != nil {
		return err
	}
	if !r.query.Aggregate {
		defer s.auth.AuditRestrictedRead(c, l, -1)
	}
	key := fmt.Sprintf("c|%s|%d|%s|%s", l.ID, s.tiles.generation(l.SourceTables()...), t, r.canon)
	return s.serveTile(c, key, func(ctx context.Context) ([]byte, error) { return s.store.Tile(ctx, l, r.query) })
}

// mapTile serves GET /tiles/WebMercatorQuad/{z}/{y}/{x}: the map's base layers in one tile.
func (s *Server) mapTile(c echo.Context) error {
	t, err := request.MVTTile(c, "f")
	if err != nil {
		return err
	}
	// The map tile carries the base layers the caller may read, each with the caller's rows.
	p := layers.PrincipalFrom(c.Request().Context())
	var ls []*layers.Layer
	for _, l := range s.mapSet.layers {
		if p.MayRead(auth.FeatureClass(l)) {
			ls = append(ls, l)
		}
	}
	key := fmt.Sprintf("m|%d|%s", s.tiles.generation(s.mapSet.tables...), t)
	return s.serveTile(c, key, func(ctx context.Context) ([]byte, error) { return s.store.CombinedTile(ctx, ls, t) })
}

// serveTile sends the tile cached under key, making it with make on a miss.
func (s *Server) serveTile(c echo.Context, key string, make func(context.Context) ([]byte, error)) error {
	ct, err := s.tiles.get(c.Request().Context(), key, func(ctx context.Context) (*cachedTile, error) {
		body, err := make(ctx)
		if err != nil {
			return nil, err
		}
		return s.newCachedTile(body), nil
	})
	if err != nil {
		return err
	}
	return s.sendTile(c, ct)
}

// newCachedTile prepares a tile for sending: its strong ETag.
func (s *Server) newCachedTile(body []byte) *cachedTile {
	t := &cachedTile{body: body}
	if len(body) > 0 {
		sum := sha256.Sum256(body)
		t.etag = base64.RawURLEncoding.EncodeToString(sum[:18])
	}
	return t
}

// gzipped returns the tile's gzip form, made once (MVT is uncompressed protobuf; geometry
// and repeated keys shrink well), or nil when the tile is too small to be worth it.
func (s *Server) gzipped(t *cachedTile) []byte {
	if len(t.body) < respond.GzipMin {
		return nil
	}
	t.gzOnce.Do(func() {
		var buf bytes.Buffer
		zw := s.gzips.Get().(*gzip.Writer)
		zw.Reset(&buf)
		_, _ = zw.Write(t.body)
		_ = zw.Close()
		s.gzips.Put(zw)
		t.gz = buf.Bytes()
	})
	return t.gz
}

// sendTile writes a prepared tile: 204 when empty, else the body (gzip when accepted) with
// its strong ETag, or 304 when the client has it.
func (s *Server) sendTile(c echo.Context, t *cachedTile) error {
	h := c.Response().Header()
	h.Set("Cache-Control", cacheTile)
	h.Add(echo.HeaderVary, echo.HeaderAcceptEncoding)
	if len(t.body) == 0 {
		return c.NoContent(http.StatusNoContent)
	}
	body, tag := t.body, t.etag
	var gz []byte
	if respond.AcceptsGzip(c.Request().Header.Get(echo.HeaderAcceptEncoding)) {
		gz = s.gzipped(t)
	}
	if gz != nil {
		body, tag = gz, tag+"-gz"
	}
	h.Set("ETag", `"`+tag+`"`)
	if respond.ETagMatch(c.Request().Header.Get("If-None-Match"), tag) {
		return c.NoContent(http.StatusNotModified)
	}
	if gz != nil {
		h.Set(echo.HeaderContentEncoding, "gzip")
	}
	return c.Blob(http.StatusOK, respond.MediaMVT, body)
}

// tileLayer returns the collection with the given id when it can be tiled.
func (s *Server) tileLayer(id string) (*layers.Layer, error) {
	l, err := s.cat.Layer(id)
	if err != nil {
		return nil, err
	}
	if !l.HasGeometry() {
		return nil, fmt.Errorf("collection %s has no geometry and no tiles: %w", l.ID, layers.ErrNotFound)
	}
	return l, nil
}

// tilesetRef is a tileset in a list of tilesets (OGC API – Tiles, tileSet-item).
type tilesetRef struct {
	Title            string         `json:"title"`
	DataType         string         `json:"dataType"`
	CRS              string         `json:"crs"`
	TileMatrixSetURI string         `json:"tileMatrixSetURI"`
	Links            []respond.Link `json:"links"`
}

// templatedLink is a link whose href is a URI template.
type templatedLink struct {
	Href      string `json:"href"`
	Rel       string `json:"rel"`
	Type      string `json:"type"`
	Title     string `json:"title,omitempty"`
	Templated bool   `json:"templated"`
}

// collectionTilesets serves GET /collections/{id}/tiles.
func (s *Server) collectionTilesets(c echo.Context) error {
	if err := respond.OnlyParams(c, "f"); err != nil {
		return err
	}
	l, err := s.tileLayer(c.Param("collectionId"))
	if err != nil {
		return err
	}
	base := s.baseURL(c) + "/collections/" + l.ID + "/tiles"
	return s.out.SendJSON(c, respond.MediaJSON, respond.CacheMeta, s.tilesetList(base, l.Title+" – vektortiles"))
}

// mapTilesets serves GET /tiles.
func (s *Server) mapTilesets(c echo.Context) error {
	if err := respond.OnlyParams(c, "f"); err != nil {
		return err
	}
	return s.out.SendJSON(c, respond.MediaJSON, respond.CacheMeta, s.tilesetList(s.baseURL(c)+"/tiles", "Karta: "+s.mapSet.titles))
}

func (s *Server) tilesetList(base, title string) map[string]any {
	return map[string]any{
		"links": []respond.Link{{Href: base, Rel: "self", Type: respond.MediaJSON, Title: "Tilesets"}},
		"tilesets": []tilesetRef{{
			Title: title, DataType: "vector", CRS: crs3857URI, TileMatrixSetURI: webMercatorURI,
			Links: []respond.Link{
				{Href: base + "/" + request.WebMercatorID, Rel: "self", Type: respond.MediaJSON, Title: "Tileset metadata"},
				{Href: base + "/" + request.WebMercatorID + "?f=tilejson", Rel: "alternate", Type: respond.MediaJSON, Title: "TileJSON 3.0.0"},
				{Href: webMercatorURI, Rel: "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme", Type: respond.MediaJSON, Title: "WebMercatorQuad"},
			},
		}},
	}
}

// tileLayerDoc describes one MVT layer of a tileset, in the shape both the OGC tileset
// metadata (layers) and TileJSON (vector_layers) use.
type tileLayerDoc struct {
	ID          string            `json:"id"`
	Description string            `json:"description,omitempty"`
	MinZoom     int               `json:"minzoom"`
	MaxZoom     int               `json:"maxzoom"`
	Fields      map[string]string `json:"fields"`
}

func tileLayerFields(l *layers.Layer, aggregate bool) tileLayerDoc {
	d := tileLayerDoc{ID: l.ID, Description: l.TitleEN, MaxZoom: layers.MaxTileZoom, Fields: map[string]string{}}
	if aggregate {
		d.Description = l.TitleEN + fmt.Sprintf(": below zoom %d one point per grid cell with count and severity_sum", layers.AggregateBelowZoom)
		d.Fields["count"] = "Number"
		d.Fields["severity_sum"] = "Number"
	}
	for _, p := range l.TileFields() {
		t := "String"
		switch p.Type {
		case layers.Integer, layers.Number:
			t = "Number"
		case layers.Boolean:
			t = "Boolean"
		}
		d.Fields[p.Name] = t
	}
	return d
}

// tileFilterNote tells a tileset's readers that its tiles take filter (TileJSON has no
// field for a tile parameter).
const tileFilterNote = "The tiles take filter (CQL2, filter-lang cql2-text or cql2-json, filter-crs) on the collection's queryables, as its items do"

// collectionTileset serves GET /collections/{id}/tiles/WebMercatorQuad: the OGC tileset
// metadata, or TileJSON with f=tilejson. Filters given here are carried into the tile URLs.
func (s *Server) collectionTileset(c echo.Context) error {
	l, err := s.tileLayer(c.Param("collectionId"))
	if err != nil {
		return err
	}
	if err := request.CheckTileMatrixSet(c); err != nil {
		return err
	}
	v := c.QueryParams()
	// Validate the filters as a tile request would, so a bad TileJSON is refused up front.
	filters := request.WithoutF(v)
	if _, err := s.parseTileQuery(layers.PrincipalFrom(c.Request().Context()), l, tiles.TileID{}, filters); err != nil {
		return err
	}
	f, err := respond.Format(v.Get("f"), request.FormatJSON, formatTileJSON)
	if err != nil {
		return err
	}
	base := s.baseURL(c) + "/collections/" + l.ID + "/tiles/" + request.WebMercatorID
	ext, err := s.extentFor(c.Request().Context(), l)
	if err != nil {
		return err
	}
	desc := l.Description + " " + tileFilterNote
	if l.AggregateTiles {
		desc += " (not on the counts per cell of callers without access to the rows)"
	}
	return s.sendTileset(c, f, base, filters, l.Title, desc+".", []tileLayerDoc{tileLayerFields(l, l.AggregateTiles)}, ext)
}

// mapTileset serves GET /tiles/WebMercatorQuad.
func (s *Server) mapTileset(c echo.Context) error {
	if err := respond.OnlyParamsAny(c, "f"); err != nil {
		return err
	}
	if err := request.CheckTileMatrixSet(c); err != nil {
		return err
	}
	f, err := respond.Format(c.QueryParam("f"), request.FormatJSON, formatTileJSON)
	if err != nil {
		return err
	}
	var docs []tileLayerDoc
	var ext layers.Extent
	for _, l := range s.mapSet.layers {
		docs = append(docs, tileLayerFields(l, false))
		e, err := s.store.Extent(c.Request().Context(), l)
		if err != nil {
			return err
		}
		ext.Illustrative = ext.Illustrative || e.Illustrative
		if e.BBox != nil {
			if ext.BBox == nil {
				b := *e.BBox
				ext.BBox = &b
			} else {
				ext.BBox[0], ext.BBox[1] = min(ext.BBox[0], e.BBox[0]), min(ext.BBox[1], e.BBox[1])
				ext.BBox[2], ext.BBox[3] = max(ext.BBox[2], e.BBox[2]), max(ext.BBox[3], e.BBox[3])
			}
		}
	}
	return s.sendTileset(c, f, s.baseURL(c)+"/tiles/"+request.WebMercatorID, nil, "Karta",
		upperFirst(s.mapSet.titles)+" i en tile. "+upperFirst(s.mapSet.titlesEN)+" in one tile.", docs, ext)
}

// upperFirst is s with its first letter in upper case.
func upperFirst(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

func (s *Server) sendTileset(c echo.Context, f, base string, q url.Values, title, desc string, docs []tileLayerDoc, ext layers.Extent) error {
	query := ""
	if len(q) > 0 {
		query = "?" + q.Encode()
	}
	tmpl := base + "/{z}/{y}/{x}" + query
	if ext.Illustrative {
		desc += " " + respond.IllustrativeNotice
	}
	if f == formatTileJSON {
		doc := map[string]any{
			"tilejson": "3.0.0", "name": title, "description": desc,
			"tiles": []string{tmpl}, "scheme": "xyz",
			"minzoom": 0, "maxzoom": layers.MaxTileZoom,
			"vector_layers": docs,
		}
		if ext.BBox != nil {
			b := *ext.BBox
			doc["bounds"] = b
			doc["center"] = []float64{(b[0] + b[2]) / 2, (b[1] + b[3]) / 2, 10}
		}
		return s.out.SendJSON(c, respond.MediaJSON, respond.CacheMeta, doc)
	}
	ogcTmpl := base + "/{tileMatrix}/{tileRow}/{tileCol}" + query
	doc := map[string]any{
		"title": title, "description": desc, "dataType": "vector",
		"crs": crs3857URI, "tileMatrixSetURI": webMercatorURI,
		"links": []any{
			respond.Link{Href: base, Rel: "self", Type: respond.MediaJSON, Title: "This document"},
			respond.Link{Href: base + "?f=tilejson", Rel: "alternate", Type: respond.MediaJSON, Title: "TileJSON 3.0.0"},
			respond.Link{Href: webMercatorURI, Rel: "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme", Type: respond.MediaJSON, Title: "WebMercatorQuad"},
			templatedLink{Href: ogcTmpl, Rel: "item", Type: respond.MediaMVT, Title: "Mapbox Vector Tile", Templated: true},
		},
		"layers": docs,
	}
	if ext.BBox != nil {
		b := *ext.BBox
		doc["boundingBox"] = map[string]any{"lowerLeft": []float64{b[0], b[1]}, "upperRight": []float64{b[2], b[3]},
			"crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}
	}
	return s.out.SendJSON(c, respond.MediaJSON, respond.CacheMeta, doc)
}

// tileRoutes registers the tile endpoints.
func (s *Server) tileRoutes(get func(string, echo.HandlerFunc)) {
	get("/tiles", s.mapTilesets)
	get("/tiles/:tileMatrixSetId", s.mapTileset)
	get("/tiles/:tileMatrixSetId/:tileMatrix/:tileRow/:tileCol", s.mapTile)
	get("/collections/:collectionId/tiles", s.collectionTilesets)
	get("/collections/:collectionId/tiles/:tileMatrixSetId", s.collectionTileset)
	get("/collections/:collectionId/tiles/:tileMatrixSetId/:tileMatrix/:tileRow/:tileCol", s.collectionTile)
}
