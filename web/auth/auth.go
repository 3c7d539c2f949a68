package auth

import (
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/lagesbild/lagesbild/layers"
)

// Auth is the room web composes for identity: its middleware and routes share one value.
// Create it with New; it is safe for concurrent use.
type Auth struct {
	store *layers.Store
	log   *slog.Logger
}

// New returns the identity room over store; log receives the audit entries that could not be
// written.
func New(store *layers.Store, log *slog.Logger) *Auth {
	return &Auth{store: store, log: log}
}

// Routes registers the room's routes on e; get registers a GET (and HEAD) route.
func (a *Auth) Routes(e *echo.Echo, get func(string, echo.HandlerFunc)) {
	get("/audit", a.auditLog)
}

// Unauthorized is a 401 with a WWW-Authenticate challenge; bearer says the bearer credential
// was at fault (RFC 6750 invalid_token).
func Unauthorized(c echo.Context, bearer bool, msg string) error {
	challenge := `Bearer realm="lagesbild"`
	if bearer {
		challenge += `, error="invalid_token"`
	}
	c.Response().Header().Set(echo.HeaderWWWAuthenticate, challenge)
	return echo.NewHTTPError(http.StatusUnauthorized, msg)
}

// safeMethod says whether m only reads: no CSRF token needed, no write to audit.
func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}
