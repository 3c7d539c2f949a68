package web_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/layerstest"
	"github.com/lagesbild/lagesbild/web/report"
)

// pdfText is the text of a PDF as poppler's pdftotext reads it (whitespace runs as one
// space), as a reader copying from the printout would get it.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatal("pdftotext is missing: .ci/deps.sh test installs poppler-utils")
	}
	path := filepath.Join(t.TempDir(), "report.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return asciiSpaces.ReplaceAllString(strings.TrimSpace(string(out)), " ")
}

// asciiSpaces are runs of the whitespace that lays text out; the thin space inside a figure
// (U+202F) is part of the figure.
var asciiSpaces = regexp.MustCompile(`[ \t\r\n\f]+`)

// visibleText is the text a reader sees in an HTML page (no style, script or attributes),
// whitespace runs as one space.
func visibleText(t *testing.T, page []byte) string {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	var visit func(n *html.Node)
	visit = func(n *html.Node) {
		if n.Type == html.ElementNode && (n.Data == "style" || n.Data == "script" || n.Data == "title") {
			return
		}
		if n.Type == html.TextNode {
			b.WriteString(n.Data + " ")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c)
		}
	}
	visit(doc)
	return asciiSpaces.ReplaceAllString(strings.TrimSpace(b.String()), " ")
}

var periodsRE = regexp.MustCompile(`Period: (\d{4}-\d\d-\d\d) – (\d{4}-\d\d-\d\d) \((\d+) (månader|dagar|månad|dag)\)\. ` +
	`Föregående period: (\d{4}-\d\d-\d\d) – (\d{4}-\d\d-\d\d) \((\d+) (månader|dagar|månad|dag)\)`)

// checkPeriods finds the report's two periods in text and checks that the previous one ends
// the day before the current one starts (adjacent, not overlapping) and is as long: as many
// calendar months for whole months, else as many days, and says so.
func checkPeriods(t *testing.T, text, wantFrom, wantTo string) {
	t.Helper()
	m := periodsRE.FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no periods in the report: %.400s", text)
	}
	day := func(s string) time.Time {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	from, to, prevFrom, prevTo := day(m[1]), day(m[2]), day(m[5]), day(m[6])
	if m[1] != wantFrom || m[2] != wantTo {
		t.Errorf("period %s – %s, want %s – %s", m[1], m[2], wantFrom, wantTo)
	}
	if !prevTo.AddDate(0, 0, 1).Equal(from) {
		t.Errorf("previous period %s – %s does not end the day before %s (overlap or gap)", m[5], m[6], m[1])
	}
	if m[3] != m[7] || m[4] != m[8] {
		t.Errorf("lengths %s %s and %s %s differ", m[3], m[4], m[7], m[8])
	}
	length := func(a, b time.Time) int { // b inclusive
		end := b.AddDate(0, 0, 1)
		if strings.HasPrefix(m[4], "mån") {
			return (end.Year()-a.Year())*12 + int(end.Month()-a.Month())
		}
		return int(end.Sub(a).Hours() / 24)
	}
	if n, p := length(from, to), length(prevFrom, prevTo); m[3] != strconv.Itoa(n) || n != p {
		t.Errorf("period %d and previous %d %s long, the report says %s", n, p, m[4], m[3])
	}
}

// TestReportPDFKeepsEveryColumn prints the report for 2024 and reads the PDF back with
// pdftotext: every category column's header and every district is there (on A4 the table
// used to stop at "litte…", five of ten categories gone), and the previous period is
// adjacent, as long and not overlapping (it used to read 2023-01-01 – 2024-01-01).
func TestReportPDFKeepsEveryColumn(t *testing.T) {
	a := newAPI(t)
	res, body := a.raw("GET", "/report?from=2024-01-01&to=2024-12-31&f=pdf", nil)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("status %d, %s: %.300s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	text := pdfText(t, body)
	rows, err := testDB.Pool.Query(context.Background(), `SELECT DISTINCT category FROM observations
		WHERE observed_at >= '2023-01-01' AND observed_at < '2025-01-01' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	var cats []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			t.Fatal(err)
		}
		cats = append(cats, c)
	}
	rows.Close()
	if len(cats) < 10 {
		t.Fatalf("%d categories in 2023–2024: the demo data no longer tests the width", len(cats))
	}
	for _, c := range cats {
		if h := report.Label("sv", c); !strings.Contains(text, h) {
			t.Errorf("column %q (%s) is missing from the PDF", h, c)
		}
	}
	for _, h := range []string{"Område", "Perioden", "Föregående", "Förändring"} {
		if !strings.Contains(text, h) {
			t.Errorf("column %q is missing from the PDF", h)
		}
	}
	names, err := testDB.Pool.Query(context.Background(), `SELECT name FROM districts WHERE level = 'district'`)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for names.Next() {
		var name string
		if err := names.Scan(&name); err != nil {
			t.Fatal(err)
		}
		n++
		if !strings.Contains(text, name) {
			t.Errorf("district %q is missing from the PDF", name)
		}
	}
	names.Close()
	if n == 0 {
		t.Fatal("no districts")
	}
	checkPeriods(t, text, "2024-01-01", "2024-12-31")
	checkNoticeInMargin(t, body, "Illustrativa demodata – inte officiell statistik.")
}

// TestReportPeriods checks the previous period in the HTML report for whole months, a leap
// year, days and a single day: adjacent, as long, not overlapping.
func TestReportPeriods(t *testing.T) {
	a := newAPI(t)
	for _, tc := range []struct{ from, to, prevFrom string }{
		{"2024-01-01", "2024-12-31", "2023-01-01"},
		{"2024-03-01", "2024-05-31", "2023-12-01"},
		{"2024-03-10", "2024-06-20", "2023-11-28"},
		{"2024-02-29", "2024-02-29", "2024-02-28"},
	} {
		res, body := a.raw("GET", "/report?from="+tc.from+"&to="+tc.to, nil)
		if res.StatusCode != 200 {
			t.Fatalf("%s – %s: %d %.300s", tc.from, tc.to, res.StatusCode, body)
		}
		text := visibleText(t, body)
		checkPeriods(t, text, tc.from, tc.to)
		if !strings.Contains(text, "Föregående period: "+tc.prevFrom+" – ") {
			t.Errorf("%s – %s: previous period does not start %s", tc.from, tc.to, tc.prevFrom)
		}
	}
}

// snakeKey is an API code such as drug_handling or vinna_slaget.
var snakeKey = regexp.MustCompile(`\b[a-z]+_[a-z_]+\b`)

// englishWords mark an English sentence; none of them is a Swedish word.
var englishWords = regexp.MustCompile(`\b(the|of|and|with|not|is|are|from|per cent|interventions?|observations per)\b`)

// checkSwedish fails on an API code, an English word or a decimal point in a Swedish page's
// text, and on a figure of four digits or more without its thin-space thousands separator.
func checkSwedish(t *testing.T, what, text string) {
	t.Helper()
	if k := snakeKey.FindAllString(text, 5); k != nil {
		t.Errorf("%s shows untranslated keys %q", what, k)
	}
	cat := layers.NewCatalogue()
	for _, l := range cat.Layers() {
		for _, p := range l.Properties {
			for _, v := range p.Enum {
				if report.HasLabel("sv", v) && !strings.Contains(report.Label("sv", v), v) &&
					regexp.MustCompile(`(^|[^\pL_])`+regexp.QuoteMeta(v)+`($|[^\pL_])`).MatchString(text) {
					t.Errorf("%s shows the code %q untranslated (%q)", what, v, report.Label("sv", v))
				}
			}
		}
	}
	if w := englishWords.FindAllString(text, 5); w != nil {
		t.Errorf("%s shows English in Swedish: %q", what, w)
	}
	if d := regexp.MustCompile(`\d\.\d`).FindAllString(text, 5); d != nil {
		t.Errorf("%s writes decimals with a point: %q", what, d)
	}
}

// TestReportSwedish: the Swedish report shows no API code (category, status, class …), no
// English and no decimal point; thousands are separated by a thin space; it says who made it
// (organisation and role) and on which data basis, which differs by clearance, and every
// section says its figures depend on it.
func TestReportSwedish(t *testing.T) {
	db := layerstest.Require(t, testDB)
	a := newAPI(t)
	_, body := a.raw("GET", "/report?from=2024-01-01&to=2024-12-31", nil)
	txt := visibleText(t, body)
	checkSwedish(t, "the report", txt)
	if i := strings.Index(txt, "Totalt"); i < 0 || !regexp.MustCompile(`^Totalt \d{1,3}\x{202f}\d{3} `).MatchString(txt[i:]) {
		t.Errorf("the total of 2024 is not written with a thin-space thousands separator: %.200s", txt[max(i, 0):])
	}
	if !strings.Contains(txt, "Framtagen av test-polis (test) (roll: administratör)") {
		t.Errorf("the report does not say who made it: %.600s", txt)
	}
	if !strings.Contains(txt, "Underlag: alla uppgifter, även polisens begränsade") {
		t.Errorf("the report does not state its data basis for the police: %.600s", txt)
	}
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	sections := 0
	walk(doc, func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "section" {
			sections++
			if !strings.Contains(text(n), "beror på behörighet") {
				t.Errorf("section %q does not say its figures depend on clearance", attr(n, "id"))
			}
		}
	})
	if sections < 6 {
		t.Errorf("%d sections", sections)
	}
	// A municipality reader's report states its own basis.
	h := http.Header{"Authorization": {"Bearer " + callerToken(t, db, "test-kommun", "municipality", "reader")}}
	res, body := a.raw("GET", "/report?from=2024-01-01&to=2024-12-31", h)
	if res.StatusCode != 200 {
		t.Fatalf("municipality reader: %d", res.StatusCode)
	}
	mt := visibleText(t, body)
	if !strings.Contains(mt, "Underlag: öppna och interna uppgifter, inte polisens begränsade") || !strings.Contains(mt, "(roll: läsare)") {
		t.Errorf("the municipality reader's report does not state its basis and role: %.600s", mt)
	}
	checkSwedish(t, "the municipality's report", mt)
}

// pdfWord is a word of a PDF page with its box, in points from the page's top left.
type pdfWord struct {
	page       int
	yMin, yMax float64
	text       string
}

// pdfWords are the words of every page of pdf as pdftotext -bbox reads them, with each
// page's height.
func pdfWords(t *testing.T, pdf []byte) (words []pdfWord, heights []float64) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "report.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", "-bbox", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext -bbox: %v", err)
	}
	for _, m := range bboxTag.FindAllStringSubmatch(string(out), -1) {
		if m[1] != "" { // <page height=…>
			h, _ := strconv.ParseFloat(m[1], 64)
			heights = append(heights, h)
			continue
		}
		y0, _ := strconv.ParseFloat(m[2], 64)
		y1, _ := strconv.ParseFloat(m[3], 64)
		words = append(words, pdfWord{page: len(heights) - 1, yMin: y0, yMax: y1, text: html.UnescapeString(m[4])})
	}
	return words, heights
}

var bboxTag = regexp.MustCompile(`<page width="[0-9.]+" height="([0-9.]+)">|<word xMin="[0-9.]+" yMin="([0-9.]+)" xMax="[0-9.]+" yMax="([0-9.]+)">([^<]*)</word>`)

// The illustrative notice runs in the foot margin of every page of the printed report, with
// the page number, and nothing of the report's own text reaches into that margin: it used to
// be a fixed element at the foot of the text area, printed over the last row of a full page.
func checkNoticeInMargin(t *testing.T, pdf []byte, notice string) {
	t.Helper()
	words, heights := pdfWords(t, pdf)
	if len(heights) < 2 {
		t.Fatalf("%d pages: the report no longer tests a page break", len(heights))
	}
	const footMargin = 18 / 25.4 * 72 // @page's bottom margin, 18 mm in points
	foot := make([]string, len(heights))
	for _, w := range words {
		if w.yMin >= heights[w.page]-footMargin {
			foot[w.page] += w.text + " "
		} else if w.yMax > heights[w.page]-footMargin {
			t.Errorf("page %d: %q reaches into the foot margin", w.page+1, w.text)
		}
	}
	for i, f := range foot {
		if !strings.Contains(f, notice) {
			t.Errorf("page %d: foot %q lacks the notice %q", i+1, f, notice)
		}
		if want := "Sida " + strconv.Itoa(i+1) + " av " + strconv.Itoa(len(heights)); !strings.Contains(f, want) {
			t.Errorf("page %d: foot %q lacks %q", i+1, f, want)
		}
	}
}
