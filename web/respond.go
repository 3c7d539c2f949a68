package web

import (
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/lagesbild/lagesbild/layers"
)

// privateCaching is middleware, after authentication, that keeps shared caches from handing
// one caller's answer to another: every answer varies by the credentials, and an
// authenticated caller's answers are private.
func (s *Server) privateCaching(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		privateCaching(c, layers.PrincipalFrom(c.Request().Context()))
		return next(c)
	}
}

// privateCaching sets the caching headers of c's answer for principal p.
func privateCaching(c echo.Context, p *layers.Principal) {
	if strings.HasPrefix(c.Request().URL.Path, pagePath) { // the page is the same for everyone
		return
	}
	res := c.Response()
	res.Header().Add(echo.HeaderVary, "Authorization, Cookie")
	if p.IsAnonymous() {
		return
	}
	res.Before(func() {
		h := res.Header()
		switch cc := h.Get("Cache-Control"); {
		case strings.HasPrefix(cc, "public"):
			h.Set("Cache-Control", "private"+strings.TrimPrefix(cc, "public"))
		case cc != "" && !strings.Contains(cc, "private") && !strings.Contains(cc, "no-store"):
			h.Set("Cache-Control", "private, "+cc)
		}
	})
}
