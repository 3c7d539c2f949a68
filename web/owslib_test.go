package web_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"slices"
	"testing"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/layerstest"
	"github.com/lagesbild/lagesbild/web"
)

// debianPython is Debian's Python, which has python3-owslib (.ci/deps.sh test).
const debianPython = "/usr/bin/python3"

// TestOWSLibQueryablesAndFilter: OWSLib, as partners script against the API, reads a
// collection's queryables (collection_queryables answered 404 before) and filters items with
// CQL2 on the server.
func TestOWSLibQueryablesAndFilter(t *testing.T) {
	db := layerstest.Require(t, testDB)
	python := requireTool(t, debianPython, "apt-get install python3-owslib (make test does)")
	if err := exec.Command(python, "-c", "import owslib").Run(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("OWSLib is not installed under CI (make test installs python3-owslib)")
		}
		t.Skip("OWSLib is not installed (apt-get install python3-owslib)")
	}
	srv, _ := testServer(t, db, web.Config{}, layers.NewCatalogue(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	const script = `
import json, sys
from owslib.ogcapi.features import Features
api = Features(sys.argv[1])
q = api.collection_queryables('observations')
items = api.collection_items('observations', filter="category = 'open_drug_dealing' AND severity = 4", limit=5, numberMatched="true")
print(json.dumps({"queryables": sorted(q["properties"]), "matched": items["numberMatched"],
                  "categories": sorted({f["properties"]["category"] for f in items["features"]})}))
`
	out, err := exec.Command(python, "-c", script, srv.URL).CombinedOutput()
	if err != nil {
		t.Fatalf("OWSLib: %v\n%s", err, out)
	}
	var got struct {
		Queryables []string
		Matched    int
		Categories []string
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	var want int
	if err := db.Pool.QueryRow(context.Background(),
		`SELECT count(*) FROM observations WHERE category = 'open_drug_dealing' AND severity = 4`).Scan(&want); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(got.Queryables, "category") || !slices.Contains(got.Queryables, "geometry") ||
		got.Matched != want || !slices.Equal(got.Categories, []string{"open_drug_dealing"}) {
		t.Errorf("OWSLib got %+v, want the queryables with category and geometry and %d matched, all open_drug_dealing", got, want)
	}
}
