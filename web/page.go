package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"

	"github.com/lagesbild/lagesbild/web/respond"
)

// The map page (web/page, built into web/static by `make page`) is embedded in the binary,
// so the server needs nothing at run time beyond its database.
//
//go:embed static
var staticFiles embed.FS

// pagePath is where the map page is served.
const pagePath = "/karta/"

// cachePage is for the page's HTML and configuration: always revalidated, so a new release
// shows at once; the ETag makes the revalidation cheap. The other assets keep their names
// across releases (no content hashes), so they get a short max-age and an ETag.
const cachePage = "no-cache"

// pageAsset is one embedded file with its validators, compressed at most once.
type pageAsset struct {
	body        []byte
	contentType string
	etag        string // strong, of the identity body

	gzOnce sync.Once
	gz     []byte
}

// gzipped returns the gzip representation, made on first use.
func (a *pageAsset) gzipped() []byte {
	a.gzOnce.Do(func() {
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
		_, _ = zw.Write(a.body)
		_ = zw.Close()
		a.gz = b.Bytes()
	})
	return a.gz
}

// pageAssets reads the embedded files once per server.
func pageAssets() (map[string]*pageAsset, error) {
	root, err := fs.Sub(staticFiles, "static")
	if err != nil {
		return nil, err
	}
	assets := map[string]*pageAsset{}
	err = fs.WalkDir(root, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(root, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		assets[p] = &pageAsset{
			body:        body,
			contentType: assetType(p),
			etag:        base64.RawURLEncoding.EncodeToString(sum[:18]),
		}
		return nil
	})
	return assets, err
}

// assetType is the media type by extension; .mjs must be JavaScript, or browsers refuse to
// start MapLibre's module worker.
func assetType(p string) string {
	switch path.Ext(p) {
	case ".html":
		return "text/html; charset=utf-8"
	case ".js", ".mjs":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".txt":
		return "text/plain; charset=utf-8"
	case ".json":
		return respond.MediaJSON
	case ".pbf":
		return "application/x-protobuf"
	}
	if t := mime.TypeByExtension(path.Ext(p)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// pageRoutes registers the map page: /karta redirects to /karta/, which serves index.html;
// /karta/config.json tells the page the configured basemap (none by default) and the layers
// of its layer panel (page_layers.go).
func (s *Server) pageRoutes(get func(string, echo.HandlerFunc)) {
	assets, err := pageAssets()
	if err != nil {
		// The files are compiled in; failing to read them is a build defect.
		panic("web: embedded page: " + err.Error())
	}
	get(strings.TrimSuffix(pagePath, "/"), func(c echo.Context) error {
		target := pagePath
		if q := c.Request().URL.RawQuery; q != "" {
			target += "?" + q
		}
		return c.Redirect(http.StatusMovedPermanently, target)
	})
	config := respond.JSON(map[string]any{
		"basemapStyle": s.cfg.BasemapStyle,
		"layers":       pageLayers(s.cat),
	})
	get(pagePath+"config.json", func(c echo.Context) error {
		return s.out.Send(c, http.StatusOK, respond.MediaJSON, cachePage, config)
	})
	get(pagePath+"*", func(c echo.Context) error {
		name := c.Param("*")
		if unescaped, err := url.PathUnescape(name); err == nil {
			name = unescaped
		}
		if name == "" {
			name = "index.html"
		}
		a, ok := assets[name]
		if !ok && glyphRange(assets, name) {
			a, ok = noGlyphs, true
		}
		if !ok {
			return echo.NewHTTPError(http.StatusNotFound, "no such file of the map page")
		}
		cache := respond.CacheMeta
		if strings.HasSuffix(name, ".html") { // the map page and the API browser (apidoc.html)
			cache = cachePage
			s.pageSecurityHeaders(c)
		}
		return s.sendAsset(c, a, cache)
	})
}

// glyphRangeName is a glyph file's name below the page: glyphs/<font stack>/<first>-<last>.pbf.
var glyphRangeName = regexp.MustCompile(`^glyphs/([^/]+)/([0-9]{1,5})-([0-9]{1,5})\.pbf$`)

// noGlyphs answers a range the page's glyphs do not include (only the ranges Swedish names
// need are embedded, web/page/glyphs): an empty glyph set, so the map leaves out characters
// it has no glyphs for instead of reporting a failed request for each label.
var noGlyphs = &pageAsset{contentType: "application/x-protobuf", etag: "no-glyphs"}

// glyphRange reports whether name is a well-formed range of 256 of a font stack the page has.
func glyphRange(assets map[string]*pageAsset, name string) bool {
	m := glyphRangeName.FindStringSubmatch(name)
	if m == nil {
		return false
	}
	first, _ := strconv.Atoi(m[2])
	last, _ := strconv.Atoi(m[3])
	if first%256 != 0 || last != first+255 || last > 0xffff {
		return false
	}
	_, ok := assets["glyphs/"+m[1]+"/0-255.pbf"]
	return ok
}

// pageSecurityHeaders keeps the page to its own origin: without a configured basemap the
// browser refuses any request elsewhere, which is the promise "no outside calls at run time".
func (s *Server) pageSecurityHeaders(c echo.Context) {
	connect := "'self'"
	if s.cfg.BasemapStyle != "" {
		connect += " https:" // a basemap style names its own tile and glyph servers
	}
	h := c.Response().Header()
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "+
		"img-src 'self' data: blob:; worker-src 'self' blob:; connect-src "+connect+"; object-src 'none'; base-uri 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
}

// sendAsset writes an embedded file like send does for answers: strong ETag (its own for the
// gzip representation), 304 on If-None-Match, gzip when accepted and worth it.
func (s *Server) sendAsset(c echo.Context, a *pageAsset, cacheControl string) error {
	req, h := c.Request(), c.Response().Header()
	gz := len(a.body) >= respond.GzipMin && respond.AcceptsGzip(req.Header.Get(echo.HeaderAcceptEncoding))
	tag := a.etag
	if gz {
		tag += "-gz"
	}
	h.Set(echo.HeaderContentType, a.contentType)
	h.Set("ETag", `"`+tag+`"`)
	h.Set("Cache-Control", cacheControl)
	h.Add(echo.HeaderVary, echo.HeaderAcceptEncoding)
	if respond.ETagMatch(req.Header.Get("If-None-Match"), tag) {
		return c.NoContent(http.StatusNotModified)
	}
	body := a.body
	if gz {
		body = a.gzipped()
		h.Set(echo.HeaderContentEncoding, "gzip")
	}
	h.Set(echo.HeaderContentLength, strconv.Itoa(len(body)))
	return c.Blob(http.StatusOK, a.contentType, body)
}

// root serves GET /: browsers (Accept naming text/html before JSON) go to the map page, API
// clients get the landing page as before.
func (s *Server) root(c echo.Context) error {
	c.Response().Header().Add(echo.HeaderVary, echo.HeaderAccept)
	if !c.QueryParams().Has("f") && prefersHTML(c.Request().Header.Get(echo.HeaderAccept)) {
		return c.Redirect(http.StatusFound, pagePath)
	}
	return s.landing(c)
}

// prefersHTML reports whether an Accept header asks for text/html with a quality above
// zero and at least as high as application/json's (absent types do not count).
func prefersHTML(accept string) bool {
	q := map[string]float64{}
	for _, part := range strings.Split(accept, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.ToLower(strings.TrimSpace(name))
		v := 1.0
		for _, p := range strings.Split(params, ";") {
			k, val, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.EqualFold(k, "q") {
				if f, err := strconv.ParseFloat(val, 64); err == nil {
					v = f
				}
			}
		}
		q[name] = v
	}
	html, ok := q["text/html"]
	if !ok || html <= 0 {
		return false
	}
	if json, ok := q[respond.MediaJSON]; ok && json > html {
		return false
	}
	return true
}
