package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/lagesbild/lagesbild/layers"
)

// TestPriorityCompareBounded is review finding M3 of issue 12: the comparison's cost grew with
// the square of the stored scenarios, which any editor could create without limit, and k and
// limit took any positive number. An organisation keeps at most
// layers.MaxScenariosPerOrganisation scenarios (409 beyond); a comparison without a list takes
// the built-in scenarios and the caller's organisation's own, a list at most
// maxCompareScenarios; k and limit are bounded (400 naming each).
func TestPriorityCompareBounded(t *testing.T) {
	a := newAPI(t)
	ctx := context.Background()
	h := withHeader(http.Header{"Authorization": {"Bearer " + callerToken(t, testDB, "acc-m3", "municipality", "editor")}},
		"Content-Type", "application/json")
	t.Cleanup(func() {
		_, _ = testDB.Pool.Exec(ctx, `DELETE FROM priority_scenarios WHERE owner_org = 'acc-m3'`)
	})
	var builtin int
	if err := testDB.Pool.QueryRow(ctx, `SELECT count(*) FROM priority_scenarios WHERE builtin`).Scan(&builtin); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i := range layers.MaxScenariosPerOrganisation {
		id := fmt.Sprintf("m3-%d", i)
		ids = append(ids, id)
		a.write("POST", "/analysis/priority/scenarios", h, scenario(id, ""), 201)
	}
	_, body := a.write("POST", "/analysis/priority/scenarios", h, scenario("m3-over", ""), 409)
	if !strings.Contains(string(body), "delete one first") {
		t.Errorf("the scenario past the bound: %s", body)
	}

	compared := func(h http.Header, req string) int {
		t.Helper()
		_, body := a.write("POST", "/analysis/priority/compare", h, req, 200)
		var res struct{ Scenarios []struct{ ID string } }
		if err := json.Unmarshal(body, &res); err != nil {
			t.Fatal(err)
		}
		return len(res.Scenarios)
	}
	anon := http.Header{anonymousHeader: {"1"}, "Content-Type": {"application/json"}}
	if n := compared(anon, `{}`); n != builtin {
		t.Errorf("anonymous comparison of %d scenarios, want the %d built-in ones", n, builtin)
	}
	if n := compared(h, `{}`); n != builtin+layers.MaxScenariosPerOrganisation {
		t.Errorf("the organisation's comparison of %d scenarios, want %d built-in and its %d", n, builtin, layers.MaxScenariosPerOrganisation)
	}
	var many []string
	for i := range 31 {
		many = append(many, fmt.Sprintf("m3-%d", i))
	}
	list, _ := json.Marshal(map[string]any{"scenarios": many})
	for _, c := range []struct{ body, param string }{
		{`{"k":1000000}`, "k"}, {`{"k":-1}`, "k"}, {`{"limit":100000000}`, "limit"}, {`{"limit":-1}`, "limit"},
		{string(list), "scenarios"},
	} {
		_, body := a.write("POST", "/analysis/priority/compare", anon, c.body, 400)
		if !strings.Contains(string(body), `"param":"`+c.param+`"`) || !strings.Contains(string(body), "at most") {
			t.Errorf("%.60s: %s, want a 400 naming %s and its bound", c.body, body, c.param)
		}
	}
}
