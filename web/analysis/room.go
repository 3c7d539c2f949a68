// Package analysis is the analyses' room of the API: the hotspot analyses and their tiles
// (hotspot*.go), the forecast (forecast*.go), the districts' prioritisation with its
// scenarios, comparison and exports (priority*.go), the deployment planner (deployment*.go)
// and the follow-up of interventions (followup*.go), each with its OpenAPI entries beside it
// (*_openapi.go); the cost bounds every analysis checks before it computes (cost.go) and the
// disclosure rules of the aggregated view (disclosure.go).
//
// The handlers parse a request, call one loader of layers and the analysis of a geo package,
// and map the result to the wire format; they hold no SQL and compute no statistics. web
// composes a Room and mounts its routes; the room never imports web
// (TestDependenciesPointDown), and takes what web owns (the tile cache, the analysis slots,
// the base URL) in Deps.
//
// Assumptions: every error goes to web's one mapper (invalid input as *layers.InvalidError
// naming the parameter); every query gets the request's context; an analysis takes a slot of
// Deps.Gate before it computes.
package analysis

import (
	"context"
	"log/slog"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/request"
	"github.com/lagesbild/lagesbild/web/respond"
)

// Deps is what the analyses need of the server that composes them.
type Deps struct {
	Store *layers.Store
	Cat   *layers.Catalogue
	Log   *slog.Logger
	// Now is the clock of the answers' timestamps and of "the latest week".
	Now func() time.Time
	// AggregatedOnly answers every caller as one without access to observation points
	// (web.Config.AggregatedOnly); MinCellCount is the disclosure threshold (> 0).
	AggregatedOnly bool
	MinCellCount   int
	// AnalysisCacheBytes bounds the memo of analyses behind hotspot tiles; negative: no memo.
	AnalysisCacheBytes int64
	// Gate holds the analysis slots the server's bounds share.
	Gate *request.Gate
	// Out writes answers with validators and compression.
	Out *respond.Sender
	// BaseURL is the absolute URL of the API root for links, without a trailing slash.
	BaseURL func(c echo.Context) string
	// TileGeneration is the tile cache's generation of tables: it changes when they do, so a
	// cache key holding it is dropped with their data.
	TileGeneration func(tables ...string) uint64
	// ServeTile sends the tile cached under key, making it with make on a miss.
	ServeTile func(c echo.Context, key string, make func(context.Context) ([]byte, error)) error
}

// config is the part of Deps the handlers read as settings.
type config struct {
	AggregatedOnly bool
	MinCellCount   int
}

// Room is the analyses' handlers. Create it with New.
type Room struct {
	cfg            config
	store          *layers.Store
	cat            *layers.Catalogue
	log            *slog.Logger
	now            func() time.Time
	gate           *request.Gate
	out            *respond.Sender
	baseURL        func(echo.Context) string
	tileGeneration func(tables ...string) uint64
	serveTile      func(echo.Context, string, func(context.Context) ([]byte, error)) error
	analyses       *analysisMemo
}

// New returns the analyses over deps.
func New(deps Deps) *Room {
	return &Room{
		cfg:            config{AggregatedOnly: deps.AggregatedOnly, MinCellCount: deps.MinCellCount},
		store:          deps.Store,
		cat:            deps.Cat,
		log:            deps.Log,
		now:            deps.Now,
		gate:           deps.Gate,
		out:            deps.Out,
		baseURL:        deps.BaseURL,
		tileGeneration: deps.TileGeneration,
		serveTile:      deps.ServeTile,
		analyses:       newAnalysisMemo(deps.AnalysisCacheBytes),
	}
}

// Routes mounts the analyses' routes: GET ones with get, the POST, PUT and DELETE ones on e.
func (s *Room) Routes(e *echo.Echo, get func(string, echo.HandlerFunc)) {
	s.hotspotRoutes(get)
	s.forecastRoutes(get)
	s.priorityRoutes(e)
	s.deploymentRoutes(e)
	s.shiftRoutes(e)
	s.followupRoutes(get)
}

// Collectors are the metrics of the analysis memo.
func (s *Room) Collectors() []prometheus.Collector {
	return []prometheus.Collector{s.analyses.collector()}
}

// OpenAPI adds the analyses' paths and schemas to the OpenAPI document.
func OpenAPI(cat *layers.Catalogue, paths, schemas respond.Obj) {
	hotspotOpenAPI(cat, paths, schemas)
	forecastOpenAPI(cat, paths, schemas)
	priorityOpenAPI(paths, schemas)
	deploymentOpenAPI(paths, schemas)
	shiftOpenAPI(paths, schemas)
	followupOpenAPI(paths, schemas)
}
