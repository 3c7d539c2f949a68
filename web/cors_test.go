package web_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/layerstest"
	"github.com/lagesbild/lagesbild/web"
)

func TestCORS(t *testing.T) {
	db := layerstest.Require(t, testDB)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	tests := []struct {
		name    string
		origins []string
		origin  string
		want    string
	}{
		{"off by default", nil, "https://karta.example", ""},
		{"allowed origin", []string{"https://karta.example"}, "https://karta.example", "https://karta.example"},
		{"other origin", []string{"https://karta.example"}, "https://evil.example", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(web.New(web.Config{CORSOrigins: tt.origins}, layers.NewStore(db.AppPool), layers.NewCatalogue(), log))
			defer srv.Close()
			req, _ := http.NewRequest("GET", srv.URL+"/collections", nil)
			req.Header.Set("Origin", tt.origin)
			res, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if got := res.Header.Get("Access-Control-Allow-Origin"); got != tt.want {
				t.Errorf("Access-Control-Allow-Origin %q, want %q", got, tt.want)
			}
		})
	}
}
