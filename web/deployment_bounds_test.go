package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestPlanSizeBounded is review finding H4 of issue 12: a stored plan set the cost of every
// export, and one plan of 52 weeks over 10,000 hexagons made a 101 MB iCalendar (206,160
// events, 14.8 s) on every GET by any internal reader. A plan's size (targets × weeks × actor
// types) is bounded when it is made, before its targets are computed (400 naming the target
// parameter), and its iCalendar export holds at most maxICSEvents events (400 naming f beyond;
// the JSON and CSV forms, bounded by the plan's size, still answer).
func TestPlanSizeBounded(t *testing.T) {
	a := newAPI(t)
	actors := `[{"type":"police","capacity":100},{"type":"night_walkers","capacity":5},{"type":"security_guards","capacity":50},{"type":"mobile_cameras","capacity":3}]`
	items := func(n int) string {
		var b strings.Builder
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"id":"t%d","point":[%.5f,59.61],"risk":{"violence":1,"vandalism":1,"open_drug_dealing":1}}`, i, 16.50+float64(i)*0.0002)
		}
		return "[" + b.String() + "]"
	}
	ids := make([]string, 300)
	for i := range ids {
		ids[i] = fmt.Sprint(i + 1)
	}
	for _, c := range []struct{ body, param string }{
		{`{"weeks":52,"actors":` + actors + `,"targets":{"kind":"cells","side":50,"top":10000}}`, "targets.top"},
		{`{"weeks":52,"actors":` + actors + `,"targets":{"top":300}}`, "targets.top"},
		{`{"weeks":52,"actors":` + actors + `,"targets":{"place_ids":[` + strings.Join(ids, ",") + `]}}`, "targets.place_ids"},
		{`{"weeks":52,"actors":` + actors + `,"targets":{"items":` + items(300) + `}}`, "targets.items"},
	} {
		start := time.Now()
		_, body := a.do("POST", "/deployment/plans", c.body, 400)
		if !strings.Contains(string(body), `"param":"`+c.param+`"`) || !strings.Contains(string(body), "at most") {
			t.Errorf("%.80s: %s, want a 400 naming %s and the bound", c.body, body, c.param)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("%.80s: refused after %v: the size is known before the targets are computed", c.body, d)
		}
	}

	// A plan within the bound whose visits make more events than the export holds.
	_, body := a.do("POST", "/deployment/plans", `{"weeks":52,"seed":1,"actors":[{"type":"police","capacity":20000}],"targets":{"items":`+items(40)+`}}`, 201)
	var p struct{ ID int64 }
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = testDB.Pool.Exec(context.Background(), `DELETE FROM deployment_plans WHERE id = $1`, p.ID)
	})
	path := fmt.Sprintf("/deployment/plans/%d", p.ID)
	start := time.Now()
	_, body = a.get(path+"?f=ics", 400)
	if !strings.Contains(string(body), `"param":"f"`) || !strings.Contains(string(body), "at most") {
		t.Errorf("the iCalendar export past the bound: %s", body)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("the iCalendar export was refused after %v: the events are counted before they are made", d)
	}
	a.get(path, 200)
	a.get(path+"?f=csv", 200)
	a.get(path+"?f=geojson", 200)
}
