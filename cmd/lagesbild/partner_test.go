package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/layerstest"
)

// TestPartnerCommand uploads a layer as an organisation, a new version of it (one feature
// repaired), refuses another organisation's upload to the same id, and lists the layers.
func TestPartnerCommand(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	store := layers.NewStore(db.Pool)
	for _, o := range []layers.Organisation{{Code: "cli-bolag", Name: "Bolaget", Kind: "housing"}, {Code: "cli-annan", Name: "Annan", Kind: "region"}} {
		if err := store.CreateOrganisation(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		_, _ = db.Pool.Exec(context.Background(), `DELETE FROM partner_layers WHERE owner IN ('cli-bolag', 'cli-annan')`)
		_, _ = db.Pool.Exec(context.Background(), `DELETE FROM organisations WHERE code IN ('cli-bolag', 'cli-annan')`)
	})
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	csvFile := write("hus.csv", "hus,lgh,lon,lat\nA,12,16.55,59.62\nB,30,16.56,59.63\n")
	bowtie := write("hus.geojson", `{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"lgh":5},"geometry":{"type":"Polygon","coordinates":[[[16.55,59.62],[16.551,59.62],[16.55,59.621],[16.551,59.621],[16.55,59.62]]]}}]}`)

	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"upload", "--org", "cli-bolag", "--id", "cli-hus", "--title", "Hus", "--share", "cli-annan", csvFile},
			[]string{"partner layer cli-hus (new layer): version 1, 2 features (Point, OGC:CRS84), owner cli-bolag, shared with cli-annan"}},
		{[]string{"upload", "--org", "cli-bolag", "--id", "cli-hus", bowtie},
			[]string{"(new version): version 2, 1 features (MultiPolygon", "shared with cli-annan", "repaired invalid geometries (ST_MakeValid) of features 1\n"}},
		{[]string{"list"}, []string{"cli-hus", "cli-bolag  2"}},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		if err := run(ctx, append([]string{"partner"}, tt.args...), env(db.URL), &out, &bytes.Buffer{}); err != nil {
			t.Fatalf("partner %q: %v", tt.args, err)
		}
		for _, w := range tt.want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("partner %q: output %q does not contain %q", tt.args, out.String(), w)
			}
		}
	}
	if n := countRows(t, `SELECT count(*) FROM partner_layer_versions WHERE layer_id = 'cli-hus'`); n != 2 {
		t.Errorf("%d versions, want 2", n)
	}
	err := run(ctx, []string{"partner", "upload", "--org", "cli-annan", "--id", "cli-hus", csvFile}, env(db.URL), &bytes.Buffer{}, &bytes.Buffer{})
	if !errors.Is(err, layers.ErrNotOwner) {
		t.Errorf("another organisation's upload: %v, want ErrNotOwner", err)
	}
	for _, args := range [][]string{{}, {"upload"}, {"upload", "--org", "cli-bolag", csvFile}, {"upload", "--id", "x", csvFile},
		{"upload", "--org", "cli-bolag", "--id", "cli-hus", "--crs", "EPSG:3857", csvFile}, {"list", "extra"}, {"frobnicate"}} {
		err := run(ctx, append([]string{"partner"}, args...), env(db.URL), &bytes.Buffer{}, &bytes.Buffer{})
		var u usageError
		if !errors.As(err, &u) {
			t.Errorf("partner %q = %v, want a usage error", args, err)
		}
	}
}
