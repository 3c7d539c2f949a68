package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/lagesbild/lagesbild/web/auth"
)

// The browser test of logging in and out through the page (issue 7): the header's login
// button, the dialog's refusals (wrong password, then the rate limit's 429 with its wait), a
// refused read shown as a notice with its own login button, the header after login (account,
// organisation, role), every view asking again (the observation tiles reloaded, the
// Prioritering view's POSTs carrying the CSRF token), and logout (which itself needs the
// token), with axe-core on the dialog and on the logged-in header.

// headerState is what the header's account area shows.
type headerState struct {
	LoginButton bool   `json:"login"`
	User        string `json:"user"`
	Org         string `json:"org"`
	Role        string `json:"role"`
	Logout      bool   `json:"logout"`
}

func (b *browser) header() headerState {
	b.t.Helper()
	return eval[headerState](b, `({login: !!document.getElementById('login-open'),
		user: document.getElementById('account-user')?.textContent ?? '',
		org: document.getElementById('account-org')?.textContent ?? '',
		role: document.getElementById('account-role')?.textContent ?? '',
		logout: !!document.getElementById('logout')})`)
}

// submitLogin fills the open login dialog and submits it, waiting for the answer.
func (b *browser) submitLogin(user, password string) {
	b.t.Helper()
	b.waitFor("the login dialog", `document.getElementById('login-dialog').open`)
	eval[bool](b, fmt.Sprintf(`(() => { const f = document.getElementById('login-form');
		f.elements.username.value = %q; f.elements.password.value = %q; return true; })()`, user, password))
	b.click("submit the login", "#login-submit")
	b.waitFor("the login answer", `!lagesbild.account.busy`)
}

// loginError is the dialog's message and the fields marked invalid.
func (b *browser) loginError() (string, []string) {
	b.t.Helper()
	type res struct {
		Msg     string   `json:"msg"`
		Invalid []string `json:"invalid"`
	}
	r := eval[res](b, `({msg: document.getElementById('login-error').hidden ? '' : document.getElementById('login-error').textContent,
		invalid: [...document.querySelectorAll('#login-form [aria-invalid="true"]')].map(e => e.name)})`)
	return r.Msg, r.Invalid
}

// obsPoints are the observation points drawn (distinct feature ids).
func (b *browser) obsPoints() int {
	b.t.Helper()
	return eval[int](b, `new Set(lagesbild.map.queryRenderedFeatures({layers: ['obs-points']}).map(f => f.id)).size`)
}

// matched is numberMatched of an items request with client (0 when refused: 401 or 403).
func matched(t *testing.T, client *http.Client, u string) int {
	t.Helper()
	res, err := client.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode == 401 || res.StatusCode == 403 {
		return 0
	}
	var fc struct {
		NumberMatched int `json:"numberMatched"`
	}
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %d", u, res.StatusCode)
	}
	if err := json.NewDecoder(res.Body).Decode(&fc); err != nil {
		t.Fatal(err)
	}
	return fc.NumberMatched
}

func TestLoginInBrowser(t *testing.T) {
	chromium := requireTool(t, chromiumPath, "apt-get install chromium (make test does)")
	axeFile := requireTool(t, axePath, "cd web/page && npm ci (make test does)")
	axe, err := os.ReadFile(axeFile)
	if err != nil {
		t.Fatal(err)
	}
	a, clock := newAuthAPI(t, auth.Config{PairFailures: 2, LoginBackoffBase: 15 * time.Minute})
	acc := newAccount(t, "police", "editor")
	b := newBrowser(t, chromium)
	start := time.Now()
	b.do("open the page", chromedp.Navigate(a.srv.URL+"/karta/"))
	b.waitReady("overcrowding", 0)

	// Anonymous: a login button, no account.
	if h := b.header(); !h.LoginButton || h.User != "" || h.Logout {
		t.Fatalf("anonymous header %+v, want only the login button", h)
	}

	// Zoomed in where observations are, in the page's time window: points as anonymous.
	var lon, lat float64
	if err := testDB.Pool.QueryRow(context.Background(), `
		SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_Transform(ST_Centroid(ST_Collect(geom)), 4326) AS p
		FROM (SELECT geom FROM observations ORDER BY observed_at DESC LIMIT 50) o) c`).Scan(&lon, &lat); err != nil {
		t.Fatal(err)
	}
	eval[bool](b, fmt.Sprintf(`(() => { lagesbild.map.jumpTo({center: [%f, %f], zoom: 14}); return true; })()`, lon, lat))
	b.idle()
	anonPage := b.obsPoints()
	type viewport struct {
		W, S, E, N float64
		Datetime   string
	}
	vp := eval[viewport](b, `(() => { const b = lagesbild.map.getBounds();
		return {W: b.getWest(), S: b.getSouth(), E: b.getEast(), N: b.getNorth(), Datetime: lagesbild.state.datetime}; })()`)
	itemsURL := fmt.Sprintf("%s/collections/observations/items?limit=1&numberMatched=true&bbox=%f,%f,%f,%f&datetime=%s",
		a.srv.URL, vp.W, vp.S, vp.E, vp.N, url.QueryEscape(vp.Datetime))
	anonAPI := matched(t, a.srv.Client(), itemsURL)

	// A read the API refuses anonymously: a notice with its own login button, not an error.
	// The error carries the status; its message is the problem's detail in the page's language.
	msg := eval[string](b, `lagesbild.api.getJSON('audit').then(() => 'answered', e => e.status + ' ' + e.message)`)
	if !strings.HasPrefix(msg, "401 ") || !strings.Contains(msg, "logga in") {
		t.Fatalf("anonymous GET /audit from the page: %q, want a 401 saying in Swedish to log in", msg)
	}
	b.waitFor("the notice", `!document.getElementById('access-notice').hidden`)
	if got := eval[string](b, `document.querySelector('#access-notice li[data-status="401"][data-what="audit"]')?.textContent ?? ''`); got != "Logga in för att se granskningsloggen." {
		t.Errorf("notice %q, want Logga in för att se granskningsloggen.", got)
	}

	// The dialog, opened from the notice: axe-core on it, then a wrong password, twice, and the limit.
	b.click("the notice's login button", "#access-notice button")
	b.waitFor("the login dialog", `document.getElementById('login-dialog').open && document.activeElement.id === 'login-username'`)
	axeClean(t, b, axe, "login dialog")
	b.submitLogin(acc.user, "wrong password here")
	if m, inv := b.loginError(); m != "Fel användarnamn eller lösenord." || len(inv) != 2 {
		t.Errorf("wrong password: message %q, invalid fields %v", m, inv)
	}
	b.submitLogin("", "x")
	if m, inv := b.loginError(); m != "Fyll i användarnamn." || len(inv) != 1 || inv[0] != "username" {
		t.Errorf("no user name: message %q, invalid fields %v", m, inv)
	}
	b.submitLogin(acc.user, "another wrong one")
	b.submitLogin(acc.user, acc.password)
	if m, _ := b.loginError(); m != "För många misslyckade inloggningar. Försök igen om 15 min." {
		t.Errorf("third attempt: message %q, want the 429 with its 15 min wait", m)
	}
	if h := b.header(); !h.LoginButton {
		t.Errorf("refused logins changed the header: %+v", h)
	}

	// The window passes; the right password logs in.
	clock.Add(16 * time.Minute)
	eval[bool](b, `(() => { lagesbild.tileLoads = 0; lagesbild.map.on('data', e => {
		if (e.dataType === 'source' && e.tile && e.sourceId === 'observations') lagesbild.tileLoads++; }); return true; })()`)
	b.submitLogin(acc.user, acc.password)
	b.waitFor("the header after login", `!!document.getElementById('logout')`)
	h := b.header()
	// The organisation by its name (newAccount names it "Test <code>"), as /auth/me gives it.
	if h.User != acc.user || h.Org != "Test "+acc.org || h.Role != "redaktör" || h.LoginButton {
		t.Errorf("header after login %+v, want %s, Test %s, redaktör", h, acc.user, acc.org)
	}
	if open := eval[bool](b, `document.getElementById('login-dialog').open`); open {
		t.Error("the dialog is still open after the login")
	}
	if n := eval[int](b, `document.querySelectorAll('#access-notice li').length`); n != 0 {
		t.Errorf("%d notices after login, want them cleared", n)
	}
	b.waitReady("overcrowding", 0)
	b.idle()
	if n := eval[int](b, `lagesbild.tileLoads`); n == 0 {
		t.Error("no observation tile loaded again after the login")
	}
	userPage := b.obsPoints()
	client := loggedIn(t, a, acc)
	userAPI := matched(t, client, itemsURL)
	t.Logf("observations in view: anonymous %d drawn (API %d), logged in %d drawn (API %d)", anonPage, anonAPI, userPage, userAPI)
	if userPage == 0 || userAPI == 0 {
		t.Errorf("logged in as police: %d points drawn, API %d; want some", userPage, userAPI)
	}
	if (anonAPI < userAPI) != (anonPage < userPage) || (anonAPI == userAPI) != (anonPage == userPage) {
		t.Errorf("the page does not follow the API: anonymous %d and logged in %d points drawn, API %d and %d",
			anonPage, userPage, anonAPI, userAPI)
	}

	// A view of POSTs (the analysis) works on the cookie: the CSRF token goes with them.
	eval[bool](b, `(() => { location.hash = 'prioritering'; return true; })()`)
	b.waitFor("the priority view", `lagesbild.priority && lagesbild.priority.ready && !lagesbild.priority.error`)
	if n := eval[int](b, `document.querySelectorAll('#access-notice li').length`); n != 0 {
		t.Errorf("notices in Prioritering when logged in: %q", eval[string](b, `document.getElementById('access-notice').textContent`))
	}
	axeClean(t, b, axe, "logged-in header")

	// A read the account may not make (the audit log is the admins'): the 403 notice.
	if msg := eval[string](b, `lagesbild.api.getJSON('audit').then(() => 'answered', e => e.status + ' ' + e.message)`); !strings.HasPrefix(msg, "403 ") || !strings.Contains(msg, "behörighet") {
		t.Errorf("an editor's GET /audit from the page: %q, want a 403 saying in Swedish the organisation may not", msg)
	}
	b.waitFor("the 403 notice", `!!document.querySelector('#access-notice li[data-status="403"][data-what="audit"]')`)
	if got := eval[string](b, `document.querySelector('#access-notice li[data-status="403"]').textContent`); got != "Din organisation har inte behörighet att se granskningsloggen." {
		t.Errorf("403 notice %q", got)
	}
	if eval[bool](b, `!!document.querySelector('#access-notice button')`) {
		t.Error("a login button in the notice while logged in")
	}

	// English: the role in English.
	b.do("switch language", chromedp.Click(chromedp.ID("lang-toggle")))
	if h := b.header(); h.Role != "editor" {
		t.Errorf("role in English %q, want editor", h.Role)
	}
	b.do("switch language back", chromedp.Click(chromedp.ID("lang-toggle")))

	// Logout (a POST on the cookie: refused without the CSRF token) ends the session.
	b.click("log out", "#logout")
	b.waitFor("the header after logout", `!!document.getElementById('login-open')`)
	if n := count(t, `SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username = $1`, acc.user); n != 1 {
		t.Errorf("%d sessions of %s after the page's logout, want 1 (the test's own)", n, acc.user)
	}
	me := eval[string](b, `lagesbild.api.getJSON('auth/me').then(m => m.credential)`)
	if me != "anonymous" {
		t.Errorf("after logout /auth/me says %q", me)
	}
	refusalsOnly(t, b)
	t.Logf("login test took %v", time.Since(start).Round(time.Millisecond))
}

// loggedIn is an HTTP client with a session of acc on a's server (its cookie in a jar), to
// ask the API what the logged-in page should show.
func loggedIn(t *testing.T, a *api, acc account) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	res, err := client.Post(a.srv.URL+"/auth/login", "application/json",
		strings.NewReader(jsonBody(map[string]string{"username": acc.user, "password": acc.password})))
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("login from the test: %v %v", res, err)
	}
	res.Body.Close()
	return client
}

// refusalsOnly is noConsoleErrors except for Chromium's own line about each refused request
// (400, 401, 403, 413, 415, 429): the page shows those as notices and form messages, which the test checks.
func refusalsOnly(t *testing.T, b *browser) {
	t.Helper()
	noConsoleErrorsBut(t, b, refusal.MatchString)
}

var refusal = regexp.MustCompile(`^error: Failed to load resource: the server responded with a status of (400|401|403|413|415|429) `)
