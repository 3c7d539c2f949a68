package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/auth"
)

// The browser tests of "save and come back" (issue 14, point 8): an editor saves the
// weighting on Prioritering as the organisation's scenario, the page opens on it next time,
// and a save made from a version someone else has replaced is refused (412) with a way to
// load the latest; a reader sees the weighting read-only and gets the views without the
// forms that would end in 403 (the plans to open and compare, no plan or dose form, no new
// intervention); Mimer opens on Mimer's scenario.

// accountIn makes an account with role in organisation org (made as kind when missing),
// removed after the test.
func accountIn(t *testing.T, org, kind, role string) account {
	t.Helper()
	ctx := context.Background()
	store := layers.NewStore(testDB.Pool)
	if _, err := store.LookupOrganisation(ctx, org); errors.Is(err, layers.ErrNotFound) {
		if err := store.CreateOrganisation(ctx, layers.Organisation{Code: org, Name: org, Kind: kind}); err != nil {
			t.Fatal(err)
		}
	}
	acc := account{org: org, user: uniq("user."), password: "correct horse battery staple"}
	hash, err := layers.HashPassword(acc.password, fastArgon)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.CreateUser(ctx, layers.NewUser{Organisation: org, Username: acc.user, Role: role, PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = testDB.Pool.Exec(context.Background(), `DELETE FROM users WHERE username = $1`, acc.user)
	})
	return acc
}

// loginAs logs the page in as acc and waits until the views have asked again.
func (b *browser) loginAs(acc account) {
	b.t.Helper()
	before := eval[int](b, `lagesbild.sessionChanges ?? 0`)
	b.click("log in", "#login-open")
	b.submitLogin(acc.user, acc.password)
	b.waitFor("the login", fmt.Sprintf(`(lagesbild.sessionChanges ?? 0) > %d`, before))
}

func (b *browser) showView(v string) {
	b.t.Helper()
	eval[bool](b, fmt.Sprintf(`(() => { location.hash = %q; return true; })()`, "#"+v))
}

func TestSavedScenarioInBrowser(t *testing.T) {
	chromium := requireTool(t, chromiumPath, "apt-get install chromium (make test does)")
	axeFile := requireTool(t, axePath, "cd web/page && npm ci (make test does)")
	axe, err := os.ReadFile(axeFile)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := newAuthAPI(t, auth.Config{})
	editor := newAccount(t, "municipality", "editor")
	own := editor.org + "-egen"
	t.Cleanup(func() {
		_, _ = testDB.Pool.Exec(context.Background(), `DELETE FROM priority_scenarios WHERE owner_org = $1`, editor.org)
	})
	prioReady := `lagesbild.priority && lagesbild.priority.ready && !!document.getElementById('prio-save')`

	b := newBrowser(t, chromium)
	b.do("open Prioritering", chromedp.Navigate(a.srv.URL+"/karta/#prioritering"))
	b.waitFor("Prioritering", prioReady)
	if n := eval[int](b, `document.querySelectorAll('#prio-save-button, #prio-readonly').length`); n != 0 {
		t.Errorf("anonymous: %d save controls or notes", n)
	}
	b.loginAs(editor)
	b.waitFor("the save button", `!!document.getElementById('prio-save-button')`)
	if txt := eval[string](b, `document.getElementById('prio-save-button').textContent`); txt != "Spara som Test "+editor.org+"s scenario" {
		t.Errorf("save button %q", txt)
	}
	// A weight changed and saved: the organisation's scenario, version 1.
	b.setValue("w-ind-unemployment", "2.5")
	b.waitFor("the new ranking", prioReady)
	b.click("save", "#prio-save-button")
	b.waitFor("saved", `lagesbild.priority.lastSaveStatus === 201`)
	var owner string
	var version int64
	var weight float64
	scenario := func() {
		t.Helper()
		if err := testDB.Pool.QueryRow(context.Background(), `SELECT owner_org, version, (SELECT weight FROM priority_scenario_weights WHERE scenario_id = s.id AND indicator_key = 'unemployment')
			FROM priority_scenarios s WHERE id = $1`, own).Scan(&owner, &version, &weight); err != nil {
			t.Fatalf("scenario %s: %v", own, err)
		}
	}
	scenario()
	if owner != editor.org || version != 1 || weight != 2.5 {
		t.Errorf("saved: owner %q, version %d, weight %v", owner, version, weight)
	}
	if msg := eval[string](b, `document.getElementById('prio-save-status').textContent`); !strings.Contains(msg, "version 1") {
		t.Errorf("save message %q", msg)
	}
	if os.Getenv("UPDATE_SCREENSHOT") != "" {
		viewScreenshot(t, b, "prioritering-spara.png", "#prio-save")
	}
	// Come back: the page opens on the organisation's own scenario.
	b.do("open the page again", chromedp.Navigate(a.srv.URL+"/karta/?fresh=1#prioritering"))
	b.waitFor("Prioritering again", prioReady+` && document.getElementById('prio-scenario').value === `+fmt.Sprintf("%q", own))
	if v := eval[string](b, `document.getElementById('w-ind-unemployment').value`); v != "2.5" {
		t.Errorf("the saved weight reads %q", v)
	}
	// Someone else in the organisation saves in between: this save is refused (412), the
	// page says so and loads the latest version on request; the save after that goes through.
	if _, err := testDB.Pool.Exec(context.Background(), `UPDATE priority_scenarios SET version = version + 1 WHERE id = $1`, own); err != nil {
		t.Fatal(err)
	}
	b.setValue("w-ind-unemployment", "1")
	b.waitFor("the new ranking", prioReady)
	b.click("save", "#prio-save-button")
	b.waitFor("refused", `lagesbild.priority.lastSaveStatus === 412 && !!document.getElementById('prio-reload')`)
	if scenario(); version != 2 || weight != 2.5 {
		t.Errorf("after a refused save: version %d, weight %v", version, weight)
	}
	axeClean(t, b, axe, "Prioritering with a refused save")
	b.click("load the latest", "#prio-reload")
	b.waitFor("the latest loaded", prioReady+` && !document.getElementById('prio-reload')`)
	b.setValue("w-ind-unemployment", "1")
	b.waitFor("the new ranking", prioReady)
	b.click("save", "#prio-save-button")
	b.waitFor("saved again", `lagesbild.priority.lastSaveStatus === 200`)
	if scenario(); version != 3 || weight != 1 {
		t.Errorf("after the second save: version %d, weight %v", version, weight)
	}
	noConsoleErrorsBut(t, b, func(line string) bool { return strings.Contains(line, "412") })
}

func TestReaderViewsWithoutFormsInBrowser(t *testing.T) {
	chromium := requireTool(t, chromiumPath, "apt-get install chromium (make test does)")
	axeFile := requireTool(t, axePath, "cd web/page && npm ci (make test does)")
	axe, err := os.ReadFile(axeFile)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := newAuthAPI(t, auth.Config{})
	reader := newAccount(t, "municipality", "reader")
	// Two plans of the organisation's editors to open and compare.
	token := callerToken(t, testDB, reader.org, "municipality", "editor")
	var ids []int64
	for _, name := range []string{"Plan A", "Plan B"} {
		body := fmt.Sprintf(`{"name":%q,"weeks":2,"actors":[{"type":"night_walkers","capacity":%d}],"targets":{"top":5}}`, name, 2+len(ids))
		_, raw := a.do("POST", "/deployment/plans", body, 201, "Authorization", "Bearer "+token)
		var p pagePlan
		if err := json.Unmarshal(raw, &p); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	t.Cleanup(func() {
		_, _ = testDB.Pool.Exec(context.Background(), `DELETE FROM deployment_plans WHERE id = ANY($1)`, ids)
	})

	b := newBrowser(t, chromium)
	b.do("open the page", chromedp.Navigate(a.srv.URL+"/karta/#prioritering"))
	b.waitFor("Prioritering", `lagesbild.priority && lagesbild.priority.ready`)
	b.loginAs(reader)
	b.waitFor("the read-only note", `!!document.getElementById('prio-readonly') && !document.getElementById('prio-save-button')`)

	b.showView("plan")
	b.waitFor("the plans", `lagesbild.plan && lagesbild.plan.ready && !!document.getElementById('plan-list')`)
	if n := eval[int](b, `document.querySelectorAll('#plan-form, #dose-form, #plan-submit').length`); n != 0 {
		t.Errorf("a reader gets %d plan or dose forms", n)
	}
	if !eval[bool](b, `!!document.getElementById('plan-readonly')`) {
		t.Error("no note why there is no form")
	}
	for _, id := range ids {
		b.click("tick a plan", fmt.Sprintf("#plan-cmp-%d", id))
	}
	cols := eval[[]string](b, `[...document.querySelectorAll('#plan-compare thead th')].map(th => th.dataset.plan)`)
	if len(cols) != 2 || !strings.Contains(strings.Join(cols, ","), fmt.Sprint(ids[0])) || !strings.Contains(strings.Join(cols, ","), fmt.Sprint(ids[1])) {
		t.Errorf("comparison columns %v, want plans %v", cols, ids)
	}
	b.click("open plan A", fmt.Sprintf(`#plan-list button[data-plan="%d"]`, ids[0]))
	b.waitFor("plan A shown", fmt.Sprintf(`lagesbild.plan.ready && lagesbild.plan.plan && lagesbild.plan.plan.id === %d`, ids[0]))
	if n := eval[int](b, `document.querySelectorAll('#dose-form').length`); n != 0 {
		t.Error("a reader gets the dose form with a reopened plan")
	}
	axeClean(t, b, axe, "Insatsplan as a reader")
	if os.Getenv("UPDATE_SCREENSHOT") != "" {
		viewScreenshot(t, b, "insatsplan-planer.png", "#plan-list")
	}

	b.showView("insatser")
	b.waitFor("the register", `lagesbild.insatser && lagesbild.insatser.ready`)
	if vis := eval[bool](b, `(() => { const e = document.getElementById('iv-new'); return !!e && !e.hidden && e.offsetParent !== null; })()`); vis {
		t.Error("a reader is offered a new intervention")
	}
	// No view asked for something that ended in 403.
	if n := eval[int](b, `[...(lagesbild.notices?.values?.() ?? [])].filter(n => n.status === 403).length`); n != 0 {
		t.Errorf("%d refusals (403) for a reader", n)
	}
	noConsoleErrors(t, b)
}

// TestMimerOpensOnItsScenarioInBrowser: an organisation without a scenario of its own opens
// Prioritering on the built-in scenario of its perspective.
func TestMimerOpensOnItsScenarioInBrowser(t *testing.T) {
	chromium := requireTool(t, chromiumPath, "apt-get install chromium (make test does)")
	a, _ := newAuthAPI(t, auth.Config{Demo: true}) // Mimer of the demo load
	mimer := accountIn(t, "mimer", "housing", "reader")
	if n := count(t, `SELECT count(*) FROM priority_scenarios WHERE owner_org = 'mimer'`); n != 0 {
		t.Skipf("mimer has %d scenarios of its own", n)
	}
	b := newBrowser(t, chromium)
	b.do("open the page", chromedp.Navigate(a.srv.URL+"/karta/#prioritering"))
	b.waitLonger("Prioritering", `lagesbild.priority && lagesbild.priority.ready`, viewLimit) // its first answer, on a shared machine
	if v := eval[string](b, `document.getElementById('prio-scenario').value`); v == "mimer" {
		t.Fatal("anonymous already opens on Mimer's scenario: the test would prove nothing")
	}
	b.loginAs(mimer)
	b.waitFor("Mimer's scenario", `document.getElementById('prio-scenario').value === 'mimer' && lagesbild.priority.ready`)
}

// viewScreenshot writes the README's screenshot docs/name with the element sel scrolled into
// view in its panel; the page itself stays at its top, where the illustrative-data label is.
func viewScreenshot(t *testing.T, b *browser, name, sel string) {
	t.Helper()
	eval[bool](b, fmt.Sprintf(`(() => { document.querySelector(%q).scrollIntoView({block: 'start'});
		document.scrollingElement.scrollTop = 0; return true; })()`, sel))
	b.idle()
	saveScreenshot(t, b, name)
}
