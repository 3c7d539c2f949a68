package auth

// Need-to-know access (issue 7). What a caller may read is decided twice: here, so that an
// answer is a clear 401 (no credential) or 403 (a credential without the right), and in
// PostgreSQL by row-level security (migration 009), which holds even where a check here is
// missing. Handlers check the data class of what they serve with RequireClass (per layer) or
// their routes carry NeedClass / NeedWrite (per route).
//
// The rules: open layers and rows for everyone; internal for the police, the municipality,
// the region and the housing company; restricted (police observations) for the police.
// Layers whose rows carry a class are open, filtered row by row; observations are an internal
// layer, yet everyone gets their aggregated counts — tiles of counts per cell and the
// hotspot analyses in aggregated disclosure, with small counts suppressed — over the rows
// they may see.

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lagesbild/lagesbild/layers"
)

// RequireClass answers 401 to an anonymous caller and 403 to one whose organisation may not
// read data of class class; what names the thing refused.
func RequireClass(c echo.Context, class layers.DataClass, what string) error {
	p := layers.PrincipalFrom(c.Request().Context())
	if p.MayRead(class) {
		return nil
	}
	if p.IsAnonymous() {
		return Unauthorized(c, false, what+" is "+string(class)+" data: log in, or send an API token or JWT")
	}
	return echo.NewHTTPError(http.StatusForbidden, what+" is "+string(class)+" data, which organisation "+p.Organisation+" may not read")
}

// FeatureClass is the class a caller needs to read layer l's features at all. A layer whose
// rows carry their own class is open to everyone: row-level security gives each caller the
// rows it may see (an anonymous caller the open interventions). Observations are the
// exception issue 7 makes: below internal clearance, only their counts per cell.
func FeatureClass(l *layers.Layer) layers.DataClass {
	if l.ClassColumn != "" && !l.AggregateTiles {
		return layers.Open
	}
	return l.Class
}

// RequireWrite answers 401 to an anonymous caller and 403 to one without the write scope
// (an editor's or admin's session, or a token or JWT with the write scope), or whose
// organisation is the public.
func RequireWrite(c echo.Context, what string) error {
	p := layers.PrincipalFrom(c.Request().Context())
	switch {
	case p.MayWrite():
		return nil
	case p.IsAnonymous():
		return Unauthorized(c, false, what+" needs an editor's session, or an API token or JWT with the write scope")
	}
	return echo.NewHTTPError(http.StatusForbidden, what+" needs the editor role or the write scope")
}

// NeedClass is route middleware: the route serves data of class class.
func NeedClass(class layers.DataClass, what string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if err := RequireClass(c, class, what); err != nil {
				return err
			}
			return next(c)
		}
	}
}

// NeedWrite is route middleware for a route that changes data.
func NeedWrite(what string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if err := RequireWrite(c, what); err != nil {
				return err
			}
			return next(c)
		}
	}
}

// ClearanceKey is the part of a cache key that says what the caller can see: everything the
// server caches (tiles, analyses, extents) is made from the rows of one clearance.
func ClearanceKey(ctx context.Context) string {
	return string(layers.PrincipalFrom(ctx).Clearance())
}

// restrictedReads records reads of restricted data in the audit log: who read which layer,
// when and from where. Items and single features are recorded when the answer holds a
// restricted row (their class column says so), once per request with the count. Tiles cannot
// be looked into cheaply, so a tile of points of a layer above the open class read by a caller
// cleared for restricted data counts as such a read; a map view fetches dozens of tiles a
// minute, so those are recorded once per caller and layer per readWindow.
type restrictedReads struct {
	mu   sync.Mutex
	last map[string]time.Time
}

const readWindow = 10 * time.Minute

// maxReadKeys bounds restrictedReads.last: a key is a caller and a layer (a few hundred bytes
// at most), so the map stays within a few megabytes.
const maxReadKeys = 10000

// RestrictedRows counts the features of page whose class column says restricted.
func RestrictedRows(l *layers.Layer, fs []layers.Feature) int {
	if l.ClassColumn == "" {
		return 0
	}
	n := 0
	for _, f := range fs {
		if f.Class == layers.Restricted {
			n++
		}
	}
	return n
}

// AuditRestrictedRead appends a read entry for an answer of layer l holding rows restricted
// rows (-1: a tile, unknown).
func (a *Auth) AuditRestrictedRead(c echo.Context, l *layers.Layer, rows int) {
	p := layers.PrincipalFrom(c.Request().Context())
	if rows == 0 || !p.MayRead(layers.Restricted) || c.Response().Status >= 300 {
		return
	}
	tile := rows < 0
	if tile {
		if !l.MayHoldRestricted() || l.Class == layers.Open {
			return
		}
		key := p.Credential + "|" + p.Organisation + "|" + p.Username + "|" + strconv.FormatInt(p.TokenID, 10) + "|" + l.ID
		now := a.cfg.Now()
		r := &a.reads
		r.mu.Lock()
		if r.last == nil {
			r.last = map[string]time.Time{}
		}
		if t, ok := r.last[key]; ok && now.Sub(t) < readWindow {
			r.mu.Unlock()
			return
		}
		r.last[key] = now
		if len(r.last) > maxReadKeys { // forget old callers rather than grow without bound
			for k, t := range r.last {
				if now.Sub(t) >= readWindow {
					delete(r.last, k)
				}
			}
			if len(r.last) > maxReadKeys { // all recent: start afresh (more entries, never more memory)
				clear(r.last)
			}
		}
		r.mu.Unlock()
	}
	details := map[string]any{"query": c.Request().URL.RawQuery}
	if tile {
		details["tiles_for_minutes"] = int(readWindow / time.Minute)
	} else {
		details["restricted_rows"] = rows
	}
	a.Audit(c, layers.AuditEntry{Action: layers.AuditRead, ObjectType: l.ID, ObjectID: c.Param("featureId"), Details: details}, nil)
}
