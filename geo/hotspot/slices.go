package hotspot

import "time"

// SliceUnit is the length of a time slice of an emerging hot spot analysis: calendar months,
// quarters or years in SliceZone.
type SliceUnit string

// The slice units.
const (
	SliceMonth   SliceUnit = "month"
	SliceQuarter SliceUnit = "quarter"
	SliceYear    SliceUnit = "year"
)

// SliceZone is the time zone slices follow: UTC, as the API's datetime parameter reads a date
// ("2024-12-31" is that UTC day). A window of whole months then gives whole slices; in Swedish
// local time its last hour or two would spill into a slice of its own.
const SliceZone = "UTC"

// Valid reports whether u is month, quarter or year.
func (u SliceUnit) Valid() bool { return u == SliceMonth || u == SliceQuarter || u == SliceYear }

// Truncate is the first day of the calendar slice containing t (in SliceZone), at 00:00 UTC.
func (u SliceUnit) Truncate(t time.Time) time.Time {
	t = t.UTC()
	switch u {
	case SliceQuarter:
		return time.Date(t.Year(), t.Month()-(t.Month()-1)%3, 1, 0, 0, 0, 0, time.UTC)
	case SliceYear:
		return time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// Index numbers the slice starting at t from the one starting at first: months, quarters or
// years apart (negative before first).
func (u SliceUnit) Index(first, t time.Time) int {
	months := (t.Year()-first.Year())*12 + int(t.Month()) - int(first.Month())
	switch u {
	case SliceQuarter:
		return months / 3
	case SliceYear:
		return t.Year() - first.Year()
	}
	return months
}

// Start is the first day of slice k after the one starting at first.
func (u SliceUnit) Start(first time.Time, k int) time.Time {
	switch u {
	case SliceQuarter:
		return first.AddDate(0, 3*k, 0)
	case SliceYear:
		return first.AddDate(k, 0, 0)
	}
	return first.AddDate(0, k, 0)
}

// Count is the number of slices from start's to end's, both included; 0 when end's slice is
// before start's.
func (u SliceUnit) Count(start, end time.Time) int {
	return max(u.Index(u.Truncate(start), u.Truncate(end))+1, 0)
}
