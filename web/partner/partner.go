// Package partner is the partner overlays' room of the API (issue 7): a partner organisation
// (the municipal housing company, say) uploads a layer — GeoJSON, CSV, GeoPackage or a zipped
// Shapefile — shares it with chosen organisations, and those see it as map tiles, items,
// queryables and summaries per district (partner.go; its OpenAPI entries in
// partner_openapi.go). web composes a Room and mounts its routes; the room never imports web
// (TestDependenciesPointDown) and takes what web owns (the tile cache, the base URL) in Deps.
//
// Assumptions: every error goes to web's one mapper; files are read by layers/featurefile
// within Deps' upload limits; every query gets the request's context.
package partner

// Every answer needs a caller (401 anonymous). A layer the caller may not see is a 404, so
// its existence is not revealed; writing a layer the caller may see but does not own is a
// 403. Row-level security (migration 011) holds the same rules in the database. Answers are
// private to the caller (Cache-Control private, no-cache), and tiles are cached under a key
// holding the caller's organisation, so no caller is handed a tile made for another.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/lagesbild/lagesbild/geo/crs"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/featurefile"
	"github.com/lagesbild/lagesbild/web/auth"
	"github.com/lagesbild/lagesbild/web/request"
	"github.com/lagesbild/lagesbild/web/respond"
)

// cachePartner: partner answers change with an upload and with the sharing, and are the
// caller's own; clients revalidate every time (cheap with the ETag).
const cachePartner = "private, no-cache"

// partnerTables are the tables a partner tile is made from, for its cache generation.
var partnerTables = []string{"partner_layers", "partner_layer_versions", "partner_features"}

// Deps is what the partner room needs of the server that composes it.
type Deps struct {
	Store *layers.Store
	// UploadMaxBytes and UploadMaxFeatures bound an upload (413 beyond); both > 0.
	UploadMaxBytes    int64
	UploadMaxFeatures int
	// Out writes answers with validators and compression.
	Out *respond.Sender
	// BaseURL is the absolute URL of the API root for links, without a trailing slash.
	BaseURL func(c echo.Context) string
	// TileGeneration is the tile cache's generation of tables (it changes when they do).
	TileGeneration func(tables ...string) uint64
	// ServeTile sends the tile cached under key, making it with make on a miss.
	ServeTile func(c echo.Context, key string, make func(context.Context) ([]byte, error)) error
}

// config is the part of Deps the handlers read as settings.
type config struct {
	UploadMaxBytes    int64
	UploadMaxFeatures int
}

// Room is the partner overlays' handlers. Create it with New.
type Room struct {
	cfg            config
	store          *layers.Store
	out            *respond.Sender
	baseURL        func(echo.Context) string
	tileGeneration func(tables ...string) uint64
	serveTile      func(echo.Context, string, func(context.Context) ([]byte, error)) error
}

// New returns the partner room over deps.
func New(deps Deps) *Room {
	return &Room{
		cfg:            config{UploadMaxBytes: deps.UploadMaxBytes, UploadMaxFeatures: deps.UploadMaxFeatures},
		store:          deps.Store,
		out:            deps.Out,
		baseURL:        deps.BaseURL,
		tileGeneration: deps.TileGeneration,
		serveTile:      deps.ServeTile,
	}
}

// Routes mounts the partner routes: GET ones with get, PUT and DELETE on e.
func (s *Room) Routes(e *echo.Echo, get func(string, echo.HandlerFunc)) {
	get("/partners/layers", s.partnerLayers)
	get("/partners/layers/:layerId", s.partnerLayer)
	e.PUT("/partners/layers/:layerId", s.putPartnerLayer)
	e.DELETE("/partners/layers/:layerId", s.deletePartnerLayer)
	get("/partners/layers/:layerId/versions", s.partnerVersions)
	get("/partners/layers/:layerId/items", s.partnerItems)
	get("/partners/layers/:layerId/queryables", s.partnerQueryables)
	get("/partners/layers/:layerId/tiles/:tileMatrixSetId/:tileMatrix/:tileRow/:tileCol", s.partnerTile)
	get("/partners/layers/:layerId/districts", s.partnerDistricts)
}

// partnerCaller answers 401 to an anonymous caller: partner layers are never public.
func partnerCaller(c echo.Context) error {
	if layers.PrincipalFrom(c.Request().Context()).IsAnonymous() {
		return auth.Unauthorized(c, false, "partner layers are shared with organisations: log in, or send an API token or JWT")
	}
	return nil
}

// partnerLinks are a layer's links; tiles is a URI template.
type partnerLinks struct {
	Self      string `json:"self"`
	Items     string `json:"items"`
	Tiles     string `json:"tiles"`
	Districts string `json:"districts"`
	Versions  string `json:"versions"`
}

type partnerLayerOut struct {
	*layers.PartnerLayer
	Links partnerLinks `json:"links"`
}

func (s *Room) partnerLayerOut(c echo.Context, l *layers.PartnerLayer) partnerLayerOut {
	base := s.baseURL(c) + "/partners/layers/" + url.PathEscape(l.ID)
	return partnerLayerOut{PartnerLayer: l, Links: partnerLinks{Self: base, Items: base + "/items",
		Tiles: base + "/tiles/WebMercatorQuad/{z}/{y}/{x}", Districts: base + "/districts", Versions: base + "/versions"}}
}

func (s *Room) sendPartner(c echo.Context, status int, v any) error {
	return s.out.Send(c, status, respond.MediaJSON, cachePartner, respond.JSON(v))
}

// partnerLayers serves GET /partners/layers: the layers the caller may see.
func (s *Room) partnerLayers(c echo.Context) error {
	if err := partnerCaller(c); err != nil {
		return err
	}
	if err := respond.OnlyParamsAny(c, "f"); err != nil {
		return err
	}
	if _, err := respond.Format(c.QueryParam("f"), request.FormatJSON, request.FormatJSON); err != nil {
		return err
	}
	ls, err := s.store.PartnerLayers(c.Request().Context())
	if err != nil {
		return err
	}
	out := make([]partnerLayerOut, len(ls))
	for i := range ls {
		out[i] = s.partnerLayerOut(c, &ls[i])
	}
	return s.sendPartner(c, http.StatusOK, respond.Obj{"layers": out})
}

// partnerLayer serves GET /partners/layers/{id}.
func (s *Room) partnerLayer(c echo.Context) error {
	if err := partnerCaller(c); err != nil {
		return err
	}
	if err := respond.OnlyParamsAny(c, "f"); err != nil {
		return err
	}
	l, err := s.store.PartnerLayer(c.Request().Context(), c.Param("layerId"))
	if err != nil {
		return err
	}
	return s.sendPartner(c, http.StatusOK, s.partnerLayerOut(c, l))
}

// partnerVersions serves GET /partners/layers/{id}/versions, newest first.
func (s *Room) partnerVersions(c echo.Context) error {
	if err := partnerCaller(c); err != nil {
		return err
	}
	if err := respond.OnlyParamsAny(c, "f"); err != nil {
		return err
	}
	vs, err := s.store.PartnerVersions(c.Request().Context(), c.Param("layerId"))
	if err != nil {
		return err
	}
	return s.sendPartner(c, http.StatusOK, respond.Obj{"layer": c.Param("layerId"), "versions": vs})
}

// uploadFormats maps the content types an upload may declare to their formats;
// application/octet-stream (or none) leaves it to featurefile.Detect.
var uploadFormats = map[string]featurefile.Format{
	"application/geo+json": featurefile.GeoJSON, "application/vnd.geo+json": featurefile.GeoJSON,
	"application/json": featurefile.GeoJSON, "text/csv": featurefile.CSV,
	"application/geopackage+sqlite3": featurefile.GPKG, "application/zip": featurefile.Shapefile,
	"application/x-zip-compressed": featurefile.Shapefile,
}

// uploadLimits are the configured limits on an upload.
func (s *Room) uploadLimits() featurefile.Limits {
	lim := featurefile.DefaultLimits()
	lim.MaxBytes, lim.MaxFeatures = s.cfg.UploadMaxBytes, s.cfg.UploadMaxFeatures
	return lim
}

// putPartnerLayer serves PUT /partners/layers/{id}: the body is the file; a new id creates
// the layer (201), the caller's existing layer gets a new version (200), the previous ones
// kept. Parameters: title (required for a new layer), shared_with (organisation codes,
// comma-separated; given empty, shared with nobody; absent on a new version, unchanged),
// crs (EPSG:3006 or CRS84 when the file does not say), x and y (a CSV's coordinate columns).
func (s *Room) putPartnerLayer(c echo.Context) error {
	ctx := c.Request().Context()
	if err := auth.RequireWrite(c, "uploading a partner layer"); err != nil {
		return err
	}
	if err := respond.OnlyParamsAny(c, "title", "shared_with", "crs", "x", "y", "filename"); err != nil {
		return err
	}
	id := c.Param("layerId")
	if err := layers.CheckPartnerID(id); err != nil {
		return err
	}
	q := c.QueryParams()
	meta := layers.PartnerUpload{ID: id, Title: strings.TrimSpace(q.Get("title")), Filename: q.Get("filename")}
	meta.SharedWith = request.List(q, "shared_with")
	// Whose layer it is, before reading a large body: 403 for another organisation's.
	p := layers.PrincipalFrom(ctx)
	existing, err := s.store.PartnerLayer(ctx, id)
	switch {
	case errors.Is(err, layers.ErrNotFound):
		if meta.Title == "" {
			return layers.InvalidCode("title", layers.CodeRequired, nil, "required for a new layer")
		}
	case err != nil:
		return err
	case existing.Owner != p.Organisation:
		return echo.NewHTTPError(http.StatusForbidden, fmt.Sprintf("partner layer %s belongs to %s; only its editors and admins replace it", id, existing.Owner))
	}
	if len(meta.Title) > 200 {
		return layers.InvalidCode("title", layers.CodeTooLong, map[string]any{"max": 200}, "at most 200 characters")
	}
	opt := featurefile.Options{Limits: s.uploadLimits(), XField: q.Get("x"), YField: q.Get("y")}
	if raw := q.Get("crs"); raw != "" {
		switch strings.ToUpper(strings.Trim(raw, "<>")) {
		case "EPSG:3006", "HTTP://WWW.OPENGIS.NET/DEF/CRS/EPSG/0/3006":
			opt.CRS = 3006
		case "EPSG:4326", "OGC:CRS84", "CRS84", "HTTP://WWW.OPENGIS.NET/DEF/CRS/OGC/1.3/CRS84":
			opt.CRS = 4326
		default:
			return layers.InvalidCode("crs", layers.CodeUnsupported, map[string]any{"value": raw}, "%q is not supported; use EPSG:3006 or OGC:CRS84", raw)
		}
	}
	if cl := c.Request().ContentLength; cl > opt.Limits.MaxBytes {
		return echo.NewHTTPError(http.StatusRequestEntityTooLarge, fmt.Sprintf("the file is %d bytes, more than the limit of %d", cl, opt.Limits.MaxBytes))
	}
	body, err := io.ReadAll(io.LimitReader(c.Request().Body, opt.Limits.MaxBytes+1))
	if err != nil {
		return fmt.Errorf("read upload: %w", err)
	}
	if int64(len(body)) > opt.Limits.MaxBytes {
		return echo.NewHTTPError(http.StatusRequestEntityTooLarge, fmt.Sprintf("the file is more than the limit of %d bytes", opt.Limits.MaxBytes))
	}
	if len(body) == 0 {
		return layers.InvalidCode("body", layers.CodeFileEmpty, nil, "empty: send the file as the request body")
	}
	format, err := uploadFormat(c.Request().Header.Get(echo.HeaderContentType), meta.Filename, body)
	if err != nil {
		return err
	}
	meta.Format = string(format)
	fc, err := featurefile.Read(format, body, opt)
	if err != nil {
		return err // 400 naming the feature or the file, 413 for a limit (handleError)
	}
	rep, err := s.store.UploadPartnerLayer(ctx, meta, fc)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if rep.Created {
		status = http.StatusCreated
		c.Response().Header().Set(echo.HeaderLocation, s.baseURL(c)+"/partners/layers/"+url.PathEscape(id))
	}
	return respond.NoStore(c, status, struct {
		partnerLayerOut
		Report *layers.PartnerReport `json:"report"`
	}{s.partnerLayerOut(c, rep.Layer), rep})
}

// uploadFormat names the format of an upload from its content type, or by sniffing when
// the type says nothing (application/octet-stream, none); any other type is a 415.
func uploadFormat(contentType, filename string, body []byte) (featurefile.Format, error) {
	media, _, err := mime.ParseMediaType(contentType)
	if contentType == "" || err == nil && media == "application/octet-stream" {
		f, derr := featurefile.Detect("", filename, body[:min(len(body), 512)])
		if derr != nil {
			return "", echo.NewHTTPError(http.StatusUnsupportedMediaType, derr.Error())
		}
		return f, nil
	}
	if f, ok := uploadFormats[media]; ok && err == nil {
		return f, nil
	}
	return "", echo.NewHTTPError(http.StatusUnsupportedMediaType, fmt.Sprintf(
		"Content-Type %q: send application/geo+json, text/csv, application/geopackage+sqlite3, application/zip (a Shapefile) or application/octet-stream", contentType))
}

// deletePartnerLayer serves DELETE /partners/layers/{id}: the layer and all its versions.
func (s *Room) deletePartnerLayer(c echo.Context) error {
	if err := auth.RequireWrite(c, "deleting a partner layer"); err != nil {
		return err
	}
	if err := respond.OnlyParamsAny(c); err != nil {
		return err
	}
	if err := s.store.DeletePartnerLayer(c.Request().Context(), c.Param("layerId")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// partnerFeature is one item of a partner layer in GeoJSON.
type partnerFeature struct {
	Type       string          `json:"type"`
	ID         int             `json:"id"`
	Geometry   json.RawMessage `json:"geometry"`
	Properties json.RawMessage `json:"properties"`
}

// partnerItems serves GET /partners/layers/{id}/items: a page of one version's features
// (default the current one) as GeoJSON in CRS84, properties as stored.
func (s *Room) partnerItems(c echo.Context) error {
	if err := partnerCaller(c); err != nil {
		return err
	}
	if err := respond.OnlyParamsAny(c, "version", "bbox", "limit", "offset", "f", "filter", "filter-lang", "filter-crs"); err != nil {
		return err
	}
	v := c.QueryParams()
	if _, err := respond.Format(v.Get("f"), "geojson", "geojson", request.FormatJSON); err != nil {
		return err
	}
	var q layers.PartnerItemsQuery
	var err error
	if q.CQL, err = request.Filter(v); err != nil {
		return err
	}
	if q.Version, err = respond.Int("version", v.Get("version"), 0, 1, 1_000_000); err != nil {
		return err
	}
	if q.Limit, err = respond.Int("limit", v.Get("limit"), 100, 1, layers.MaxPartnerItems); err != nil {
		return err
	}
	if q.Offset, err = respond.Int("offset", v.Get("offset"), 0, 0, 1_000_000_000); err != nil {
		return err
	}
	if raw := v.Get("bbox"); raw != "" {
		b, err := request.BBox(raw, crs.CRS84)
		if err != nil {
			return err
		}
		q.BBox = &[4]float64{b.MinX, b.MinY, b.MaxX, b.MaxY}
	}
	page, err := s.store.PartnerItems(c.Request().Context(), c.Param("layerId"), q)
	if err != nil {
		return err
	}
	features := make([]partnerFeature, len(page.Features))
	for i, f := range page.Features {
		features[i] = partnerFeature{Type: "Feature", ID: f.Number, Geometry: f.Geometry, Properties: f.Properties}
	}
	self := s.baseURL(c) + c.Request().URL.Path
	links := []respond.Link{{Href: self + "?" + v.Encode(), Rel: "self", Type: respond.MediaGeoJSON, Title: "This page"}}
	if int64(q.Offset+len(features)) < page.Matched {
		next := url.Values{}
		for k, vals := range v {
			next[k] = vals
		}
		next.Set("offset", strconv.Itoa(q.Offset+q.Limit))
		links = append(links, respond.Link{Href: self + "?" + next.Encode(), Rel: "next", Type: respond.MediaGeoJSON, Title: "Next page"})
	}
	return s.out.Send(c, http.StatusOK, respond.MediaGeoJSON, cachePartner, respond.JSON(respond.Obj{
		"type": "FeatureCollection", "features": features, "layer": page.Layer.ID, "version": page.Version,
		"numberMatched": page.Matched, "numberReturned": len(features), "links": links}))
}

// partnerTile serves GET /partners/layers/{id}/tiles/WebMercatorQuad/{z}/{y}/{x}: the
// current version as a vector tile, MVT layer named after the layer, attributes its fields.
// The shared tile cache is used with the caller's organisation in the key.
func (s *Room) partnerTile(c echo.Context) error {
	if err := partnerCaller(c); err != nil {
		return err
	}
	t, err := request.MVTTile(c, "f", "filter", "filter-lang", "filter-crs")
	if err != nil {
		return err
	}
	cql, err := request.Filter(c.QueryParams())
	if err != nil {
		return err
	}
	canon, err := request.CanonicalFilter(cql)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	l, err := s.store.PartnerLayer(ctx, c.Param("layerId"))
	if err != nil {
		return err
	}
	org := layers.PrincipalFrom(ctx).Organisation
	key := fmt.Sprintf("p|%s|%s|%d|%d|%s|%s", org, l.ID, l.Version, s.tileGeneration(partnerTables...), t, canon)
	return s.serveTile(c, key, func(ctx context.Context) ([]byte, error) {
		return s.store.PartnerTile(ctx, l.ID, l.Version, t, cql)
	})
}

// partnerDistricts serves GET /partners/layers/{id}/districts: the current version summed
// per area of level (property: a numeric field to sum; total: an indicator the sum is a
// share of), as JSON or CSV (f=csv).
func (s *Room) partnerDistricts(c echo.Context) error {
	if err := partnerCaller(c); err != nil {
		return err
	}
	if err := respond.OnlyParamsAny(c, "property", "total", "level", "f"); err != nil {
		return err
	}
	v := c.QueryParams()
	format, err := respond.Format(v.Get("f"), request.FormatJSON, request.FormatJSON, request.FormatCSV)
	if err != nil {
		return err
	}
	level := v.Get("level")
	if level == "" {
		level = "district"
	}
	sum, err := s.store.PartnerDistrictSummary(c.Request().Context(), c.Param("layerId"), v.Get("property"), v.Get("total"), level)
	if err != nil {
		return err
	}
	if format == request.FormatCSV {
		var b bytes.Buffer
		w := respond.NewCSVWriter(&b)
		_ = w.Write([]string{"code", "name", "features", "sum", "total", "total_year", "share"})
		num := func(f *float64) string {
			if f == nil {
				return ""
			}
			return strconv.FormatFloat(*f, 'g', -1, 64)
		}
		for _, r := range sum.Districts {
			year := ""
			if r.TotalYear != nil {
				year = strconv.Itoa(*r.TotalYear)
			}
			_ = w.Write([]string{r.Code, r.Name, strconv.Itoa(r.Features), num(r.Sum), num(r.Total), year, num(r.Share)})
		}
		w.Flush()
		c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+sum.Layer+`-`+level+`.csv"`)
		return s.out.Send(c, http.StatusOK, respond.MediaCSV, cachePartner, b.Bytes())
	}
	return s.sendPartner(c, http.StatusOK, sum)
}

// partnerQueryables serves GET /partners/layers/{layerId}/queryables: the fields of the
// current version, typed as inferred when it was uploaded.
func (s *Room) partnerQueryables(c echo.Context) error {
	if err := partnerCaller(c); err != nil {
		return err
	}
	if err := respond.OnlyParams(c, "f"); err != nil {
		return err
	}
	fields, l, err := s.store.PartnerFields(c.Request().Context(), c.Param("layerId"))
	if err != nil {
		return err
	}
	props := respond.Obj{}
	for _, f := range fields {
		var s respond.Obj
		switch f.Type {
		case "integer":
			s = respond.JSONSchemaOf(layers.Integer)
		case "number":
			s = respond.JSONSchemaOf(layers.Number)
		case "boolean":
			s = respond.JSONSchemaOf(layers.Boolean)
		case "date":
			s = respond.JSONSchemaOf(layers.Date)
		case "datetime":
			s = respond.JSONSchemaOf(layers.DateTime)
		default:
			s = respond.JSONSchemaOf(layers.String)
		}
		s["title"] = f.Name
		props[f.Name] = s
	}
	props[layers.GeometryQueryable] = respond.Obj{"title": "Geometry", "format": respond.GeometryFormat(l.GeometryType), "x-ogc-role": "primary-geometry"}
	return s.out.Send(c, http.StatusOK, respond.MediaJSONSchema, cachePartner, respond.JSON(respond.Obj{
		"$schema": "https://json-schema.org/draft/2020-12/schema",
		"$id":     s.baseURL(c) + "/partners/layers/" + l.ID + "/queryables",
		"type":    "object", "title": "Queryables of " + l.Title, "properties": props, "additionalProperties": false,
	}))
}
