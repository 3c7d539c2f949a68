package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
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
				opts := layers.ObservationImportOptions{RebuildAt: *rebuildAt}
				var bar *importProgress
				if isTerminal(stderr) {
					bar = newImportProgress(stderr, start, func() float64 { return float64(cr.n.Load()) / float64(max(size, 1)) })
					opts.Progress, opts.Phase = bar.read, bar.phase
				}
				sum, err := s.ImportObservations(ctx, rd, opts)
				if bar != nil {
					bar.finish(err == nil)
				}
				if err != nil {
					return fmt.Errorf("%w (nothing was imported)", err)
				}
				secs := time.Since(start).Seconds()
				fmt.Fprintf(out, "import observations: %d read, %d inserted, %d skipped (already stored) in %.1f s (%.0f records/s)\n",
					sum.Read, sum.Inserted, sum.Skipped, secs, float64(sum.Read)/max(secs, 1e-3))
				if sum.Outside > 0 {
					verb := "lie"
					if sum.Outside == 1 {
						verb = "lies"
					}
					fmt.Fprintf(out, "import observations: %d of them %s outside the municipality (stored all the same; check the file if none should)\n", sum.Outside, verb)
				}
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

// importProgress draws an import's progress line on a terminal. Reading the file fills the
// bar to readShare; the phases after it (ObservationImportOptions.Phase: the duplicate check,
// the insert, every index build of a rebuild) fill the rest, so the bar reaches 100 % only
// when the import is done, and the line says which phase is running.
type importProgress struct {
	w        io.Writer
	start    time.Time
	fileRead func() float64 // share of the file read, 0–1
	mu       sync.Mutex
	last     time.Time
	n        int64
	pct      float64
	label    string
}

const readShare = 60.0 // per cent of the bar for reading the file

func newImportProgress(w io.Writer, start time.Time, read func() float64) *importProgress {
	return &importProgress{w: w, start: start, fileRead: read, label: "reading"}
}

// read is ObservationImportOptions.Progress: n records read so far.
func (p *importProgress) read(n int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n = n
	if now := time.Now(); now.Sub(p.last) < 200*time.Millisecond && n%100000 != 0 {
		return // redraw at most five times a second
	}
	p.pct = max(p.pct, readShare*min(p.fileRead(), 1))
	p.draw()
}

// phase is ObservationImportOptions.Phase.
func (p *importProgress) phase(ph layers.ImportPhase) {
	p.mu.Lock()
	defer p.mu.Unlock()
	pct := readShare
	switch {
	case ph.Steps > 0: // index k of n: the last 30 %, one share each
		pct = 70 + 30*float64(ph.Step-1)/float64(ph.Steps)
		p.label = fmt.Sprintf("%s (%d of %d)", ph.Name, ph.Step, ph.Steps)
	case ph.Name == "inserting":
		pct, p.label = 65, "inserting"
	default:
		pct, p.label = 62, ph.Name
	}
	p.pct = max(p.pct, pct)
	p.draw()
}

// finish draws the bar full when the import succeeded, and ends the line.
func (p *importProgress) finish(ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if ok {
		p.pct, p.label = 100, "done"
		p.draw()
	}
	fmt.Fprintln(p.w)
}

func (p *importProgress) draw() {
	p.last = time.Now()
	const width = 30
	done := int(p.pct / 100 * width)
	rate := float64(p.n) / max(time.Since(p.start).Seconds(), 1e-3)
	fmt.Fprintf(p.w, "\r\033[K[%s%s] %5.1f %%  %d records  %.0f/s  %s", strings.Repeat("#", done), strings.Repeat(".", width-done), p.pct, p.n, rate, p.label)
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
