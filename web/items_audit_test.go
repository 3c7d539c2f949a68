package web_test

import (
	"context"
	"net/url"
	"testing"
	"time"
)

// TestItemsAuditRestrictedRowsWhateverProperties: a police reader's page of restricted
// observations is in the audit log with its number of restricted rows, also when the page
// leaves the class column out of its properties (the rows are restricted all the same).
func TestItemsAuditRestrictedRowsWhateverProperties(t *testing.T) {
	a := newAPI(t)
	restricted := count(t, `SELECT count(*) FROM observations WHERE sensitivity = 'restricted'`)
	if restricted < 3 {
		t.Fatalf("%d restricted observations in the test database, want at least 3", restricted)
	}
	for _, props := range []string{"", "sensitivity", "category,severity"} {
		q := url.Values{"sensitivity": {"restricted"}, "limit": {"3"}}
		if props != "" {
			q.Set("properties", props)
		}
		var fc featureCollection
		a.getJSON("/collections/observations/items?"+q.Encode(), 200, &fc)
		if len(fc.Features) != 3 {
			t.Fatalf("properties=%q: %d features, want 3", props, len(fc.Features))
		}
		var rows int64
		deadline := time.Now().Add(5 * time.Second)
		for rows == 0 && time.Now().Before(deadline) {
			if err := testDB.Pool.QueryRow(context.Background(), `SELECT coalesce(max((details->>'restricted_rows')::bigint), 0)
				FROM audit_log WHERE action = 'read' AND organisation = $1 AND details->>'query' = $2`, testOrg, q.Encode()).Scan(&rows); err != nil {
				t.Fatal(err)
			}
			if rows == 0 {
				time.Sleep(20 * time.Millisecond)
			}
		}
		if rows != 3 {
			t.Errorf("properties=%q: the audit log has %d restricted rows for the read, want 3", props, rows)
		}
	}
}
