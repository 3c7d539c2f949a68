package web_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/lagesbild/lagesbild/web/auth"
)

// A notice belongs to its view (issue 14, point 4): the refusal of the deployment planning is
// Insatsplan's and must not follow an anonymous user into Karta and Insatser; the register's
// "22 insatser visas." is Insatser's status line, not Insatsplan's.

// viewNotices are the access notices and the status line the page shows.
type viewNotices struct {
	Hidden bool     `json:"hidden"`
	What   []string `json:"what"`
	Status string   `json:"status"`
}

func (b *browser) notices() viewNotices {
	b.t.Helper()
	return eval[viewNotices](b, `({hidden: document.getElementById('access-notice').hidden,
		what: [...document.querySelectorAll('#access-notice li')].map(li => li.dataset.what),
		status: document.getElementById('status').textContent})`)
}

// switchView goes to view v through the address, as the tab bar's links do, once the
// address has caught up with the view before (it is written 150 ms after a change, and a
// late write would take the page back).
func (b *browser) switchView(v string) {
	b.t.Helper()
	eval[bool](b, `new Promise(r => setTimeout(() => r(true), 400))`)
	b.waitFor("the address written", `!lagesbild.address || location.hash === lagesbild.address.written`)
	eval[bool](b, fmt.Sprintf(`(() => { location.hash = %q; return true; })()`, v))
	b.waitFor("the view "+v, fmt.Sprintf(`document.body.dataset.view === %q`, v))
}

func TestNoticesBelongToTheirViewInBrowser(t *testing.T) {
	chromium := requireTool(t, chromiumPath, "apt-get install chromium (make test does)")
	requireTool(t, axePath, "cd web/page && npm ci (make test does)")

	t.Run("anonymous", func(t *testing.T) {
		a, _ := newAuthAPI(t, auth.Config{})
		b := newBrowser(t, chromium)
		b.do("open Insatsplan", chromedp.Navigate(a.srv.URL+"/karta/#plan"))
		b.waitLonger("the refusal of the deployment planning",
			`!!document.querySelector('#access-notice li[data-status="401"][data-what="deployment"]')`, viewLimit)
		for _, v := range []string{"karta", "insatser"} {
			b.switchView(v)
			b.waitLonger("the view "+v, map[string]string{"insatser": `lagesbild.insatser && lagesbild.insatser.ready`, "karta": `lagesbild.ready`}[v], viewLimit)
			if n := b.notices(); strings.Contains(strings.Join(n.What, " "), "deployment") {
				t.Errorf("%s shows Insatsplan's notice: %+v (%q)", v, n,
					eval[string](b, `document.getElementById('access-notice').textContent`))
			}
		}
		b.switchView("plan")
		if n := b.notices(); n.Hidden || !strings.Contains(strings.Join(n.What, " "), "deployment") {
			t.Errorf("back in Insatsplan: notices %+v, want the deployment refusal again", n)
		}
		noConsoleErrorsBut(t, b, func(line string) bool { return strings.Contains(line, "401") })
	})

	t.Run("status line", func(t *testing.T) {
		_, b, _ := openView(t, "insatser")
		b.waitLonger("the register's status", `lagesbild.insatser && lagesbild.insatser.ready && /insatser visas/.test(document.getElementById('status').textContent)`, viewLimit)
		b.switchView("plan")
		b.waitLonger("the plan", `lagesbild.plan && lagesbild.plan.ready`, viewLimit)
		if n := b.notices(); strings.Contains(n.Status, "insatser visas") {
			t.Errorf("Insatsplan's status line says %q, Insatser's message", n.Status)
		}
		b.switchView("karta")
		b.waitLonger("the map", `lagesbild.ready`, viewLimit)
		if n := b.notices(); strings.Contains(n.Status, "insatser visas") || strings.Contains(n.Status, "mål visas") {
			t.Errorf("Karta's status line says %q, another view's message", n.Status)
		}
		b.switchView("insatser")
		if n := b.notices(); !strings.Contains(n.Status, "insatser visas") {
			t.Errorf("back in Insatser: status %q, want its own message again", n.Status)
		}
		noConsoleErrors(t, b)
	})
}
