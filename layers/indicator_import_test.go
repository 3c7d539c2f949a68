package layers_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/layerstest"
)

func TestImportIndicatorValues(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	store := layers.NewStore(db.Pool)
	// Imported values replace demo ones and are not illustrative; remove them afterwards so a
	// later demo load in this database finds no real rows in its way.
	t.Cleanup(func() {
		_, _ = db.Pool.Exec(context.Background(), `DELETE FROM indicator_values WHERE NOT illustrative`)
	})
	f, err := os.Open("testdata/pxweb-overcrowding.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := layers.ParseJSONStat(f, layers.JSONStatMapping{AreaDim: "Region", TimeDim: "Tid", ContentsDim: "ContentsCode",
		Indicators: map[string]string{"000006SY": "overcrowding", "000006SZ": "unemployment"}})
	if err != nil {
		t.Fatal(err)
	}

	// Unknown codes: nothing written, the error names the line.
	bad := append(append([]layers.IndicatorRow{}, rows...), layers.IndicatorRow{Line: 99, AreaCode: "NOWHERE", IndicatorKey: "overcrowding", Year: 2023, Value: 1})
	var before float64
	if err := db.Pool.QueryRow(ctx, `SELECT value FROM indicator_values WHERE district_code = '1980-BACKBY' AND indicator_key = 'overcrowding' AND year = 2023`).Scan(&before); err != nil {
		t.Fatal(err)
	}
	_, err = store.ImportIndicatorValues(ctx, bad)
	var inv *layers.InvalidError
	if !errors.As(err, &inv) || !strings.Contains(err.Error(), "line 99") || !strings.Contains(err.Error(), "NOWHERE") {
		t.Fatalf("import with an unknown area: %v", err)
	}
	var after float64
	_ = db.Pool.QueryRow(ctx, `SELECT value FROM indicator_values WHERE district_code = '1980-BACKBY' AND indicator_key = 'overcrowding' AND year = 2023`).Scan(&after)
	if after != before {
		t.Errorf("a refused import changed a value: %v → %v", before, after)
	}

	sum, err := store.ImportIndicatorValues(ctx, rows)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Rows != 7 || sum.Inserted+sum.Updated != 7 {
		t.Errorf("summary %+v, want 7 rows stored", sum)
	}
	var v float64
	var illustrative bool
	err = db.Pool.QueryRow(ctx, `SELECT value, illustrative FROM indicator_values
		WHERE district_code = '1980-BACKBY' AND indicator_key = 'overcrowding' AND year = 2023`).Scan(&v, &illustrative)
	if err != nil || v != 28.1 || illustrative {
		t.Errorf("stored value %v illustrative %v (%v), want 28.1 and not illustrative", v, illustrative, err)
	}
	// Importing again updates rather than duplicates.
	sum, err = store.ImportIndicatorValues(ctx, rows)
	if err != nil || sum.Updated != 7 || sum.Inserted != 0 {
		t.Errorf("second import %+v, %v; want 7 updated", sum, err)
	}
}
