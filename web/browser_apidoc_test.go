package web_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestAPIBrowserInChromium: /api?f=html shows the API document in Redoc, served from the
// binary under the page's CSP (a refused script or style is a console error): every
// operation of the document has its section.
func TestAPIBrowserInChromium(t *testing.T) {
	chromium := requireTool(t, chromiumPath, "apt-get install chromium (make test does)")
	a := newAPI(t)
	var doc struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	a.getJSON("/api", 200, &doc)
	ops := 0
	for _, item := range doc.Paths {
		for m := range item {
			if m != "parameters" {
				ops++
			}
		}
	}
	b := newBrowser(t, chromium)
	b.do("open the API browser", chromedp.Navigate(a.srv.URL+"/api?f=html"))
	got := eval[int](b, `new Promise(resolve => {
		const t0 = Date.now();
		(function poll() {
			const n = document.querySelectorAll('[data-section-id^="operation/"]').length;
			if (n >= `+strconv.Itoa(ops)+` || Date.now() - t0 > 15000) return resolve(n);
			setTimeout(poll, 200);
		})();
	})`)
	if got < ops {
		t.Errorf("Redoc shows %d operations, the document has %d (console errors: %q)", got, ops, b.consoleErrors())
	}
	if title := eval[string](b, `document.title`); !strings.Contains(title, "Lägesbild") {
		t.Errorf("title %q", title)
	}
	if errs := b.consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors: %q", errs)
	}
}
