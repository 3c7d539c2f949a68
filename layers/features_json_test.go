package layers_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/layerstest"
)

// TestPropertiesJSONAsPostgreSQL: the properties object the features of every declared layer
// carry, written in Go from the columns' values, is byte for byte what PostgreSQL's
// row_to_json made of the same row before; and strings and times of every kind are written
// as to_json writes them.
func TestPropertiesJSONAsPostgreSQL(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	store := layers.NewStore(db.AppPool)
	police := layers.ActingAs(ctx, "polis", "police", "admin")
	compared := 0
	for _, l := range layers.NewCatalogue().Layers() {
		page, err := store.Features(police, l, layers.Query{Limit: layers.MaxLimit})
		if err != nil {
			t.Fatalf("%s: %v", l.ID, err)
		}
		var cols []string
		for _, p := range l.Properties {
			cols = append(cols, "t."+pgx.Identifier{p.Name}.Sanitize())
		}
		props := "'{}'"
		if len(cols) > 0 {
			props = "(SELECT row_to_json(r) FROM (SELECT " + strings.Join(cols, ", ") + ") r)"
		}
		// As the owner (row-level security does not restrict it), in UTC as the pools read.
		tx, err := db.Pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{}
		if _, err := tx.Exec(ctx, `SET LOCAL timezone = 'UTC'`); err != nil {
			t.Fatal(err)
		}
		rows, err := tx.Query(ctx, "SELECT to_json(t."+pgx.Identifier{l.IDColumn}.Sanitize()+")::text, "+props+"::text FROM "+
			pgx.Identifier{l.Table}.Sanitize()+" t")
		if err != nil {
			t.Fatalf("%s: %v", l.ID, err)
		}
		for rows.Next() {
			var id, js string
			if err := rows.Scan(&id, &js); err != nil {
				t.Fatal(err)
			}
			want[id] = js
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		_ = tx.Rollback(ctx)
		bad := 0
		for _, f := range page.Features {
			w, ok := want[string(f.ID)]
			if !ok {
				t.Errorf("%s: feature %s is not in the table", l.ID, f.ID)
				continue
			}
			compared++
			if string(f.Properties) != w && bad < 3 {
				bad++
				t.Errorf("%s %s: properties\n%s\nwant (row_to_json)\n%s", l.ID, f.ID, f.Properties, w)
			}
		}
	}
	if compared < 1000 {
		t.Errorf("%d features compared: the test database should have more", compared)
	}

	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if _, err := tx.Exec(ctx, `SET LOCAL timezone = 'UTC'`); err != nil {
		t.Fatal(err)
	}
	strs := []string{"", "plain", `quote " and back\slash`, "tab\tnew\nline\rcr\bbs\fff", "\x01\x1f\x7f", "åäö ÅÄÖ é ü", "<>&'", "\u2028\u2029", "emoji 🚓", "/slash"}
	rows, err := tx.Query(ctx, `SELECT to_json(v)::text FROM unnest($1::text[]) WITH ORDINALITY u(v, n) ORDER BY n`, strs)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; rows.Next(); i++ {
		var w string
		if err := rows.Scan(&w); err != nil {
			t.Fatal(err)
		}
		if got := string(layers.AppendJSONString(nil, strs[i])); got != w {
			t.Errorf("%q: %s, want %s", strs[i], got, w)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	times := []string{"2023-07-19 06:27:22.670806+00", "2023-07-19 06:27:22.5+00", "2023-07-19 06:27:22+00", "2024-02-29 23:59:59.999999+01",
		"0099-03-15 12:00:00.000001+00", "0001-01-01 00:00:00+00", "0001-12-31 23:00:00+00 BC", "0044-03-15 12:00:00+00 BC",
		"9999-12-31 23:59:59.25+00", "10000-01-01 00:00:00.5+00", "infinity", "-infinity"}
	rows, err = tx.Query(ctx, `SELECT v::timestamptz, to_json(v::timestamptz)::text FROM unnest($1::text[]) WITH ORDINALITY u(v, n) ORDER BY n`, times)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; rows.Next(); i++ {
		var v pgtype.Timestamptz
		var w string
		if err := rows.Scan(&v, &w); err != nil {
			t.Fatal(err)
		}
		if got := string(layers.AppendJSONTime(nil, v)); got != w {
			t.Errorf("%s: %s, want %s", times[i], got, w)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}
