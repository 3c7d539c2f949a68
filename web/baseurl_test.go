package web_test

import (
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/layerstest"
	"github.com/lagesbild/lagesbild/web"
)

// forwardingHeaders are the request headers links are built from without --base-url.
var forwardingHeaders = []string{"Host", "X-Forwarded-Proto", "X-Forwarded-Protocol", "X-Forwarded-Ssl", "X-Url-Scheme"}

// TestLinksFromRequestVary (issue 12, M5): an answer whose links are built from the request's
// Host and forwarding headers says so in Vary, so a shared cache never serves the links one
// caller's headers made to another; with a base URL the links are fixed and need no Vary.
func TestLinksFromRequestVary(t *testing.T) {
	db := layerstest.Require(t, testDB)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	paths := []string{"/", "/collections", "/collections/places/tiles/WebMercatorQuad?f=tilejson", "/collections/places/items?limit=1"}
	for _, base := range []string{"", "https://lagesbild.vasteras.se/api"} {
		srv, _ := testServer(t, db, web.Config{Version: "test", BaseURL: base}, layers.NewCatalogue(), log)
		for _, path := range paths {
			req, _ := http.NewRequest("GET", srv.URL+path, nil)
			req.Header.Set(anonymousHeader, "1")
			req.Header.Set("X-Forwarded-Proto", "https")
			req.Host = "evil.example"
			res, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != 200 {
				t.Fatalf("GET %s: %d %.200s", path, res.StatusCode, body)
			}
			vary := strings.Join(res.Header.Values("Vary"), ", ")
			fromRequest := strings.Contains(string(body), "https://evil.example/")
			if fromRequest != (base == "") {
				t.Errorf("base %q, GET %s: links from the request's headers: %t", base, path, fromRequest)
			}
			for _, h := range forwardingHeaders {
				if strings.Contains(vary, h) != fromRequest {
					t.Errorf("base %q, GET %s: Vary %q, want %s in it: %t", base, path, vary, h, fromRequest)
				}
			}
		}
		srv.Close()
	}
}
