package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/layerstest"
)

// TestImportObservationsCommand imports a small GeoJSON file through the command, row by
// row and with the indexes rebuilt (--rebuild-at 1 and a file twice the size of the table),
// and checks the usage errors.
func TestImportObservationsCommand(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	dir := t.TempDir()
	write := func(name string, ids ...string) string {
		var fs []string
		for k, id := range ids {
			fs = append(fs, fmt.Sprintf(`{"type":"Feature","geometry":{"type":"Point","coordinates":[%f,%f]},"properties":{"observed_at":"2024-03-01T20:00:00Z","category":"violence","severity":2,"source":"police","source_id":%q}}`,
				16.5+0.0001*float64(k%1000), 59.6+0.0001*float64(k/1000%1000), id))
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(`{"type":"FeatureCollection","features":[`+strings.Join(fs, ",")+`]}`), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	t.Cleanup(func() {
		_, _ = db.Pool.Exec(context.Background(), `DELETE FROM observations WHERE source_id LIKE 'cmd-imp-%'`)
	})
	stored := func() (n int) {
		if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM observations WHERE source_id LIKE 'cmd-imp-%'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	tests := []struct {
		name       string
		args       []string
		wantOut    []string
		wantStored int
	}{
		{"row by row", []string{"--rebuild-at", "-1", write("a.geojson", "cmd-imp-1", "cmd-imp-2")},
			[]string{"2 read, 2 inserted, 0 skipped"}, 2},
		{"again, with timings", []string{"--timings", write("b.geojson", "cmd-imp-1", "cmd-imp-2", "cmd-imp-3")},
			[]string{"3 read, 1 inserted, 2 skipped", "timings: read+copy", "indexes rebuilt: false"}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if err := run(ctx, append([]string{"import", "observations"}, tt.args...), env(db.URL), &out, &errOut); err != nil {
				t.Fatalf("%v\n%s", err, errOut.String())
			}
			for _, want := range tt.wantOut {
				if !strings.Contains(out.String(), want) {
					t.Errorf("output %q does not contain %q", out.String(), want)
				}
			}
			if n := stored(); n != tt.wantStored {
				t.Errorf("%d stored, want %d", n, tt.wantStored)
			}
		})
	}

	t.Run("indexes rebuilt", func(t *testing.T) {
		// Only the rows of this test in the table, so the file is large next to it.
		var others int
		if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM observations WHERE source_id NOT LIKE 'cmd-imp-%' OR source_id IS NULL`).Scan(&others); err != nil {
			t.Fatal(err)
		}
		ids := make([]string, 0, 2*others+10)
		for k := range cap(ids) {
			ids = append(ids, fmt.Sprintf("cmd-imp-r%d", k))
		}
		var out bytes.Buffer
		if err := run(ctx, []string{"import", "observations", "--rebuild-at", "1", "--timings", write("c.geojson", ids...)}, env(db.URL), &out, &bytes.Buffer{}); err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("%d read, %d inserted, 0 skipped", len(ids), len(ids)); !strings.Contains(out.String(), want) {
			t.Errorf("output %q does not contain %q", out.String(), want)
		}
		if !strings.Contains(out.String(), "indexes rebuilt: true") {
			t.Errorf("output %q: the indexes were not rebuilt", out.String())
		}
	})

	txt := filepath.Join(dir, "x.txt")
	if err := os.WriteFile(txt, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{}, {"a.geojson", "b.geojson"}, {"--rebuild-at", "0", "a.geojson"}, {"--frobnicate", "a.geojson"}, {txt}} {
		err := run(ctx, append([]string{"import", "observations"}, args...), env(db.URL), &bytes.Buffer{}, &bytes.Buffer{})
		var u usageError
		if !errors.As(err, &u) {
			t.Errorf("import observations %q = %v, want a usage error", args, err)
		}
	}
}

// TestImportSwedishExcelCSV: a CSV as Swedish Excel saves it (BOM, semicolons, decimal comma,
// local times without a zone) imports, and the report says how the times were read (issue 14,
// point 13).
func TestImportSwedishExcelCSV(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	t.Cleanup(func() {
		_, _ = db.Pool.Exec(context.Background(), `DELETE FROM observations WHERE source_id LIKE 'excel-%'`)
	})
	path := filepath.Join(t.TempDir(), "observationer.csv")
	csv := "\ufeffobserved_at;category;severity;source;source_id;x;y\r\n" +
		"2024-05-01 18:30;violence;3;police;excel-1;587123,5;6610234,25\r\n" +
		"2024-01-15 08:00;theft;2;police;excel-2;587200,0;6610300,0\r\n" +
		"2024-01-16 08:00;theft;2;police;excel-3;674000,0;6581000,0\r\n" // Stockholm: outside the municipality
	if err := os.WriteFile(path, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"import", "observations", path}, env(db.URL), &out, &errOut); err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "3 read, 3 inserted") || !strings.Contains(out.String(), "3 times had no time zone and were read as local time in Europe/Stockholm") ||
		!strings.Contains(out.String(), "1 of them lies outside the municipality") {
		t.Errorf("report: %q", out.String())
	}
	var at string
	if err := db.Pool.QueryRow(ctx, `SELECT to_char(observed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') FROM observations WHERE source_id = 'excel-1'`).Scan(&at); err != nil {
		t.Fatal(err)
	}
	if at != "2024-05-01 16:30" {
		t.Errorf("18:30 local time on 1 May stored as %s UTC, want 16:30 (CEST)", at)
	}
}

// TestImportProgressHonest: the progress line does not reach 100 % when the file is read but
// the insert and the index builds are still to come; it moves on with each phase and says
// which, and is full only when the import is done (issue 14, point 13).
func TestImportProgressHonest(t *testing.T) {
	var w bytes.Buffer
	read := 0.0
	p := newImportProgress(&w, time.Now(), func() float64 { return read })
	pct := regexp.MustCompile(`\] +([0-9.]+) %`)
	last := func() (float64, string) {
		t.Helper()
		lines := strings.Split(w.String(), "\r")
		line := lines[len(lines)-1]
		m := pct.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("no percentage in %q", line)
		}
		v, _ := strconv.ParseFloat(m[1], 64)
		return v, line
	}
	read = 1
	p.read(100000) // the whole file read
	prev, line := last()
	if prev >= 100 {
		t.Fatalf("the file read, nothing inserted yet: %q", line)
	}
	for _, ph := range []layers.ImportPhase{{Name: "inserting"}, {Name: "building index a", Step: 1, Steps: 3},
		{Name: "building index b", Step: 2, Steps: 3}, {Name: "building index c", Step: 3, Steps: 3}} {
		p.phase(ph)
		v, line := last()
		if v <= prev || v >= 100 || !strings.Contains(line, ph.Name) {
			t.Errorf("phase %+v: %q after %.1f %%; want more, under 100 %%, naming the phase", ph, line, prev)
		}
		prev = v
	}
	p.finish(true)
	if v, line := last(); v != 100 {
		t.Errorf("done: %q", line)
	}
}
