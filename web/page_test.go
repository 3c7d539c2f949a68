package web_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestPageAssets(t *testing.T) {
	a := newAPI(t)
	noRedirect := *a.srv.Client()
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	get := func(path string, header http.Header) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest("GET", a.srv.URL+path, nil)
		// Go's transport would ask for gzip and unpack it silently; ask for what the test means.
		req.Header.Set("Accept-Encoding", "identity")
		for k, v := range header {
			req.Header[k] = v
		}
		res, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res, body
	}

	t.Run("redirects", func(t *testing.T) {
		for _, tc := range []struct {
			path, accept string
			status       int
			location     string
		}{
			{"/karta", "", http.StatusMovedPermanently, "/karta/"},
			{"/karta?lang=en", "", http.StatusMovedPermanently, "/karta/?lang=en"},
			{"/", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", http.StatusFound, "/karta/"},
			{"/", "", http.StatusOK, ""},
			{"/", "*/*", http.StatusOK, ""},
			{"/", "application/json", http.StatusOK, ""},
			{"/", "application/json, text/html;q=0.5", http.StatusOK, ""},
			{"/", "text/html;q=0", http.StatusOK, ""},
			{"/?f=json", "text/html", http.StatusOK, ""},
		} {
			res, body := get(tc.path, http.Header{"Accept": {tc.accept}})
			if res.StatusCode != tc.status || res.Header.Get("Location") != tc.location {
				t.Errorf("GET %s (Accept %q): %d to %q, want %d to %q", tc.path, tc.accept,
					res.StatusCode, res.Header.Get("Location"), tc.status, tc.location)
			}
			if tc.status == http.StatusOK && !json.Valid(body) {
				t.Errorf("GET %s (Accept %q): not JSON: %.80s", tc.path, tc.accept, body)
			}
		}
	})

	t.Run("files", func(t *testing.T) {
		for _, tc := range []struct{ path, contentType, cache, contains string }{
			{"/karta/", "text/html; charset=utf-8", "no-cache", `<html lang="sv">`},
			{"/karta/app.js", "text/javascript; charset=utf-8", "public, max-age=300", "maplibre"},
			{"/karta/maplibre-gl-worker.mjs", "text/javascript; charset=utf-8", "public, max-age=300", ""},
			{"/karta/app.css", "text/css; charset=utf-8", "public, max-age=300", "focus-visible"},
			{"/karta/maplibre-gl.css", "text/css; charset=utf-8", "public, max-age=300", ".maplibregl-map"},
			{"/karta/config.json", "application/json", "no-cache", `"basemapStyle":""`},
		} {
			res, body := get(tc.path, nil)
			if res.StatusCode != 200 || res.Header.Get("Content-Type") != tc.contentType || res.Header.Get("Cache-Control") != tc.cache {
				t.Errorf("GET %s: %d %q %q, want 200 %q %q", tc.path, res.StatusCode,
					res.Header.Get("Content-Type"), res.Header.Get("Cache-Control"), tc.contentType, tc.cache)
				continue
			}
			if !strings.Contains(string(body), tc.contains) {
				t.Errorf("GET %s: body lacks %q", tc.path, tc.contains)
			}
			etag := res.Header.Get("ETag")
			if !strings.HasPrefix(etag, `"`) {
				t.Errorf("GET %s: ETag %q is not strong", tc.path, etag)
			}
			if res, _ := get(tc.path, http.Header{"If-None-Match": {etag}}); res.StatusCode != http.StatusNotModified {
				t.Errorf("GET %s with If-None-Match: %d, want 304", tc.path, res.StatusCode)
			}
			if len(body) < 1024 {
				continue
			}
			res, zbody := get(tc.path, http.Header{"Accept-Encoding": {"gzip"}})
			if res.Header.Get("Content-Encoding") != "gzip" || res.Header.Get("ETag") == etag {
				t.Errorf("GET %s gzip: encoding %q, ETag %q (identity %q)", tc.path, res.Header.Get("Content-Encoding"), res.Header.Get("ETag"), etag)
				continue
			}
			zr, err := gzip.NewReader(bytes.NewReader(zbody))
			if err != nil {
				t.Fatal(err)
			}
			if plain, _ := io.ReadAll(zr); !bytes.Equal(plain, body) {
				t.Errorf("GET %s: gzip body differs from the identity body", tc.path)
			}
		}
	})

	t.Run("policy", func(t *testing.T) {
		res, _ := get("/karta/", nil)
		csp := res.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "connect-src 'self';") || !strings.Contains(csp, "default-src 'self'") {
			t.Errorf("Content-Security-Policy %q does not keep the page to its origin", csp)
		}
	})

	t.Run("missing", func(t *testing.T) {
		for _, p := range []string{"/karta/nope.js", "/karta/%2e%2e/go.mod", "/karta/src/main.js"} {
			res, _ := get(p, nil)
			if res.StatusCode != http.StatusNotFound || res.Header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("GET %s: %d %q, want a 404 problem", p, res.StatusCode, res.Header.Get("Content-Type"))
			}
		}
	})
}
