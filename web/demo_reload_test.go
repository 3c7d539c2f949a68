package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"testing"

	"github.com/lagesbild/lagesbild/data"
	"github.com/lagesbild/lagesbild/layers"
)

// TestDemoReloadKeepsLinksAndEdits: two demo loads (what two `make run`s do) keep the rows'
// identities and what a user changed through the API (issue 14, point 1). A saved link to a
// place, an observation and an intervention's follow-up answers the same after the reloads, a
// stored plan's targets still name their places, and an intervention edited through the API
// keeps the edit and its version.
func TestDemoReloadKeepsLinksAndEdits(t *testing.T) {
	a := newAPI(t)
	ctx := context.Background()
	ds, err := data.Generate(data.DefaultSeed)
	if err != nil {
		t.Fatal(err)
	}
	owner := layers.NewStore(testDB.Pool)

	var placeID, obsID, followID, editID int64
	var obsCategory, followTitle string
	if err := testDB.Pool.QueryRow(ctx, `SELECT id FROM places WHERE name = 'Vasaparken' AND illustrative`).Scan(&placeID); err != nil {
		t.Fatal(err)
	}
	if err := testDB.Pool.QueryRow(ctx, `SELECT id, category FROM observations WHERE illustrative ORDER BY source_id LIMIT 1`).
		Scan(&obsID, &obsCategory); err != nil {
		t.Fatal(err)
	}
	// Two demo interventions that no test has written through the API: one to follow up, one to edit.
	rows, err := testDB.Pool.Query(ctx, `SELECT id, title FROM interventions i WHERE illustrative AND start_date IS NOT NULL
		AND NOT EXISTS (SELECT 1 FROM intervention_history h WHERE h.intervention_id = i.id) ORDER BY id LIMIT 2`)
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	var ids []int64
	for rows.Next() {
		var id int64
		var title string
		if err := rows.Scan(&id, &title); err != nil {
			t.Fatal(err)
		}
		ids, titles = append(ids, id), append(titles, title)
	}
	if rows.Err() != nil || len(ids) != 2 {
		t.Fatalf("two untouched demo interventions: %v %v", ids, rows.Err())
	}
	followID, followTitle, editID = ids[0], titles[0], ids[1]

	followPath := fmt.Sprintf("/analysis/followup/%d", followID)
	_, followBefore := a.get(followPath, 200)
	editPath := fmt.Sprintf("/collections/interventions/items/%d", editID)
	res, _ := a.get(editPath, 200)
	const edited = "Ändrad genom API:t i testet; ska finnas kvar efter två demoladdningar."
	// The municipality's admins may change every organisation's interventions.
	h := ifMatch(res.Header.Get("ETag"))
	h.Set("Authorization", "Bearer "+callerToken(t, testDB, "test-kommun", "municipality", "admin"))
	res, _ = a.write("PATCH", editPath, h, `{"properties":{"description":"`+edited+`"}}`, 200)
	editTag := res.Header.Get("ETag")

	// A stored plan over the top places.
	_, body := a.do("POST", "/deployment/plans", `{"name":"reload","weeks":1,"seed":3,
	  "actors":[{"type":"police","capacity":5}],"targets":{"top":4}}`, 201)
	var plan planAnswer
	if err := json.Unmarshal(body, &plan); err != nil || len(plan.Targets) == 0 {
		t.Fatalf("plan: %v %s", err, body)
	}

	for i := 1; i <= 2; i++ {
		if _, err := owner.LoadDemo(ctx, ds); err != nil {
			t.Fatalf("reload %d: %v", i, err)
		}
	}

	var place struct{ Properties struct{ Name string } }
	a.getJSON(fmt.Sprintf("/collections/places/items/%d", placeID), 200, &place)
	if place.Properties.Name != "Vasaparken" {
		t.Errorf("places/items/%d after two reloads: %q, want Vasaparken", placeID, place.Properties.Name)
	}
	var obs struct{ Properties map[string]any }
	a.getJSON(fmt.Sprintf("/collections/observations/items/%d", obsID), 200, &obs)
	if got := obs.Properties["category"]; got != obsCategory {
		t.Errorf("observations/items/%d after two reloads: category %v, want %s", obsID, got, obsCategory)
	}
	var follow struct{ Intervention struct{ Title string } }
	_, followAfter := a.get(followPath, 200)
	if err := json.Unmarshal(followAfter, &follow); err != nil || follow.Intervention.Title != followTitle {
		t.Errorf("%s after two reloads: intervention %q (%v), want %q", followPath, follow.Intervention.Title, err, followTitle)
	}
	// The same answer but for when it was made.
	stamp := regexp.MustCompile(`"timeStamp":"[^"]*"`)
	followBefore, followAfter = stamp.ReplaceAll(followBefore, nil), stamp.ReplaceAll(followAfter, nil)
	if string(followAfter) != string(followBefore) {
		i := 0
		for i < len(followAfter) && i < len(followBefore) && followAfter[i] == followBefore[i] {
			i++
		}
		from := max(0, i-200)
		t.Errorf("%s changed across the reloads, from byte %d:\nbefore …%.400s\nafter  …%.400s", followPath, i, followBefore[from:], followAfter[from:])
	}
	var iv struct{ Properties map[string]any }
	res, body = a.get(editPath, 200)
	if err := json.Unmarshal(body, &iv); err != nil || iv.Properties["description"] != edited {
		t.Errorf("the API edit of intervention %d was lost by the reloads: description %v", editID, iv.Properties["description"])
	}
	if res.Header.Get("ETag") != editTag {
		t.Errorf("intervention %d after two reloads: ETag %s, want %s (the edit's version)", editID, res.Header.Get("ETag"), editTag)
	}
	var again planAnswer
	a.getJSON(fmt.Sprintf("/deployment/plans/%d", plan.ID), 200, &again)
	for _, tg := range again.Targets {
		if tg.PlaceID == nil {
			t.Errorf("plan %d target %s lost its place", plan.ID, tg.ID)
			continue
		}
		var p struct{ Properties struct{ Name string } }
		a.getJSON(fmt.Sprintf("/collections/places/items/%d", *tg.PlaceID), 200, &p)
		if p.Properties.Name != tg.Name {
			t.Errorf("plan %d target %s: place %d is now %q, the plan says %q", plan.ID, tg.ID, *tg.PlaceID, p.Properties.Name, tg.Name)
		}
	}
}
