package web_test

import (
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/layerstest"
	"github.com/lagesbild/lagesbild/web"
)

// TestOpenAPILint lints the served API document with the two linters API consumers use,
// Redocly (its recommended rules) and Spectral (its oas rules), pinned in web/page: zero
// errors and zero warnings. A rule switched off says why in its config file (web/page).
func TestOpenAPILint(t *testing.T) {
	db := layerstest.Require(t, testDB)
	bin := filepath.Join("page", "node_modules", ".bin")
	_, err := exec.LookPath("node")
	for _, tool := range []string{"redocly", "spectral"} {
		if err == nil {
			_, err = os.Stat(filepath.Join(bin, tool))
		}
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("cannot lint the API document under CI: %v (make test runs npm ci in web/page)", err)
		}
		t.Skipf("cannot lint the API document: %v (run npm ci in web/page)", err)
	}
	srv, _ := testServer(t, db, web.Config{Version: "test"}, layers.NewCatalogue(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	res, err := http.Get(srv.URL + "/api")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("GET /api: %d %v", res.StatusCode, err)
	}
	path := filepath.Join(t.TempDir(), "openapi.json")
	if err := os.WriteFile(path, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	page, _ := filepath.Abs("page")
	for _, run := range [][]string{
		{"redocly", "lint", "--config", filepath.Join(page, "redocly.yaml"), "--format", "stylish", "--max-problems", "200", path},
		{"spectral", "lint", "--ruleset", filepath.Join(page, ".spectral.yaml"), "--fail-severity", "warn", "--format", "text", path},
	} {
		cmd := exec.Command(filepath.Join(page, "node_modules", ".bin", run[0]), run[1:]...)
		cmd.Dir = page
		cmd.Env = append(os.Environ(), "REDOCLY_TELEMETRY=off", "REDOCLY_SUPPRESS_UPDATE_NOTICE=true", "NO_COLOR=1")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("%s: %v\n%s", run[0], err, out)
		}
	}
}
