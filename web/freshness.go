package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/lagesbild/lagesbild/layers"
)

// Read-your-writes across server processes and read replicas (issue 16; layers/replicas.go).
//
// A request that may write reads only from the primary, and when it succeeds its answer
// carries the primary's WAL position after it: in the WrotePositionCookie (HttpOnly, for
// the page) and the WrotePositionHeader (for API clients, which send it back in the same
// header). A later read carrying the position, through any server process, is answered from
// no standby that has not replayed it and from no cache of a process that has not yet acted
// on the write's change notifications — so the caller sees what they wrote, even while a
// standby lags or the notification is still on its way.
const (
	WrotePositionCookie = "lagesbild_wrote"
	WrotePositionHeader = "Lagesbild-Wrote-Position"
	// wrotePositionMaxAge is how long the cookie lives: far longer than a notification takes
	// to arrive, after which the caches of every process have long dropped the change.
	wrotePositionMaxAge = 60
)

// freshness is the middleware of read-your-writes: see the constants above.
func (s *Server) freshness(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		ctx := req.Context()
		if !safeMethod(req.Method) {
			ctx = layers.WithPrimary(ctx)
			c.Response().Before(func() {
				if c.Response().Status >= http.StatusBadRequest || !writesData(c.Path()) {
					return
				}
				lsn, err := s.store.MarkWrite(ctx)
				if err != nil {
					// The write stands; the caller may read the old state from a standby for
					// the standby's lag. Not worth failing an answer that is on its way.
					s.log.Warn("announcing a write's position failed", "error", err)
					return
				}
				c.SetCookie(&http.Cookie{Name: WrotePositionCookie, Value: lsn.String(), Path: "/", MaxAge: wrotePositionMaxAge,
					HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: c.Scheme() == "https"})
				c.Response().Header().Set(WrotePositionHeader, lsn.String())
			})
		} else if lsn := wrotePosition(req); lsn > 0 {
			ctx = layers.WithReadAfter(ctx, lsn)
			if s.store.CachesBehind(ctx) {
				ctx = layers.WithoutCaches(ctx)
			}
		}
		c.SetRequest(req.WithContext(ctx))
		return next(c)
	}
}

// writesData says whether a request to route (other than GET, HEAD, OPTIONS) may change
// data that is read, cached or replicated: not a login, logout or token change (credentials
// are read from the primary only), nor an analysis computed by POST.
func writesData(route string) bool {
	switch route {
	case "/analysis/priority", "/analysis/priority/compare":
		return false
	}
	return !strings.HasPrefix(route, "/auth/")
}

// wrotePosition is the position of the caller's last write, from the header or the cookie;
// 0 when neither holds one. A malformed value is ignored: it can only ask for fresher reads.
func wrotePosition(req *http.Request) layers.LSN {
	v := strings.TrimSpace(req.Header.Get(WrotePositionHeader))
	if v == "" {
		if ck, err := req.Cookie(WrotePositionCookie); err == nil {
			v = ck.Value
		}
	}
	if v == "" {
		return 0
	}
	lsn, err := layers.ParseLSN(v)
	if err != nil {
		return 0
	}
	return lsn
}

// safeMethod says whether m only reads.
func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}
