package web_test

import (
	"bytes"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// voidElements have no end tag in HTML.
var voidElements = []string{"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

// checkBalanced tokenizes the document and fails on an end tag that does not close the open
// element, or on elements left open: the report is written with every element closed, SVG
// included, so the browser's error recovery never has to guess.
func checkBalanced(t *testing.T, doc []byte) {
	t.Helper()
	z := html.NewTokenizer(bytes.NewReader(doc))
	var stack []string
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if z.Err() != io.EOF {
				t.Fatalf("tokenizer: %v", z.Err())
			}
			if len(stack) > 0 {
				t.Errorf("elements left open: %v", stack)
			}
			return
		case html.StartTagToken:
			name, _ := z.TagName()
			if !slices.Contains(voidElements, string(name)) {
				stack = append(stack, string(name))
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			if len(stack) == 0 || stack[len(stack)-1] != string(name) {
				t.Fatalf("</%s> closes %v", name, stack)
			}
			stack = stack[:len(stack)-1]
		}
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func walk(n *html.Node, f func(*html.Node)) {
	f(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, f)
	}
}

func text(n *html.Node) string {
	var b strings.Builder
	walk(n, func(m *html.Node) {
		if m.Type == html.TextNode {
			b.WriteString(m.Data)
		}
	})
	return strings.TrimSpace(b.String())
}

func TestReport(t *testing.T) {
	a := newAPI(t)
	res, body := a.raw("GET", "/report?from=2024-01-01&to=2024-12-31", nil)
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("status %d, %s: %.300s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	checkBalanced(t, body)
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]*html.Node{}
	var svgs []*html.Node
	walk(doc, func(n *html.Node) {
		if n.Type != html.ElementNode {
			return
		}
		if id := attr(n, "id"); id != "" {
			if ids[id] != nil {
				t.Errorf("duplicate id %q", id)
			}
			ids[id] = n
		}
		if n.DataAtom == atom.Svg || n.Data == "svg" {
			svgs = append(svgs, n)
		}
	})
	const notice = "Illustrativa demodata"
	for _, sec := range []string{"lagesbild", "kartor", "jamforelse", "brannpunkter", "handlingsplan", "uppfoljning"} {
		n := ids[sec]
		if n == nil || n.Data != "section" {
			t.Errorf("no section %q", sec)
			continue
		}
		if !strings.Contains(text(n), notice) {
			t.Errorf("section %q lacks the illustrative notice", sec)
		}
	}

	// Every map: one path per district, each district once.
	districts := count(t, `SELECT count(*) FROM districts WHERE level = 'district'`)
	if len(svgs) != 2 {
		t.Fatalf("%d SVG maps, want 2", len(svgs))
	}
	for k, svg := range svgs {
		codes := map[string]int{}
		cells := 0
		walk(svg, func(n *html.Node) {
			if n.Type == html.ElementNode && n.Data == "path" {
				switch {
				case attr(n, "class") == "district":
					codes[attr(n, "data-code")]++
				case strings.HasPrefix(attr(n, "class"), "cell "):
					cells++
				}
			}
		})
		if int64(len(codes)) != districts {
			t.Errorf("map %d: %d district paths, want %d", k, len(codes), districts)
		}
		for c, n := range codes {
			if n != 1 {
				t.Errorf("map %d: district %s drawn %d times", k, c, n)
			}
		}
		if k == 1 && cells == 0 {
			t.Error("the hot spot map has no significant cells")
		}
	}

	// The observations table matches SQL, district by district.
	table := ids["observations-by-district"]
	if table == nil {
		t.Fatal("no observations table")
	}
	rows := 0
	walk(table, func(n *html.Node) {
		if n.Type != html.ElementNode || n.Data != "tr" || attr(n, "data-code") == "" {
			return
		}
		code := attr(n, "data-code")
		var cur, prev int64 = -1, -1
		walk(n, func(c *html.Node) {
			if c.Type == html.ElementNode {
				switch attr(c, "data-col") {
				case "current":
					cur, _ = strconv.ParseInt(strings.ReplaceAll(text(c), "\u202f", ""), 10, 64)
				case "previous":
					prev, _ = strconv.ParseInt(strings.ReplaceAll(text(c), "\u202f", ""), 10, 64)
				}
			}
		})
		var wantCur, wantPrev int64
		if code == "total" {
			wantCur = count(t, `SELECT count(*) FROM observations o JOIN districts d ON d.level = 'district' AND ST_Intersects(d.geom, o.geom)
				WHERE o.observed_at >= '2024-01-01' AND o.observed_at < '2025-01-01'`)
			wantPrev = count(t, `SELECT count(*) FROM observations o JOIN districts d ON d.level = 'district' AND ST_Intersects(d.geom, o.geom)
				WHERE o.observed_at >= '2023-01-01' AND o.observed_at < '2024-01-01'`)
		} else {
			rows++
			wantCur = count(t, `SELECT count(*) FROM observations o JOIN districts d ON d.code = $1 AND ST_Intersects(d.geom, o.geom)
				WHERE o.observed_at >= '2024-01-01' AND o.observed_at < '2025-01-01'`, code)
			wantPrev = count(t, `SELECT count(*) FROM observations o JOIN districts d ON d.code = $1 AND ST_Intersects(d.geom, o.geom)
				WHERE o.observed_at >= '2023-01-01' AND o.observed_at < '2024-01-01'`, code)
		}
		if cur != wantCur || prev != wantPrev {
			t.Errorf("%s: %d / %d in the table, SQL says %d / %d", code, cur, prev, wantCur, wantPrev)
		}
	})
	if int64(rows) != districts {
		t.Errorf("%d district rows, want %d", rows, districts)
	}

	// Action plan: every intervention not ended before the period, under its horizon.
	planned := 0
	walk(ids["handlingsplan"], func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "tr" && attr(n, "data-id") != "" {
			planned++
		}
	})
	if want := count(t, `SELECT count(*) FROM interventions WHERE end_date IS NULL OR end_date >= '2024-01-01'`); int64(planned) != want {
		t.Errorf("%d interventions in the action plan, want %d", planned, want)
	}
	// Follow-up: the interventions started in the observed span, one with an estimate.
	fu := text(ids["followups"])
	if !strings.Contains(fu, "Kamerabevakning Bäckby torg") {
		t.Errorf("follow-up table lacks the Bäckby cameras: %.300s", fu)
	}

	// English, and bad input.
	_, en := a.raw("GET", "/report?from=2024-01-01&to=2024-12-31&lang=en", nil)
	if !bytes.Contains(en, []byte("Action plan")) || !bytes.Contains(en, []byte(`lang="en"`)) {
		t.Error("lang=en is not English")
	}
	for _, tc := range []struct{ path, param string }{
		{"/report?lang=de", "lang"}, {"/report?from=2024-13-01", "from"}, {"/report?from=2024-06-01&to=2024-01-01", "from"},
		{"/report?indicator=nope", "indicator"}, {"/report?f=docx", "f"},
	} {
		var p struct{ Param string }
		a.getJSON(tc.path, 400, &p)
		if p.Param != tc.param {
			t.Errorf("%s: param %q, want %q", tc.path, p.Param, tc.param)
		}
	}
}
