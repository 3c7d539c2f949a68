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
	"github.com/lagesbild/lagesbild/layers/featurefile"
)

const importObservationsUsage = `usage: lagesbild import observations [--rebuild-at N] [--timings] FILE (.geojson, .json or .csv)

  --rebuild-at N  drop and rebuild the indexes of observations when the file has at least N
                  records and at least half as many as are stored (default 100000; -1 never)
  --timings       print where the time went (copy, duplicate check, insert, index builds)`

// observationsImport is "lagesbild import observations": GeoJSON (.geojson, .json) or CSV
// (.csv), streamed, the whole file or nothing. A progress line is drawn on stderr when it is
// a terminal, so logs and pipes get only the summary.
func observationsImport() importKind {
	return importKind{name: "observations", usage: importObservationsUsage, define: func(fs *flag.FlagSet) importSteps {
		rebuildAt := fs.Int64("rebuild-at", layers.DefaultRebuildAt, "")
		timings := fs.Bool("timings", false, "")
		var format featurefile.Format
		var rd layers.ObservationReader
		var cr *countingReader
		var size int64
		return importSteps{
			check: func(path string) error {
				if *rebuildAt == 0 {
					return usageError{importObservationsUsage}
				}
				switch strings.ToLower(filepath.Ext(path)) {
				case ".geojson", ".json":
					format = featurefile.GeoJSON
				case ".csv":
					format = featurefile.CSV
				default:
					return usageError{fmt.Sprintf("%s: unknown file type; use .geojson, .json or .csv", path)}
				}
				return nil
			},
			read: func(_ context.Context, path string) (func(), error) {
				f, err := os.Open(path)
				if err != nil {
					return nil, err
				}
				st, err := f.Stat()
				if err != nil {
					f.Close()
					return nil, err
				}
				size, cr = st.Size(), &countingReader{r: f}
				if rd, err = layers.NewObservationReader(cr, format); err != nil {
					f.Close()
					return nil, err
				}
				return func() { f.Close() }, nil
			},
			store: func(ctx context.Context, s *layers.Store, out, stderr io.Writer) error {
				start := time.Now()
				progress := progressLine(stderr, start, func() float64 { return 100 * float64(cr.n.Load()) / float64(max(size, 1)) })
				sum, err := s.ImportObservations(ctx, rd, layers.ObservationImportOptions{Progress: progress, RebuildAt: *rebuildAt})
				if progress != nil {
					fmt.Fprintln(stderr)
				}
				if err != nil {
					return fmt.Errorf("%w (nothing was imported)", err)
				}
				secs := time.Since(start).Seconds()
				fmt.Fprintf(out, "import observations: %d read, %d inserted, %d skipped (already stored) in %.1f s (%.0f records/s)\n",
					sum.Read, sum.Inserted, sum.Skipped, secs, float64(sum.Read)/max(secs, 1e-3))
				if sum.LocalTimes > 0 {
					fmt.Fprintf(out, "import observations: %d times had no time zone and were read as local time in %s (CET/CEST)\n",
						sum.LocalTimes, layers.ImportZone)
				}
				if *timings {
					t := sum.Timings
					fmt.Fprintf(out, "timings: read+copy %.2f s, duplicate check %.2f s, insert %.2f s, index builds %.2f s (indexes rebuilt: %t)\n",
						t.Copy.Seconds(), t.Duplicates.Seconds(), t.Insert.Seconds(), t.Indexes.Seconds(), sum.RebuiltIndexes)
				}
				return nil
			},
		}
	}}
}

// progressLine returns the progress function that redraws a line on stderr, or nil when
// stderr is not a terminal; pct says how much of the file is read.
func progressLine(stderr io.Writer, start time.Time, pct func() float64) func(int64) {
	if !isTerminal(stderr) {
		return nil
	}
	var last atomic.Int64
	return func(n int64) {
		now := time.Now().UnixMilli()
		if prev := last.Load(); now-prev < 200 && n%100000 != 0 {
			return // redraw at most five times a second
		}
		last.Store(now)
		p := pct()
		rate := float64(n) / max(time.Since(start).Seconds(), 1e-3)
		const width = 30
		done := int(p / 100 * width)
		fmt.Fprintf(stderr, "\r[%s%s] %5.1f %%  %d records  %.0f/s ",
			strings.Repeat("#", done), strings.Repeat(".", width-done), p, n, rate)
	}
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
