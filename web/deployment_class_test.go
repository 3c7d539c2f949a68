package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// TestPlanClassFollowsInputs is review finding H1 of issue 12: a plan the police made from
// restricted observations was stored as one internal document. A plan's class is now the
// highest class of what it was made from, and a police editor who asks for an internal plan
// gets one made from internal rows only: the same targets and risks the municipality gets
// for the same request, for places and for hexagon cells alike.
func TestPlanClassFollowsInputs(t *testing.T) {
	a := newAPI(t)
	var restricted int64
	if err := testDB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM observations WHERE sensitivity = 'restricted'`).Scan(&restricted); err != nil || restricted == 0 {
		t.Fatalf("the test data has %d restricted observations (%v): the test needs some", restricted, err)
	}
	police := http.Header{"Authorization": {"Bearer " + callerToken(t, testDB, "acc-police", "police", "editor")}, "Content-Type": {"application/json"}}
	municipality := http.Header{"Authorization": {"Bearer " + callerToken(t, testDB, "acc-municipality", "municipality", "editor")}, "Content-Type": {"application/json"}}
	var ids []int64
	t.Cleanup(func() {
		_, _ = testDB.Pool.Exec(context.Background(), `DELETE FROM deployment_plans WHERE id = ANY($1)`, ids)
	})

	type target struct {
		ID   string
		Risk map[string]float64
	}
	type plan struct {
		ID        int64
		DataClass string `json:"data_class"`
		Targets   []target
	}
	mk := func(h http.Header, body string) plan {
		t.Helper()
		_, got := a.write("POST", "/deployment/plans", h, body, 201)
		var p plan
		if err := json.Unmarshal(got, &p); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
		return p
	}
	for _, targets := range []string{`{"top":8,"days":3650}`, `{"kind":"cells","side":300,"top":8,"days":3650}`} {
		body := func(class string) string {
			return `{"weeks":1,"seed":5,"actors":[{"type":"police","capacity":10}],"targets":` + targets + class + `}`
		}
		all := mk(police, body(""))
		internal := mk(police, body(`,"data_class":"internal"`))
		joint := mk(municipality, body(""))
		if all.DataClass != "restricted" || internal.DataClass != "internal" || joint.DataClass != "internal" {
			t.Errorf("%s: classes %q (police), %q (police, internal asked), %q (municipality)", targets, all.DataClass, internal.DataClass, joint.DataClass)
		}
		if !reflect.DeepEqual(internal.Targets, joint.Targets) {
			t.Errorf("%s: the police's internal plan differs from the municipality's:\n%v\n%v", targets, internal.Targets, joint.Targets)
		}
		if reflect.DeepEqual(all.Targets, internal.Targets) {
			t.Errorf("%s: the plan from every row equals the one from internal rows: the restricted rows made no difference", targets)
		}
		// The stored rows carry the plan's class.
		var classes []string
		if err := testDB.Pool.QueryRow(context.Background(), `SELECT array_agg(DISTINCT data_class) FROM (
			SELECT data_class FROM deployment_plan_targets WHERE plan_id = $1
			UNION ALL SELECT data_class FROM deployment_plan_items WHERE plan_id = $1) c`, all.ID).Scan(&classes); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(classes, []string{"restricted"}) {
			t.Errorf("%s: the restricted plan's targets and items have classes %v", targets, classes)
		}
		// The audit entries of the writes are as protected as the plans (review M4).
		for _, p := range []plan{all, internal, joint} {
			var class string
			if err := testDB.Pool.QueryRow(context.Background(), `SELECT data_class FROM audit_log
				WHERE action = 'write' AND object_type = 'plans' AND object_id = $1`, fmt.Sprint(p.ID)).Scan(&class); err != nil || class != p.DataClass {
				t.Errorf("the audit entry of plan %d (%s): class %q (%v)", p.ID, p.DataClass, class, err)
			}
		}
		// The exports say so: the GeoJSON layer, and every calendar event (a shared calendar
		// shows a CONFIDENTIAL or PRIVATE event's details to its owner only).
		for _, p := range []struct {
			id           int64
			class, event string
		}{{all.ID, "restricted", "CLASS:CONFIDENTIAL"}, {joint.ID, "internal", "CLASS:PRIVATE"}} {
			res, body := a.raw("GET", fmt.Sprintf("/deployment/plans/%d?f=ics", p.id), police)
			if n := strings.Count(string(body), "BEGIN:VEVENT"); res.StatusCode != 200 || n == 0 || strings.Count(string(body), p.event+"\r\n") != n {
				t.Errorf("plan %d (%s): %d events, %d with %s", p.id, p.class, n, strings.Count(string(body), p.event), p.event)
			}
			_, body = a.raw("GET", fmt.Sprintf("/deployment/plans/%d?f=geojson", p.id), police)
			if !strings.Contains(string(body), `"data_class":"`+p.class+`"`) {
				t.Errorf("plan %d's GeoJSON does not say %s: %.200s", p.id, p.class, body)
			}
		}
	}

	// An internal caller cannot ask for a restricted plan; nobody for an open one.
	a.write("POST", "/deployment/plans", municipality, `{"actors":[{"type":"police","capacity":5}],"data_class":"restricted"}`, 403)
	a.write("POST", "/deployment/plans", police, `{"actors":[{"type":"police","capacity":5}],"data_class":"open"}`, 400)
	// Targets typed in carry the writer's clearance.
	items := `{"weeks":1,"actors":[{"type":"police","capacity":5}],"targets":{"items":[{"id":"a","point":[16.55,59.61],"risk":{"violence":2}}]}}`
	if p := mk(police, items); p.DataClass != "restricted" {
		t.Errorf("explicit targets by the police: class %q, want restricted", p.DataClass)
	}
	if p := mk(municipality, items); p.DataClass != "internal" {
		t.Errorf("explicit targets by the municipality: class %q, want internal", p.DataClass)
	}
}
