package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/lagesbild/lagesbild/web/auth"
)

// The browser test of partner overlays (issue 7): a housing company's editor logs in through
// the page, uploads a small GeoJSON through the form (a refused file first: the message names
// the feature, as the API's answer does), sees the report (features, the repaired bow-tie's
// number), the layer listed and drawn (every feature of the file rendered, in the layer's
// colour), a feature's properties in a popup, and the table per district against the API's own
// summary; axe-core on the panel with the forms.

// partnerFile is a GeoJSON of three points with dwellings and one self-intersecting polygon
// (a bow-tie, which the upload repairs), around interior points of four districts.
func partnerFile(ds []district) (string, []float64) {
	dwellings := []float64{120, 80, 40, 60}
	var fs []string
	for i, d := range ds[:3] {
		fs = append(fs, fmt.Sprintf(`{"type":"Feature","properties":{"name":"Hus %d","dwellings":%g},"geometry":{"type":"Point","coordinates":[%f,%f]}}`,
			i+1, dwellings[i], d.Lon, d.Lat))
	}
	x, y, e := ds[3].Lon, ds[3].Lat, 0.002
	fs = append(fs, fmt.Sprintf(`{"type":"Feature","properties":{"name":"Kvarter","dwellings":%g},"geometry":{"type":"Polygon","coordinates":[[[%f,%f],[%f,%f],[%f,%f],[%f,%f],[%f,%f]]]}}`,
		dwellings[3], x-e, y-e, x+e, y+e, x+e, y-e, x-e, y+e, x-e, y-e))
	return `{"type":"FeatureCollection","features":[` + strings.Join(fs, ",") + `]}`, dwellings
}

// chooseFile puts text into the upload form's file input as a file named name.
func (b *browser) chooseFile(name, text string) {
	b.t.Helper()
	eval[bool](b, fmt.Sprintf(`(() => { const dt = new DataTransfer(); dt.items.add(new File([%q], %q));
		document.getElementById('upload-file').files = dt.files; return true; })()`, text, name))
}

func TestPartnerLayersInBrowser(t *testing.T) {
	chromium := requireTool(t, chromiumPath, "apt-get install chromium (make test does)")
	axeFile := requireTool(t, axePath, "cd web/page && npm ci (make test does)")
	axe, err := os.ReadFile(axeFile)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := newAuthAPI(t, auth.Config{})
	acc := newAccount(t, "housing", "editor")
	other := newAccount(t, "municipality", "reader")
	t.Cleanup(func() {
		if _, err := testDB.Pool.Exec(context.Background(), `DELETE FROM partner_layers WHERE owner = $1`, acc.org); err != nil {
			t.Errorf("clean up partner layers: %v", err)
		}
	})
	ds := districtsWithPoints(t)
	file, dwellings := partnerFile(ds)
	layerID := "hus-" + strings.ReplaceAll(acc.org, "org", "")
	layerID = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '-'
	}, layerID)

	b := newBrowser(t, chromium)
	start := time.Now()
	b.do("open the page", chromedp.Navigate(a.srv.URL+"/karta/"))
	b.waitReady("overcrowding", 0)
	if hint := eval[string](b, `document.getElementById('partner-hint')?.textContent ?? ''`); hint != "Logga in för att se de partnerlager som delats med din organisation." {
		t.Errorf("anonymous partner panel says %q", hint)
	}
	b.click("log in", "#login-open")
	b.submitLogin(acc.user, acc.password)
	b.waitFor("the partner panel after login", `lagesbild.partners.ready && !!document.getElementById('upload-form')`)

	// A file with a broken feature: refused, the message at the file field naming feature 2.
	bad := `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[16.5,59.6]}},{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":"x"}}]}`
	b.setValue("upload-id", layerID)
	b.setValue("upload-title", "Hus i test")
	b.setValue("upload-share", other.org)
	b.chooseFile("bad.geojson", bad)
	b.click("upload the bad file", "#upload-submit")
	b.waitFor("the refusal", `!!lagesbild.partners.error`)
	var refusal struct {
		Status int    `json:"status"`
		Param  string `json:"param"`
		Detail string `json:"detail"`
	}
	refusal = eval[struct {
		Status int    `json:"status"`
		Param  string `json:"param"`
		Detail string `json:"detail"`
	}](b, `lagesbild.partners.error`)
	shown := eval[string](b, `document.getElementById('upload-file-error').hidden ? '' : document.getElementById('upload-file-error').textContent`)
	invalid := eval[bool](b, `document.getElementById('upload-file').getAttribute('aria-invalid') === 'true'`)
	if focused := eval[string](b, `document.activeElement?.id ?? ''`); focused != "upload-file" {
		t.Errorf("after the refusal the focus is on %q, want the file field", focused)
	}
	if refusal.Status != 400 || refusal.Param != "feature" || !strings.Contains(refusal.Detail, "feature 2") ||
		shown != "Filen togs inte emot: objekt 2 i filen kunde inte läsas" || !invalid {
		t.Errorf("bad file: answer %+v, shown %q (aria-invalid: %v)", refusal, shown, invalid)
	}
	if n := count(t, `SELECT count(*) FROM partner_layers WHERE id = $1`, layerID); n != 0 {
		t.Errorf("a refused upload left %d layers", n)
	}
	axeClean(t, b, axe, "partner panel with a refused upload")

	// The good file: the report, the layer listed, switched on and drawn.
	b.chooseFile("hus.geojson", file)
	b.click("upload the file", "#upload-submit")
	b.waitFor("the upload report", `!!lagesbild.partners.report && lagesbild.partners.layers.includes(`+jsString(layerID)+`)`)
	type report struct {
		Features int    `json:"features"`
		Repaired []int  `json:"repaired"`
		CRS      string `json:"crs"`
	}
	rep := eval[report](b, `lagesbild.partners.report`)
	if rep.Features != 4 || !slices.Equal(rep.Repaired, []int{4}) {
		t.Errorf("upload report %+v, want 4 features with number 4 repaired", rep)
	}
	if got := eval[string](b, `document.getElementById('upload-repaired')?.textContent ?? ''`); got != "Lagade geometrier: objekt 4." {
		t.Errorf("report says %q", got)
	}
	label := eval[string](b, fmt.Sprintf(`document.querySelector('label[for="partner-toggle-%s"]')?.textContent ?? ''`, layerID))
	checked := eval[bool](b, fmt.Sprintf(`document.getElementById('partner-toggle-%s').checked`, layerID))
	if label != "Hus i test" || !checked {
		t.Errorf("layer listed as %q, switched on %v", label, checked)
	}

	// Every feature of the file drawn (zoomed to them), the points in the layer's colour.
	eval[bool](b, fmt.Sprintf(`(() => { const xs = %s, ys = %s;
		lagesbild.map.fitBounds([[Math.min(...xs), Math.min(...ys)], [Math.max(...xs), Math.max(...ys)]], {padding: 60, duration: 0}); return true; })()`,
		jsFloats([]float64{ds[0].Lon, ds[1].Lon, ds[2].Lon, ds[3].Lon}), jsFloats([]float64{ds[0].Lat, ds[1].Lat, ds[2].Lat, ds[3].Lat})))
	b.idle()
	layers := fmt.Sprintf(`['partner-%[1]s-fill', 'partner-%[1]s-line', 'partner-%[1]s-circle']`, layerID)
	drawn := eval[[]int](b, `[...new Set(lagesbild.map.queryRenderedFeatures({layers: `+layers+`}).map(f => f.id))].sort()`)
	if !slices.Equal(drawn, []int{1, 2, 3, 4}) {
		t.Errorf("features drawn %v, want the file's 1–4", drawn)
	}
	colour := eval[string](b, fmt.Sprintf(`lagesbild.map.getPaintProperty('partner-%s-circle', 'circle-color')`, layerID))
	swatchColour := eval[string](b, fmt.Sprintf(`document.getElementById('partner-toggle-%s').parentElement.querySelector('.swatch').style.background`, layerID))
	if colour == "" || !strings.Contains(swatchColour, fmt.Sprint(hexRGB(colour)[0])) {
		t.Errorf("layer colour %q, legend swatch %q", colour, swatchColour)
	}

	// A click on the first point: its properties in a popup.
	p := eval[point](b, fmt.Sprintf(`(() => { const r = document.getElementById('map').getBoundingClientRect();
		const p = lagesbild.map.project([%f, %f]); return {x: r.left + p.x, y: r.top + p.y}; })()`, ds[0].Lon, ds[0].Lat))
	b.do("click the first point", chromedp.MouseClickXY(p.X, p.Y))
	b.waitFor("the popup", `!!document.querySelector('.maplibregl-popup .partner-popup')`)
	popup := eval[string](b, `document.querySelector('.maplibregl-popup .partner-popup').textContent`)
	if !strings.Contains(popup, "Hus 1") || !strings.Contains(popup, "dwellings120") {
		t.Errorf("popup %q, want Hus 1 with dwellings 120", popup)
	}

	// The table per district: the sum of dwellings as a share of the dwellings indicator, as the API says.
	b.setValue("summary-layer", layerID)
	b.setValue("summary-property", "dwellings")
	b.setValue("summary-total", "dwellings")
	b.click("show the summary", "#summary-submit")
	b.waitFor("the summary table", `!!document.getElementById('summary-table')`)
	type row struct {
		Code  string   `json:"code"`
		Cells []string `json:"cells"`
	}
	rows := eval[[]row](b, `[...document.querySelectorAll('#summary-table tbody tr')].map(tr => ({code: tr.dataset.code, cells: [...tr.children].map(c => c.textContent)}))`)
	client := loggedIn(t, a, acc)
	res, err := client.Get(a.srv.URL + "/partners/layers/" + layerID + "/districts?property=dwellings&total=dwellings")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	var sum struct {
		Districts []struct {
			Code     string   `json:"code"`
			Name     string   `json:"name"`
			Features int      `json:"features"`
			Sum      *float64 `json:"sum"`
			Share    *float64 `json:"share"`
		} `json:"districts"`
	}
	if res.StatusCode != 200 || json.Unmarshal(body, &sum) != nil {
		t.Fatalf("summary from the API: %d %s", res.StatusCode, body)
	}
	if len(rows) != len(sum.Districts) || len(rows) == 0 {
		t.Fatalf("table has %d rows, the API %d districts", len(rows), len(sum.Districts))
	}
	var total float64
	for i, d := range sum.Districts {
		r := rows[i]
		want := []string{d.Name, fmt.Sprint(d.Features), svNum(*d.Sum, 2)}
		if r.Code != d.Code || len(r.Cells) != 5 || !slices.Equal(r.Cells[:3], want) {
			t.Errorf("row %d: %s %q, want %s %q", i, r.Code, r.Cells, d.Code, want)
			continue
		}
		if d.Share != nil && r.Cells[4] != svNum(*d.Share*100, 1)+" %" {
			t.Errorf("%s: share %q, want %s %%", d.Name, r.Cells[4], svNum(*d.Share*100, 1))
		}
		total += *d.Sum
	}
	var all float64
	for _, v := range dwellings {
		all += v
	}
	if total < all-0.5 || total > all+0.5 {
		t.Errorf("the summary's sums add to %g, the file's dwellings to %g", total, all)
	}
	if href := eval[string](b, `document.getElementById('summary-csv').href`); !strings.Contains(href, "f=csv") {
		t.Errorf("CSV link %q", href)
	}
	axeClean(t, b, axe, "partner panel with the summary")

	// Shared as asked; and after logout the overlay and the panel go.
	var listed struct {
		Layers []struct {
			ID         string   `json:"id"`
			SharedWith []string `json:"shared_with"`
		} `json:"layers"`
	}
	res, err = client.Get(a.srv.URL + "/partners/layers")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.NewDecoder(res.Body).Decode(&listed); err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if i := slices.IndexFunc(listed.Layers, func(l struct {
		ID         string   `json:"id"`
		SharedWith []string `json:"shared_with"`
	}) bool {
		return l.ID == layerID
	}); i < 0 || !slices.Equal(listed.Layers[i].SharedWith, []string{other.org}) {
		t.Errorf("layers listed by the API: %+v, want %s shared with %s", listed.Layers, layerID, other.org)
	}
	b.click("log out", "#logout")
	b.waitFor("the panel after logout", `!!document.getElementById('partner-hint') && !document.getElementById('upload-form')`)
	if n := eval[int](b, fmt.Sprintf(`lagesbild.map.getStyle().layers.filter(l => l.id.startsWith('partner-%s')).length`, layerID)); n != 0 {
		t.Errorf("%d overlay layers left on the map after logout", n)
	}
	b.idle()
	if n := eval[int](b, `document.querySelectorAll('#access-notice li[data-what="partners"]').length`); n != 0 {
		t.Errorf("after logout the page asked for partner tiles anyway (%d notices)", n)
	}
	refusalsOnly(t, b)
	t.Logf("partner test took %v", time.Since(start).Round(time.Millisecond))
}

func jsString(s string) string { b, _ := json.Marshal(s); return string(b) }

func jsFloats(fs []float64) string { b, _ := json.Marshal(fs); return string(b) }
