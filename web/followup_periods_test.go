package web_test

import (
	"fmt"
	"testing"
)

// TestFollowupMonthEndPeriods follows up an intervention that starts on 31 March 2022: the
// period bounds are calendar months (or quarters) from the start, on the 31st or the
// month's last day, never rolled into the next month (31 February is not 3 March).
func TestFollowupMonthEndPeriods(t *testing.T) {
	a := newAPI(t)
	var ids []int64
	cleanUp(t, &ids)
	f, _, _ := createIntervention(t, a, newIntervention("null", map[string]any{"start_date": "2022-03-31", "end_date": "2022-12-31",
		"target_districts": []string{"1980-BACKBY"}}), nil, &ids)
	for _, tc := range []struct {
		period string
		bounds []string // k = −3 … 3
	}{
		{"month", []string{"2021-12-31", "2022-01-31", "2022-02-28", "2022-03-31", "2022-04-30", "2022-05-31", "2022-06-30"}},
		{"quarter", []string{"2021-06-30", "2021-09-30", "2021-12-31", "2022-03-31", "2022-06-30", "2022-09-30", "2022-12-31"}},
	} {
		got := getFollowup(a, fmt.Sprintf("/analysis/followup/%d?period=%s&pre=3&post=3", f.ID, tc.period))
		if len(got.Periods) != 6 {
			t.Fatalf("%s: %d periods, want 3 + 3", tc.period, len(got.Periods))
		}
		for k, p := range got.Periods {
			if p.Index != k-3 || p.Start != tc.bounds[k] || p.End != tc.bounds[k+1] {
				t.Errorf("%s period %d: %+v, want index %d from %s to %s", tc.period, k, p, k-3, tc.bounds[k], tc.bounds[k+1])
			}
		}
	}
}
