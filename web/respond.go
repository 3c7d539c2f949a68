package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/respond"
)

// Cache lifetimes. Data changes only through imports and writes, and every answer has a
// strong ETag, so clients revalidate cheaply after a short max-age.
const (
	cacheMeta = "public, max-age=300"
	cacheData = "public, max-age=60"
)

// gzipMin is the smallest body worth compressing.
const gzipMin = 1024

// send writes body with a strong ETag, answers 304 to a matching If-None-Match, and
// compresses with gzip when the client accepts it. The compressed representation gets
// its own ETag, as strong validators must differ between content codings.
func (s *Server) send(c echo.Context, status int, contentType, cacheControl string, body []byte) error {
	return s.sendTagged(c, status, contentType, cacheControl, body, bodyTag(body))
}

// bodyTag is the strong ETag (without quotes) of body's identity coding.
func bodyTag(body []byte) string {
	sum := sha256.Sum256(body)
	return base64.RawURLEncoding.EncodeToString(sum[:18])
}

// sendTagged is send with the body's tag already known (bodyTag), for a body kept in memory
// and sent many times, so hashing it once is enough.
func (s *Server) sendTagged(c echo.Context, status int, contentType, cacheControl string, body []byte, tag string) error {
	req, h := c.Request(), c.Response().Header()
	gz := len(body) >= gzipMin && acceptsGzip(req.Header.Get(echo.HeaderAcceptEncoding))
	if gz {
		tag += "-gz"
	}
	etag := `"` + tag + `"`
	h.Set(echo.HeaderContentType, contentType)
	h.Set("ETag", etag)
	h.Set("Cache-Control", cacheControl)
	h.Add(echo.HeaderVary, echo.HeaderAcceptEncoding)
	if status == http.StatusOK && etagMatch(req.Header.Get("If-None-Match"), tag) {
		return c.NoContent(http.StatusNotModified)
	}
	if gz {
		var buf bytes.Buffer
		zw := s.gzips.Get().(*gzip.Writer)
		zw.Reset(&buf)
		_, _ = zw.Write(body)
		_ = zw.Close()
		s.gzips.Put(zw)
		body = buf.Bytes()
		h.Set(echo.HeaderContentEncoding, "gzip")
	}
	return c.Blob(status, contentType, body)
}

// sendJSON marshals v and sends it with send.
func (s *Server) sendJSON(c echo.Context, contentType, cacheControl string, v any) error {
	return s.send(c, http.StatusOK, contentType, cacheControl, respond.JSON(v))
}

// acceptsGzip reports whether an Accept-Encoding header accepts gzip (q > 0).
func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), "gzip") {
			continue
		}
		for _, p := range strings.Split(params, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.EqualFold(k, "q") {
				q, err := strconv.ParseFloat(v, 64)
				return err == nil && q > 0
			}
		}
		return true
	}
	return false
}

// etagMatch reports whether an If-None-Match header matches tag (weak comparison, RFC 9110 13.1.2).
func etagMatch(header, tag string) bool {
	if header == "" {
		return false
	}
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" {
			return true
		}
		t = strings.TrimPrefix(t, "W/")
		if strings.Trim(t, `"`) == tag {
			return true
		}
	}
	return false
}

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
