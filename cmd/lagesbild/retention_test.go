package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/layerstest"
)

// TestRetentionCommand runs lagesbild retention at a fixed clock: a dry run changes nothing,
// a run drops the years past the period and reports them, and bad settings are usage errors.
func TestRetentionCommand(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	if err := layers.NewStore(db.Pool).EnsureObservationYears(ctx, []int{1990}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `INSERT INTO observations (observed_at, category, severity, source, source_id, geom)
		SELECT '1990-07-01T12:00:00Z', 'theft', 2, 'police', 'cmd-ret-' || k, ST_SetSRID(ST_MakePoint(587000 + k, 6610000), 3006)
		FROM generate_series(1, 10) AS k`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = db.Pool.Exec(context.Background(), `DELETE FROM observations WHERE source_id LIKE 'cmd-ret-%'`)
	})
	stored := func() (n int) {
		if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM observations WHERE source_id LIKE 'cmd-ret-%'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	env := func(retention string) func(string) string {
		return func(k string) string {
			switch k {
			case "DATABASE_URL":
				return db.URL
			case "LAGESBILD_OBSERVATION_RETENTION_YEARS":
				return retention
			}
			return ""
		}
	}
	var out bytes.Buffer
	if err := retentionCmd(ctx, []string{"--dry-run"}, env("30"), &out, now); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "would drop 1990") || !strings.Contains(out.String(), "from 1996 on") || stored() != 10 {
		t.Errorf("dry run of 30 years (environment): %q, %d rows left; want 1990 named and kept", out.String(), stored())
	}
	out.Reset()
	if err := retentionCmd(ctx, []string{"--years", "30"}, env(""), &out, now); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "dropped 1990") || !strings.Contains(out.String(), "partitions of 2026 and 2027 in place") || stored() != 0 {
		t.Errorf("30 years: %q, %d rows left; want 1990 dropped", out.String(), stored())
	}
	for _, bad := range []struct {
		args []string
		env  string
	}{{[]string{"--years", "0"}, ""}, {nil, "five"}, {nil, "0"}, {[]string{"extra"}, ""}} {
		var u usageError
		if err := retentionCmd(ctx, bad.args, env(bad.env), &out, now); !errors.As(err, &u) {
			t.Errorf("retention %q with LAGESBILD_OBSERVATION_RETENTION_YEARS=%q: %v, want a usage error", bad.args, bad.env, err)
		}
	}
}
