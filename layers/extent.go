package layers

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Extent is what a collection covers: a CRS84 bbox, a time span, and whether any of its
// rows are illustrative demo data.
type Extent struct {
	BBox         *[4]float64
	Start, End   *time.Time
	Illustrative bool
}

// extentCache keeps extents for a short while: computing one scans the whole layer, and
// the collections document is fetched by every client on start.
type extentCache struct {
	mu      sync.Mutex
	ttl     time.Duration
	entries map[string]extentEntry
}

type extentEntry struct {
	ext Extent
	at  time.Time
}

// Extent returns layer l's extent, computed at most once a minute per layer.
func (s *Store) Extent(ctx context.Context, l *Layer) (Extent, error) {
	c := &s.extents
	// An extent is computed from the rows the caller may see, so it is kept per clearance:
	// the police's extent of observations must not reach an anonymous caller.
	key := l.ID + "|" + string(PrincipalFrom(ctx).Clearance())
	c.mu.Lock()
	e, ok := c.entries[key]
	c.mu.Unlock()
	if ok && time.Since(e.at) < c.ttl {
		return e.ext, nil
	}
	ext, err := s.computeExtent(ctx, l)
	if err != nil {
		return Extent{}, err
	}
	c.mu.Lock()
	if c.entries == nil {
		c.entries = map[string]extentEntry{}
	}
	c.entries[key] = extentEntry{ext: ext, at: time.Now()}
	c.mu.Unlock()
	return ext, nil
}

// InvalidateExtent forgets the cached extent of layer id, after a write to it.
func (s *Store) InvalidateExtent(id string) {
	s.extents.mu.Lock()
	for _, c := range []DataClass{Open, Internal, Restricted} {
		delete(s.extents.entries, id+"|"+string(c))
	}
	s.extents.mu.Unlock()
}

func (s *Store) computeExtent(ctx context.Context, l *Layer) (Extent, error) {
	var ext Extent
	tbl := ident(l.Table)
	if err := s.read(ctx).QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM "+tbl+" WHERE illustrative)").Scan(&ext.Illustrative); err != nil {
		return Extent{}, fmt.Errorf("extent %s: %w", l.ID, err)
	}
	if l.HasGeometry() {
		var minx, miny, maxx, maxy *float64
		sql := `SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b)
		        FROM (SELECT ST_Transform(ST_SetSRID(ST_Extent(` + ident(l.Geometry) + `)::geometry, 3006), 4326) AS b FROM ` + tbl + `) e`
		if err := s.read(ctx).QueryRow(ctx, sql).Scan(&minx, &miny, &maxx, &maxy); err != nil {
			return Extent{}, fmt.Errorf("extent %s: %w", l.ID, err)
		}
		if minx != nil {
			ext.BBox = &[4]float64{*minx, *miny, *maxx, *maxy}
		}
	}
	if l.Temporal() {
		// A row without an end (an intervention with no end date) is still going on, so the
		// extent's end is open (null) while any row has none, as OGC API Features reads a null
		// bound; a layer without an end column ends at its latest start.
		last := "max(" + ident(l.TimeStart) + ")"
		if l.TimeEnd != "" {
			end := ident(l.TimeEnd)
			last = "CASE WHEN bool_or(" + end + " IS NULL) THEN NULL ELSE max(" + end + ") END"
		}
		sql := "SELECT min(" + ident(l.TimeStart) + ")::timestamptz, (" + last + ")::timestamptz FROM " + tbl
		if err := s.read(ctx).QueryRow(ctx, sql).Scan(&ext.Start, &ext.End); err != nil {
			return Extent{}, fmt.Errorf("extent %s: %w", l.ID, err)
		}
	}
	return ext, nil
}
