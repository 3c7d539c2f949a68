package did

import "time"

// Window is the layout of a follow-up's periods: whole periods of equal calendar length
// counted from the start date, as many as asked for and the observed data cover.
type Window struct {
	// Start is the start date as a UTC midnight; End is the UTC midnight after the day of the
	// newest observation (the observed data end before it).
	Start, End time.Time
	// Bounds are the Pre+Post+1 period bounds, period k being [Bounds[k], Bounds[k+1]); the
	// first Pre periods end at Start.
	Bounds    []time.Time
	Pre, Post int
}

// Periods lays out whole periods of months calendar months from start: up to wantPre
// before it and up to wantPost from it, each inside the observed days [first's day, the day
// after last's day). Only the calendar date of start counts.
//
// Periods run on the start's day of the month, or the month's last day when it is shorter
// (from 31 March one month back is 28 February, not 3 March as time.AddDate normalises 31
// February), so they stay calendar months and do not drift. When start is not before End,
// or no whole period fits, Pre and Post are 0 and Bounds is empty; a caller must refuse such
// a follow-up.
func Periods(start, first, last time.Time, months, wantPre, wantPost int) Window {
	w := Window{
		Start: time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, time.UTC),
		End:   last.UTC().Truncate(24 * time.Hour).Add(24 * time.Hour),
	}
	if !w.Start.Before(w.End) || months < 1 {
		return w
	}
	firstDay := first.UTC().Truncate(24 * time.Hour)
	bound := func(k int) time.Time { return addMonthsClamped(w.Start, k*months) }
	for w.Pre < wantPre && !bound(-w.Pre-1).Before(firstDay) {
		w.Pre++
	}
	for w.Post < wantPost && !bound(w.Post+1).After(w.End) {
		w.Post++
	}
	if w.Pre+w.Post == 0 {
		return w
	}
	w.Bounds = make([]time.Time, 0, w.Pre+w.Post+1)
	for k := -w.Pre; k <= w.Post; k++ {
		w.Bounds = append(w.Bounds, bound(k))
	}
	return w
}

// addMonthsClamped is t moved n calendar months, on t's day or, when that month is shorter,
// its last day.
func addMonthsClamped(t time.Time, n int) time.Time {
	first := time.Date(t.Year(), t.Month()+time.Month(n), 1, 0, 0, 0, 0, t.Location())
	lastDay := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(t.Day(), lastDay), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
}
