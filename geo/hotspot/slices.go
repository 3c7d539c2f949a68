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

// SliceZone is the time zone slices follow: Swedish local time, so an event at 00:30 on
// 1 February belongs to February, as the people who reported it count. The zone's rule is
// computed, not read from the system's time zone database: CET (UTC+1), and CEST (UTC+2) from
// 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October, as
// Sweden has kept it since 1996. A window bound at a UTC day's edge — the API reads a date
// "2024-12-31" as that UTC day, 00:00Z to 23:59:59Z — counts as that calendar day, so a
// window of whole months in dates gives whole slices.
const SliceZone = "Europe/Stockholm"

// Valid reports whether u is month, quarter or year.
func (u SliceUnit) Valid() bool { return u == SliceMonth || u == SliceQuarter || u == SliceYear }

// summer reports whether Swedish summer time (CEST) is in force at t.
func summer(t time.Time) bool {
	u := t.UTC()
	lastSunday := func(m time.Month) time.Time {
		d := time.Date(u.Year(), m+1, 0, 1, 0, 0, 0, time.UTC) // the month's last day, 01:00 UTC
		return d.AddDate(0, 0, -int(d.Weekday()))
	}
	return !u.Before(lastSunday(time.March)) && u.Before(lastSunday(time.October))
}

// zoneAt is Swedish local time's zone at instant t.
func zoneAt(t time.Time) *time.Location {
	if summer(t) {
		return time.FixedZone("CEST", 2*3600)
	}
	return time.FixedZone("CET", 3600)
}

// Local is t in Swedish local time (SliceZone).
func Local(t time.Time) time.Time { return t.In(zoneAt(t)) }

// midnight is the instant local midnight begins the civil date y-m-d, in Swedish local time.
// (Summer time starts and ends at 01:00 UTC, never at local midnight, so it is unambiguous.)
func midnight(y int, m time.Month, d int) time.Time {
	guess := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Add(-time.Hour) // midnight CET
	if summer(guess) {
		guess = guess.Add(-time.Hour)
	}
	return Local(guess)
}

// startOf is the first day of the slice holding the civil date y-m.
func (u SliceUnit) startOf(y int, m time.Month) time.Time {
	switch u {
	case SliceQuarter:
		return midnight(y, m-(m-1)%3, 1)
	case SliceYear:
		return midnight(y, 1, 1)
	}
	return midnight(y, m, 1)
}

// Truncate is the local midnight starting the calendar slice that holds t in Swedish local
// time (SliceZone), in that zone.
func (u SliceUnit) Truncate(t time.Time) time.Time {
	l := Local(t)
	return u.startOf(l.Year(), l.Month())
}

// TruncateBound is Truncate for a bound of a datetime window: a bound at a UTC day's edge
// (00:00:00Z, or from 23:59:59Z on) is that calendar day, as the API reads a date; any other
// bound is the instant it names.
func (u SliceUnit) TruncateBound(t time.Time) time.Time {
	c := t.UTC()
	if (c.Hour() == 0 && c.Minute() == 0 && c.Second() == 0 && c.Nanosecond() == 0) || (c.Hour() == 23 && c.Minute() == 59 && c.Second() == 59) {
		return u.startOf(c.Year(), c.Month())
	}
	return u.Truncate(t)
}

// Index numbers the slice starting at t from the one starting at first: months, quarters or
// years apart (negative before first). Both are slice starts (Truncate).
func (u SliceUnit) Index(first, t time.Time) int {
	first, t = Local(first), Local(t)
	months := (t.Year()-first.Year())*12 + int(t.Month()) - int(first.Month())
	switch u {
	case SliceQuarter:
		return months / 3
	case SliceYear:
		return t.Year() - first.Year()
	}
	return months
}

// Start is the first day (local midnight) of slice k after the one starting at first.
func (u SliceUnit) Start(first time.Time, k int) time.Time {
	l := Local(first)
	switch u {
	case SliceQuarter:
		k *= 3
	case SliceYear:
		k *= 12
	}
	c := time.Date(l.Year(), l.Month()+time.Month(k), 1, 0, 0, 0, 0, time.UTC)
	return midnight(c.Year(), c.Month(), 1)
}

// Count is the number of slices of the window from start to end (bounds as TruncateBound
// reads them), both included; 0 when end's slice is before start's.
func (u SliceUnit) Count(start, end time.Time) int {
	return max(u.Index(u.TruncateBound(start), u.TruncateBound(end))+1, 0)
}
