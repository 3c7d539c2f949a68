package request

import (
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/lagesbild/lagesbild/geo/crs"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/respond"
)

// Output formats chosen with ?f=.
const (
	FormatJSON = "json"
	FormatCSV  = "csv"
)

// List is the comma-separated list in parameter name: nil when v lacks the parameter,
// empty but not nil when it lists nothing (properties= asks for no properties).
func List(v url.Values, name string) []string {
	if !v.Has(name) {
		return nil
	}
	return append([]string{}, respond.SplitList(v.Get(name))...)
}

// CRS parses the CRS URI raw of parameter param: CRS84 when empty; only CRS84 and SWEREF 99
// TM are served.
func CRS(param, raw string) (crs.CRS, error) {
	if raw == "" {
		return crs.CRS84, nil
	}
	c, err := crs.ParseURI(raw)
	if err != nil || (c != crs.CRS84 && c != crs.SWEREF99TM) {
		return 0, layers.Invalid(param, "unsupported CRS %q; use %s or %s", raw, crs.CRS84.URI(), crs.SWEREF99TM.URI())
	}
	return c, nil
}

// BBox parses "minx,miny,maxx,maxy" (or the six-number 3D form, whose heights are
// ignored). Boxes crossing the antimeridian are refused: nothing here is near it.
func BBox(raw string, c crs.CRS) (*layers.BBox, error) {
	parts := strings.Split(raw, ",")
	if len(parts) != 4 && len(parts) != 6 {
		return nil, layers.Invalid("bbox", "want 4 numbers minx,miny,maxx,maxy, got %d values", len(parts))
	}
	nums := make([]float64, len(parts))
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, layers.Invalid("bbox", "%q is not a number", p)
		}
		nums[i] = f
	}
	if len(nums) == 6 {
		nums = []float64{nums[0], nums[1], nums[3], nums[4]}
	}
	b := &layers.BBox{MinX: nums[0], MinY: nums[1], MaxX: nums[2], MaxY: nums[3], CRS: c}
	if b.MinX > b.MaxX || b.MinY > b.MaxY {
		return nil, layers.Invalid("bbox", "minimum greater than maximum")
	}
	if c == crs.CRS84 && (b.MinX < -180 || b.MaxX > 180 || b.MinY < -90 || b.MaxY > 90) {
		return nil, layers.Invalid("bbox", "longitude must be within -180..180 and latitude within -90..90")
	}
	return b, nil
}

// Datetime parses an RFC 3339 instant or interval as in OGC API – Features:
// "t", "t1/t2", "../t2", "t1/..", with "" also meaning open. A date without a time means the
// whole day: as an instant or interval start it begins at 00:00Z, as an end it runs to 24:00Z.
func Datetime(raw string) (*layers.Interval, error) {
	start, end, isInterval := strings.Cut(raw, "/")
	if !isInterval {
		t0, dayOnly, err := parseTime(start)
		if err != nil {
			return nil, err
		}
		t1 := t0
		if dayOnly {
			t1 = t0.Add(24*time.Hour - time.Nanosecond)
		}
		return &layers.Interval{Start: &t0, End: &t1}, nil
	}
	var iv layers.Interval
	if start != ".." && start != "" {
		t, _, err := parseTime(start)
		if err != nil {
			return nil, err
		}
		iv.Start = &t
	}
	if end != ".." && end != "" {
		t, dayOnly, err := parseTime(end)
		if err != nil {
			return nil, err
		}
		if dayOnly {
			t = t.Add(24*time.Hour - time.Nanosecond)
		}
		iv.End = &t
	}
	if iv.Start == nil && iv.End == nil {
		return nil, layers.Invalid("datetime", "an interval needs at least one end; leave datetime out to select all")
	}
	if iv.Start != nil && iv.End != nil && iv.Start.After(*iv.End) {
		return nil, layers.Invalid("datetime", "interval start %s is after its end %s", start, end)
	}
	return &iv, nil
}

func parseTime(s string) (t time.Time, dayOnly bool, err error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), false, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, true, nil
	}
	return time.Time{}, false, layers.Invalid("datetime", "%q is not an RFC 3339 date-time (e.g. 2023-05-01T18:00:00Z) or date (2023-05-01)", s)
}

// CheckAggregatedWindow refuses a datetime window of the aggregated view whose ends are not
// whole days (UTC): a start at 00:00:00, an end at 00:00:00 or 23:59:59 (and its fractions,
// as a date alone gives). Sliding an end by the second until a rounded count flips would
// otherwise time an observation to the second; the page's month windows are whole days.
func CheckAggregatedWindow(iv *layers.Interval) error {
	if iv == nil {
		return nil
	}
	if t := iv.Start; t != nil {
		if u := t.UTC(); u.Hour() != 0 || u.Minute() != 0 || u.Second() != 0 || u.Nanosecond() != 0 {
			return layers.Invalid("datetime", "without access to observations a window starts at a whole day (00:00:00Z), not %s", u.Format(time.RFC3339Nano))
		}
	}
	if t := iv.End; t != nil {
		u := t.UTC()
		midnight := u.Hour() == 0 && u.Minute() == 0 && u.Second() == 0 && u.Nanosecond() == 0
		if !midnight && (u.Hour() != 23 || u.Minute() != 59 || u.Second() != 59) {
			return layers.Invalid("datetime", "without access to observations a window ends at a whole day (23:59:59Z or 00:00:00Z), not %s", u.Format(time.RFC3339Nano))
		}
	}
	return nil
}
