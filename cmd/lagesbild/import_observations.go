package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/lagesbild/lagesbild/layers"
)

const importObservationsUsage = `usage: lagesbild import observations [--rebuild-at N] [--timings] FILE (.geojson, .json or .csv)

  --rebuild-at N  drop and rebuild the indexes of observations when the file has at least N
                  records and at least half as many as are stored (default 100000; -1 never)
  --timings       print where the time went (copy, duplicate check, insert, index builds)`

// importObservationsCmd runs `lagesbild import observations FILE`: GeoJSON (.geojson, .json) or CSV
// (.csv), the whole file or nothing. A progress line is drawn on stderr when it is a
// terminal, so logs and pipes get only the summary.
func importObservationsCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("import observations", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	rebuildAt := fs.Int64("rebuild-at", layers.DefaultRebuildAt, "")
	timings := fs.Bool("timings", false, "")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error() + "\n\n" + importObservationsUsage}
	}
	if fs.NArg() != 1 || *rebuildAt == 0 {
		return usageError{importObservationsUsage}
	}
	path := fs.Arg(0)
	url, err := databaseURL(getenv)
	if err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	cr := &countingReader{r: f}
	var rd layers.ObservationReader
	switch strings.ToLower(filepath.Ext(path)) {
	case ".geojson", ".json":
		rd, err = layers.NewGeoJSONObservationReader(cr)
	case ".csv":
		rd, err = layers.NewCSVObservationReader(cr)
	default:
		return usageError{fmt.Sprintf("%s: unknown file type; use .geojson, .json or .csv", path)}
	}
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	store, closeDB, err := operatorStore(ctx, url)
	if err != nil {
		return err
	}
	defer closeDB()

	start := time.Now()
	var progress func(int64)
	if isTerminal(stderr) {
		var last atomic.Int64
		progress = func(n int64) {
			now := time.Now().UnixMilli()
			if prev := last.Load(); now-prev < 200 && n%100000 != 0 {
				return // redraw at most five times a second
			}
			last.Store(now)
			pct := 100 * float64(cr.n.Load()) / float64(max(st.Size(), 1))
			rate := float64(n) / max(time.Since(start).Seconds(), 1e-3)
			const width = 30
			done := int(pct / 100 * width)
			fmt.Fprintf(stderr, "\r[%s%s] %5.1f %%  %d records  %.0f/s ",
				strings.Repeat("#", done), strings.Repeat(".", width-done), pct, n, rate)
		}
	}
	sum, err := store.ImportObservations(ctx, rd, layers.ObservationImportOptions{Progress: progress, RebuildAt: *rebuildAt})
	if progress != nil {
		fmt.Fprintln(stderr)
	}
	if err != nil {
		return fmt.Errorf("%s: %w (nothing was imported)", path, err)
	}
	secs := time.Since(start).Seconds()
	fmt.Fprintf(stdout, "import observations: %d read, %d inserted, %d skipped (already stored) in %.1f s (%.0f records/s)\n",
		sum.Read, sum.Inserted, sum.Skipped, secs, float64(sum.Read)/max(secs, 1e-3))
	if *timings {
		t := sum.Timings
		fmt.Fprintf(stdout, "timings: read+copy %.2f s, duplicate check %.2f s, insert %.2f s, index builds %.2f s (indexes rebuilt: %t)\n",
			t.Copy.Seconds(), t.Duplicates.Seconds(), t.Insert.Seconds(), t.Indexes.Seconds(), sum.RebuiltIndexes)
	}
	return nil
}

// countingReader counts the bytes read, for the progress percentage.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// isTerminal reports whether w is a character device (a terminal), without a dependency.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
