// Package web is Lägesbild's HTTP face: it composes the server (server.go) and serves the
// map resources itself — OGC API – Features collections, items, queryables and writes
// (collections.go, items.go, queryables.go, interventions.go), vector tiles and TileJSON
// (tiles.go, tilecache.go), styles, indicators, the OpenAPI document, the map page, health
// and metrics — with the one error mapper (problem.go, RFC 9457) and the request bounds
// (bounds.go). The other capabilities are rooms below it that web mounts: web/analysis (the
// hotspot, forecast, priority, deployment and follow-up analyses), web/partner (partner
// overlays), web/report (the printable report) and web/auth (identity and access); they share
// web/request (parsing, the analysis slots), web/respond (answers, OpenAPI building blocks)
// and web/lru (bounded caches), and never import web.
//
// Assumptions: handlers return errors to one mapper (problem.go); every database call gets
// the request's context; the base URL of links is taken from the configuration or, when
// unset, from the request.
package web

import (
	"cmp"
	"compress/gzip"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/analysis"
	"github.com/lagesbild/lagesbild/web/auth"
	"github.com/lagesbild/lagesbild/web/partner"
	"github.com/lagesbild/lagesbild/web/request"
	"github.com/lagesbild/lagesbild/web/respond"
)

// Config configures the HTTP server.
type Config struct {
	// BaseURL, when set, is the absolute URL links are built from (e.g. behind a proxy).
	BaseURL string
	// CORSOrigins lists the origins allowed to call the API from a browser; empty: none.
	CORSOrigins []string
	// Version is reported on the landing page.
	Version string
	// AggregatedOnly answers the hotspot analyses as a caller without access to raw
	// observations sees them: aggregated cells only, counts below MinCellCount suppressed,
	// no kernel density surface. Until access control (issue 7) decides it per caller, it is
	// a server-wide setting.
	AggregatedOnly bool
	// MinCellCount is the disclosure threshold; 0 means DefaultMinCellCount (5).
	MinCellCount int
	// BasemapStyle is a MapLibre style URL the map page draws under its layers; empty (the
	// default): a plain background, and the page calls nothing outside this server.
	BasemapStyle string
	// TileCache keeps finished vector tiles; nil: a private cache of DefaultTileCacheBytes.
	// Pass one to invalidate it from outside (see layers.Store.ListenChanges).
	TileCache *TileCache
	// AnalysisCacheBytes bounds the memo of analyses behind hotspot tiles; 0:
	// DefaultAnalysisCacheBytes, negative: no memo.
	AnalysisCacheBytes int64
	// Auth configures identity: sessions, API tokens, OpenID Connect JWTs (web/auth).
	Auth auth.Config
	// UploadMaxBytes and UploadMaxFeatures bound a partner layer upload (413 beyond);
	// 0: DefaultUploadMaxBytes (50 MB) and DefaultUploadMaxFeatures (100,000).
	UploadMaxBytes    int64
	UploadMaxFeatures int
	// RequestTimeout and AnalysisTimeout are the deadlines of a request's context, for map
	// work and for analyses (bounds.go); 0: the defaults, negative: none. MaxAnalyses
	// analyses compute at once, a further one waits AnalysisQueueWait for a slot and is then
	// answered 503 (at once when 16 per slot are already waiting); 0: the defaults.
	RequestTimeout, AnalysisTimeout time.Duration
	MaxAnalyses                     int
	AnalysisQueueWait               time.Duration
	// TrustedProxies are the address ranges of the reverse proxies in front of the server.
	// The client's address — in the request log, the audit log and the login limits — is read
	// from X-Forwarded-For only when the connection comes from one of them, and is then the
	// rightmost address in the header that is not itself in these ranges. Empty (the
	// default): the connection's own address, and X-Forwarded-For is ignored, since anyone
	// can send it.
	TrustedProxies []netip.Prefix
	// Metrics is the registry the server's collectors (latency, pool, caches, runtime) are
	// registered in, for the caller to serve apart from the API (lagesbild serve
	// --metrics-addr); nil: they are kept in a private registry that nothing serves. The API
	// itself never serves /metrics: the figures describe the load and the data.
	Metrics *prometheus.Registry
}

// DefaultTileCacheBytes bounds the tile cache when Config.TileCache is nil.
const DefaultTileCacheBytes = 64 << 20

// DefaultAnalysisCacheBytes bounds the analysis memo when Config.AnalysisCacheBytes is 0.
const DefaultAnalysisCacheBytes = 64 << 20

// Upload limits when Config leaves them zero.
const (
	DefaultUploadMaxBytes    = 50 << 20
	DefaultUploadMaxFeatures = 100_000
)

// Server holds what the handlers share. Create it with New.
type Server struct {
	cfg      Config
	store    *layers.Store
	cat      *layers.Catalogue
	log      *slog.Logger
	registry *prometheus.Registry
	latency  *prometheus.HistogramVec
	gzips    sync.Pool
	out      *respond.Sender
	tiles    *TileCache
	mapSet   mapTileSet
	gate     *request.Gate
	analyses *analysis.Room
	partners *partner.Room
	now      func() time.Time
	auth     *auth.Auth
}

// New returns the Echo instance serving the API over store.
func New(cfg Config, store *layers.Store, cat *layers.Catalogue, log *slog.Logger) *echo.Echo {
	s := &Server{
		cfg:      cfg,
		store:    store,
		cat:      cat,
		log:      log,
		registry: cfg.Metrics,
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "lagesbild_http_request_duration_seconds",
			Help:    "Latency of HTTP requests by route, method and status.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "method", "status"}),
		tiles: cfg.TileCache,
		now:   time.Now,
		auth:  auth.New(cfg.Auth, store, log, auth.Site{BaseURL: cfg.BaseURL, CORSOrigins: cfg.CORSOrigins}),
	}
	if s.registry == nil {
		s.registry = prometheus.NewRegistry()
	}
	if s.tiles == nil {
		s.tiles = NewTileCache(DefaultTileCacheBytes)
	}
	s.mapSet = newMapTileSet(cat)
	s.gate = newAnalysisGate(cfg.MaxAnalyses, cfg.AnalysisQueueWait)
	s.cfg.RequestTimeout = cmp.Or(cfg.RequestTimeout, DefaultRequestTimeout)
	s.cfg.AnalysisTimeout = cmp.Or(cfg.AnalysisTimeout, DefaultAnalysisTimeout)
	s.gzips.New = func() any { w, _ := gzip.NewWriterLevel(nil, gzip.DefaultCompression); return w }
	s.out = respond.NewSender()
	s.analyses = analysis.New(analysis.Deps{
		Store:              store,
		Cat:                cat,
		Log:                log,
		Now:                func() time.Time { return s.now() },
		AggregatedOnly:     cfg.AggregatedOnly,
		MinCellCount:       s.minCellCount(),
		AnalysisCacheBytes: cmp.Or(cfg.AnalysisCacheBytes, DefaultAnalysisCacheBytes),
		Gate:               s.gate,
		Out:                s.out,
		BaseURL:            s.baseURL,
		TileGeneration:     s.tiles.generation,
		ServeTile:          s.serveTile,
	})
	s.partners = partner.New(partner.Deps{
		Store:             store,
		UploadMaxBytes:    positiveOr(cfg.UploadMaxBytes, DefaultUploadMaxBytes),
		UploadMaxFeatures: positiveOr(cfg.UploadMaxFeatures, DefaultUploadMaxFeatures),
		Out:               s.out,
		BaseURL:           s.baseURL,
		TileGeneration:    s.tiles.generation,
		ServeTile:         s.serveTile,
	})
	s.registry.MustRegister(s.latency,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		newPoolCollector(store),
	)
	s.registry.MustRegister(s.tiles.collectors()...)
	s.registry.MustRegister(s.analyses.Collectors()...)
	s.registry.MustRegister(s.gate.Collectors()...)

	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = s.handleError
	e.IPExtractor = ipExtractor(cfg.TrustedProxies)
	e.Pre(respond.CSVDialect) // before routing: takes ?dialect= out of the query (respond/download.go)
	e.Use(middleware.Recover())
	e.Use(s.observe)
	e.Use(refuseUnreadableText)
	e.Use(s.freshness)
	if len(cfg.CORSOrigins) > 0 {
		e.Use(middleware.CORSWithConfig(middleware.CORSConfig{
			AllowOrigins:  cfg.CORSOrigins,
			AllowMethods:  []string{http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete},
			AllowHeaders:  []string{echo.HeaderContentType, "If-Match", "If-None-Match", "Content-Crs", echo.HeaderAuthorization, auth.CSRFHeader},
			ExposeHeaders: []string{"ETag", "Link", "Content-Crs", "OGC-NumberMatched", "Location"},
		}))
	}
	e.Use(s.auth.Authenticate)
	e.Use(s.privateCaching)
	e.Use(s.bound)
	e.Use(s.auth.AuditWrites("/analysis/priority", "/analysis/priority/compare")) // they POST to compute
	s.routes(e)
	return e
}

func (s *Server) routes(e *echo.Echo) {
	get := func(path string, h echo.HandlerFunc) {
		e.Match([]string{http.MethodGet, http.MethodHead}, path, h)
	}
	get("/", s.root)
	get("/conformance", s.conformance)
	get("/api", s.openAPI)
	get("/collections", s.collections)
	get("/collections/:collectionId", s.collection)
	get("/collections/:collectionId/items", s.items)
	get("/collections/:collectionId/items/:featureId", s.item)
	get("/collections/:collectionId/queryables", s.queryables)
	get("/collections/:collectionId/sortables", s.sortables)
	s.writeRoutes(e, get)
	get("/indicators/:key/districts", s.indicatorDistricts)
	s.tileRoutes(get)
	s.styleRoutes(get)
	s.analyses.Routes(e, get)
	s.reportRoutes(get)
	s.pageRoutes(get)
	s.auth.Routes(e, get)
	s.partners.Routes(e, get)
	get("/healthz", s.healthz)
	get("/readyz", s.readyz)
}

// positiveOr is n, or def when n is 0 or less.
func positiveOr[T int | int64](n, def T) T {
	if n > 0 {
		return n
	}
	return def
}

// ipExtractor is how c.RealIP() finds the client: the connection's address, or behind
// trusted proxies the rightmost untrusted address of X-Forwarded-For. Echo's defaults would
// trust every private, loopback and link-local address as a proxy; only the configured
// ranges are trusted here.
func ipExtractor(trusted []netip.Prefix) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, p := range trusted {
		p = p.Masked()
		opts = append(opts, echo.TrustIPRange(&net.IPNet{IP: net.IP(p.Addr().AsSlice()), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// observe logs every request and records its latency by route (the route pattern, not the
// path, so the label set stays small).
func (s *Server) observe(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := s.now()
		c.Set(clientContextKey, c.Request().Context())
		err := next(c)
		if err != nil {
			c.Error(err) // writes the problem answer now, so the status below is the real one
		}
		res := c.Response()
		route := c.Path()
		if route == "" {
			route = "unmatched"
		}
		elapsed := s.now().Sub(start)
		s.latency.WithLabelValues(route, methodLabel(c.Request().Method), statusClass(res.Status)).Observe(elapsed.Seconds())
		level := slog.LevelInfo
		switch {
		case res.Status == http.StatusServiceUnavailable:
			level = slog.LevelWarn // an outage or overload, not a bug here
		case res.Status >= 500:
			level = slog.LevelError
		}
		s.log.LogAttrs(c.Request().Context(), level, "request",
			slog.String("method", truncateForLog(c.Request().Method)),
			slog.String("path", truncateForLog(c.Request().URL.Path)),
			slog.String("query", queryForLog(c.Request().URL.RawQuery)),
			slog.Int("status", res.Status),
			slog.Int64("bytes", res.Size),
			slog.Duration("duration", elapsed),
			slog.String("remote", c.RealIP()),
		)
		return nil
	}
}

// methodLabel keeps the method label to the methods the API has: a client may send any token
// as a method, and every new label value is a new series kept for the life of the process.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return m
	}
	return "other"
}

// maxLoggedBytes bounds the path and the query string in the request log: enough to see
// which request it was, not a megabyte a line (the server takes up to 1 MB of header).
const maxLoggedBytes = 512

// secretParam says whether a query parameter's value never reaches the log: the API reads
// none of these from a query string, but a client that sends credentials there by mistake
// must not leave them in the log.
func secretParam(name string) bool {
	switch strings.ToLower(name) {
	case "password", "csrf_token", "token", "access_token", "id_token", "refresh_token", "secret", "api_key", "apikey", "jwt", "code":
		return true
	}
	return false
}

// queryForLog is raw as the request log shows it: values of secret parameters (secretParam) and values that look
// like an API token (lgb_…) or a JWT, under whatever name, replaced by "REDACTED", and the
// whole cut to maxLoggedBytes with a marker.
func queryForLog(raw string) string {
	if raw == "" {
		return ""
	}
	if len(raw) > 4*maxLoggedBytes {
		raw = raw[:4*maxLoggedBytes] // the rest is cut below anyway; spare the work
	}
	parts := strings.Split(raw, "&")
	for i, part := range parts {
		name, value, ok := strings.Cut(part, "=")
		if !ok {
			continue
		}
		if n, err := url.QueryUnescape(name); err == nil {
			name = n
		}
		if v, err := url.QueryUnescape(value); err == nil {
			value = v
		}
		if secretParam(name) || looksLikeCredential(value) {
			parts[i] = part[:strings.IndexByte(part, '=')+1] + "REDACTED"
		}
	}
	return truncateForLog(strings.Join(parts, "&"))
}

// looksLikeCredential says whether v is (or starts like) an API token or a JWT.
func looksLikeCredential(v string) bool {
	v = strings.TrimSpace(v)
	if strings.HasPrefix(v, layers.TokenPrefix) || strings.HasPrefix(strings.ToLower(v), "bearer ") {
		return true
	}
	return strings.HasPrefix(v, "eyJ") && strings.Count(v, ".") >= 2
}

// truncateForLog cuts s to maxLoggedBytes (at a rune boundary), saying how much was cut.
func truncateForLog(s string) string {
	if len(s) <= maxLoggedBytes {
		return s
	}
	cut := maxLoggedBytes
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…[truncated]"
}

func statusClass(code int) string {
	switch {
	case code >= 500:
		return "5xx"
	case code >= 400:
		return "4xx"
	case code >= 300:
		return "3xx"
	default:
		return "2xx"
	}
}

// baseURL is the absolute URL of the API root, without a trailing slash. Without
// Config.BaseURL it is made from the request's Host and the forwarding headers Echo reads the
// scheme from, so the answer varies on them: a shared cache must not hand the links one
// caller's headers made (https://evil.example/…) to another.
func (s *Server) baseURL(c echo.Context) string {
	if s.cfg.BaseURL != "" {
		return strings.TrimSuffix(s.cfg.BaseURL, "/")
	}
	h := c.Response().Header()
	if !slices.Contains(h.Values(echo.HeaderVary), varyLinks) {
		h.Add(echo.HeaderVary, varyLinks)
	}
	return c.Scheme() + "://" + c.Request().Host
}

// varyLinks names the request headers a base URL made from the request depends on.
const varyLinks = "Host, X-Forwarded-Proto, X-Forwarded-Protocol, X-Forwarded-Ssl, X-Url-Scheme"

// poolCollector exposes the connection pool's statistics as Prometheus gauges.
type poolCollector struct {
	store             *layers.Store
	total, idle, used *prometheus.Desc
}

func newPoolCollector(store *layers.Store) *poolCollector {
	return &poolCollector{
		store: store,
		total: prometheus.NewDesc("lagesbild_db_pool_connections", "Open database connections.", nil, nil),
		idle:  prometheus.NewDesc("lagesbild_db_pool_idle_connections", "Idle database connections.", nil, nil),
		used:  prometheus.NewDesc("lagesbild_db_pool_acquired_connections", "Database connections in use.", nil, nil),
	}
}

func (p *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- p.total
	ch <- p.idle
	ch <- p.used
}

func (p *poolCollector) Collect(ch chan<- prometheus.Metric) {
	st := p.store.Pool().Stat()
	ch <- prometheus.MustNewConstMetric(p.total, prometheus.GaugeValue, float64(st.TotalConns()))
	ch <- prometheus.MustNewConstMetric(p.idle, prometheus.GaugeValue, float64(st.IdleConns()))
	ch <- prometheus.MustNewConstMetric(p.used, prometheus.GaugeValue, float64(st.AcquiredConns()))
}

var _ prometheus.Collector = (*poolCollector)(nil)
