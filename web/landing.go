package web

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/respond"
)

// conformanceClasses are the OGC conformance classes this server implements.
func conformanceClasses() []string {
	return append([]string{
		"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
		"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
		"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
		"http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
		"http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/core",
		"http://www.opengis.net/spec/ogcapi-common-2/1.0/conf/collections",
		"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
		"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
		"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
		"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/dataset-tilesets",
		"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
		"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
		"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/oas30",
	}, filterConformance()...)
}

// landing serves GET /, the OGC API landing page.
func (s *Server) landing(c echo.Context) error {
	if err := respond.OnlyParams(c, "f"); err != nil {
		return err
	}
	base := s.baseURL(c)
	return s.out.SendJSON(c, respond.MediaJSON, respond.CacheMeta, map[string]any{
		"title":       "Lägesbild",
		"description": "Gemensam lägesbild för kommun och polis: stadsdelar, platser, observationer, indikatorer och insatser. A shared situational picture for the municipality and the police (OGC API – Features).",
		"version":     s.cfg.Version,
		"links": []respond.Link{
			{Href: base + "/", Rel: "self", Type: respond.MediaJSON, Title: "This document"},
			{Href: base + "/api", Rel: "service-desc", Type: "application/vnd.oai.openapi+json;version=3.0", Title: "The API definition (OpenAPI 3.0)"},
			{Href: base + "/api?f=html", Rel: "service-doc", Type: "text/html", Title: "The API definition to read in a browser"},
			{Href: base + "/conformance", Rel: "conformance", Type: respond.MediaJSON, Title: "Conformance classes"},
			{Href: base + "/collections", Rel: "data", Type: respond.MediaJSON, Title: "Collections"},
			{Href: base + "/tiles", Rel: "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector", Type: respond.MediaJSON, Title: "Vector tiles of the map (districts, places, interventions)"},
			{Href: base + "/styles", Rel: "http://www.opengis.net/def/rel/ogc/1.0/styles", Type: respond.MediaJSON, Title: "Map styles (MapLibre / Mapbox GL) with the map page's colours"},
		},
	})
}

// conformance serves GET /conformance.
func (s *Server) conformance(c echo.Context) error {
	if err := respond.OnlyParams(c, "f"); err != nil {
		return err
	}
	return s.out.SendJSON(c, respond.MediaJSON, respond.CacheMeta, map[string]any{"conformsTo": conformanceClasses()})
}

// healthz says the process is up; it touches nothing else.
func (s *Server) healthz(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.String(http.StatusOK, "ok\n")
}

// readyz says whether the server can answer: the database must respond within two seconds.
func (s *Server) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		// Whatever the ping's error, not answering is unavailability: 503 with Retry-After,
		// logged by the error mapper.
		return fmt.Errorf("not ready: %w (%w)", layers.ErrUnavailable, err)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.String(http.StatusOK, "ready\n")
}
