package web

import (
	"bytes"
	"cmp"
	"context"
	"embed"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/lagesbild/lagesbild/geo/crs"
	"github.com/lagesbild/lagesbild/geo/hotspot"
	"github.com/lagesbild/lagesbild/geo/kde"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/auth"
)

//go:embed report/*.html
var reportFiles embed.FS

// reportTemplate is parsed per request from the embedded file (a few hundred microseconds),
// so the server holds no package-level state.
func reportTemplate() (*template.Template, error) {
	return template.New("report.html").Funcs(template.FuncMap{
		"num":   func(x float64, d int) string { return strings.ReplaceAll(fmt.Sprintf("%.*f", d, x), "-", "−") },
		"deref": func(x *float64) float64 { return *x },
		"count": reportCount,
		"pct": func(x *float64) string {
			if x == nil {
				return "–"
			}
			return strings.ReplaceAll(fmt.Sprintf("%+.0f %%", *x), "-", "−")
		},
	}).ParseFS(reportFiles, "report/report.html")
}

func (s *Server) reportRoutes(get func(string, echo.HandlerFunc)) {
	printer := newPDFPrinter(maxPDFPrinters, printPDF)
	// The situational picture is for the collaboration's organisations: internal data.
	internal := auth.NeedClass(layers.Internal, "the Lägesbild report")
	get("/report", internal(func(c echo.Context) error { return s.report(c, printer) }))
}

// maxPDFPrinters bounds the Chromium processes printing reports at once: each takes a few
// hundred MB and seconds of CPU, so a burst of f=pdf requests must not start one per request.
const maxPDFPrinters = 2

// pdfRetryAfter is the Retry-After of a 503 when every printer is busy: about one print.
const pdfRetryAfter = 10 * time.Second

// pdfPrinter prints reports with at most cap(slots) prints running; a print that finds every
// slot taken is refused at once rather than queued, so waiting requests hold no resources.
type pdfPrinter struct {
	slots chan struct{}
	run   func(ctx context.Context, page []byte) ([]byte, error)
}

func newPDFPrinter(n int, run func(context.Context, []byte) ([]byte, error)) *pdfPrinter {
	return &pdfPrinter{slots: make(chan struct{}, n), run: run}
}

// enter takes a slot for the request, or answers 503 with Retry-After when all are taken;
// the caller calls release when the print is done.
func (p *pdfPrinter) enter(c echo.Context) (release func(), err error) {
	select {
	case p.slots <- struct{}{}:
		return func() { <-p.slots }, nil
	default:
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(pdfRetryAfter.Seconds())))
		return nil, echo.NewHTTPError(http.StatusServiceUnavailable,
			fmt.Sprintf("%d PDF reports are being printed; try again shortly, or print the HTML report", cap(p.slots)))
	}
}

// reportText is the language-dependent text of the report.
type reportText map[string]string

var reportTexts = map[string]reportText{
	"sv": {"title": "Lägesbild", "subtitle": "Kommunal lägesbild enligt lagen (2023:196) om kommuners ansvar för brottsförebyggande arbete",
		"period": "Period", "previous": "Föregående period", "s1": "1. Lägesbild", "s2": "2. Kartor", "s3": "3. Jämförelse mellan områden",
		"s4": "4. Brännpunkter", "s5": "5. Åtgärdsplan", "s6": "6. Uppföljning av insatser",
		"district": "Område", "category": "Kategori", "current": "Perioden", "prev": "Föregående", "change": "Förändring",
		"total": "Totalt", "police_list": "Polisens lägesbild över utsatta områden", "class": "Klassning", "valid": "Giltig",
		"map_indicator": "Indikator", "map_hot": "Gi*-brännpunkter (hexagoner 150 m)", "need": "Behovsindex", "rank": "Rang", "pilot": "Pilot",
		"place": "Plats", "density": "Täthet per km²", "horizon": "Tidshorisont", "status": "Status", "lead": "Ansvarig", "partners": "Partner",
		"start": "Start", "effect": "Effekt (DiD)", "interval": "95 %-intervall", "caveats": "Förbehåll", "comparison": "Jämförelse",
		"vinna_slaget": "Vinna slaget", "vinna_kriget": "Vinna kriget", "bygga_freden": "Bygga freden", "none": "Inga.",
		"method_s6": "Skillnad i skillnader mot tre jämförelseområden med liknande utveckling före starten, 12 månader före och efter (kortare om data saknas).",
		"s1_intro":  "Observationer per område och kategori under perioden jämfört med föregående period av samma längd.",
		"s3_intro":  "Behovsindex enligt organisationens viktning (prioriteringsmodulen); högst rang = störst behov.",
		"s4_intro":  "Platser med högst täthet av observationer under de sista 28 dagarna av perioden.",
		"s5_intro":  "Insatser per tidshorisont enligt EST-arbetssättet.",
		"fu_none":   "Ingen uppföljning: insatsen saknar målområde eller hela perioder med observationer kring starten.",
		"fu_failed": "Uppföljningen kunde inte beräknas (felet är loggat).",
		"no_est":    "ingen skattning", "hot": "Brännpunkt", "cold": "Kall punkt", "missing": "saknas", "year": "år", "scenario": "Viktning", "intervention": "Insats"},
	"en": {"title": "Situational picture", "subtitle": "Municipal situational picture under the Swedish Act (2023:196) on municipal crime prevention",
		"period": "Period", "previous": "Previous period", "s1": "1. Situational picture", "s2": "2. Maps", "s3": "3. District comparison",
		"s4": "4. Hotspots", "s5": "5. Action plan", "s6": "6. Follow-up of interventions",
		"district": "District", "category": "Category", "current": "Period", "prev": "Previous", "change": "Change",
		"total": "Total", "police_list": "Police list of vulnerable areas", "class": "Class", "valid": "Valid",
		"map_indicator": "Indicator", "map_hot": "Gi* hot spots (150 m hexagons)", "need": "Need index", "rank": "Rank", "pilot": "Pilot",
		"place": "Place", "density": "Density per km²", "horizon": "Horizon", "status": "Status", "lead": "Lead", "partners": "Partners",
		"start": "Start", "effect": "Effect (DiD)", "interval": "95 % interval", "caveats": "Caveats", "comparison": "Comparison",
		"vinna_slaget": "Win the battle", "vinna_kriget": "Win the war", "bygga_freden": "Build the peace", "none": "None.",
		"method_s6": "Difference in differences against three comparison districts with a similar trend before the start, 12 months before and after (fewer where data end).",
		"s1_intro":  "Observations by district and category in the period against the previous period of the same length.",
		"s3_intro":  "Need index by the organisation's weighting (the priority module); rank 1 = greatest need.",
		"s4_intro":  "Places with the highest density of observations in the last 28 days of the period.",
		"s5_intro":  "Interventions by time horizon, as in the EST working method.",
		"fu_none":   "No follow-up: the intervention has no target area or no whole period of observations around its start.",
		"fu_failed": "The follow-up could not be computed (the error has been logged).",
		"no_est":    "no estimate", "hot": "Hot spot", "cold": "Cold spot", "missing": "missing", "year": "year", "scenario": "Weighting", "intervention": "Intervention"},
}

type reportRow struct {
	Code, Name    string
	Current, Prev int64
	ChangePct     *float64
	Cells         []int64 // per category, current period
}

type reportPilot struct {
	Code, Name string
	Index      float64
	Rank       int
	Pilot      bool
	Class      string
}

type reportPlace struct {
	Name, District string
	Density        float64
	Count          int
	ChangePct      *float64
}

type reportIntervention struct {
	ID                         int64
	Title, Status, Lead, Start string
	Partners                   string
	Districts                  int
}

type reportHorizon struct {
	Key, Name     string
	Interventions []reportIntervention
}

type reportFollowup struct {
	Title, Start string
	Note         string // why there is no follow-up; the other fields are then empty
	Effect       *float64
	Lo, Hi       float64
	Unit         string
	Comparison   string
	Caveats      []string
}

type reportData struct {
	Lang, From, To, PrevFrom, Notice string
	T                                reportText
	Categories                       []string
	Rows                             []reportRow
	Total                            reportRow
	Classes                          []layers.Classification
	IndicatorName                    string
	IndicatorYear                    int
	ChoroplethSVG, HotspotSVG        template.HTML
	Legend                           []legendItem
	HotLegend                        []legendItem
	Scenario                         string
	Pilots                           []reportPilot
	Places                           []reportPlace
	Horizons                         []reportHorizon
	Followups                        []reportFollowup
	Generated                        string
	// MinCount, when not 0, is the disclosure threshold the counts are shown under
	// (--aggregated-only; reportCount).
	MinCount int
}

type legendItem struct {
	Colour, Label string
}

func (s *Server) report(c echo.Context, printer *pdfPrinter) error {
	if err := onlyParamsAny(c, "from", "to", "lang", "indicator", "scenario", "f"); err != nil {
		return err
	}
	v := c.QueryParams()
	lang := v.Get("lang")
	if lang == "" {
		lang = "sv"
	}
	t, ok := reportTexts[lang]
	if !ok {
		return invalid("lang", "%q is not sv or en", lang)
	}
	format := v.Get("f")
	if format != "" && format != "html" && format != "pdf" {
		return invalid("f", "%q is not html or pdf", format)
	}
	if format == "pdf" {
		// Taken before the report is assembled, so a refused print costs nothing.
		release, err := printer.enter(c)
		if err != nil {
			return err
		}
		defer release()
	}
	ctx := c.Request().Context()
	_, last, err := s.store.ObservationSpan(ctx)
	if err != nil {
		return err
	}
	to := last.UTC().Truncate(24 * time.Hour)
	if raw := v.Get("to"); raw != "" {
		if to, err = time.Parse(time.DateOnly, raw); err != nil {
			return invalid("to", "%q is not a date YYYY-MM-DD", raw)
		}
	}
	from := to.AddDate(-1, 0, 1)
	if raw := v.Get("from"); raw != "" {
		if from, err = time.Parse(time.DateOnly, raw); err != nil {
			return invalid("from", "%q is not a date YYYY-MM-DD", raw)
		}
	}
	if from.After(to) {
		return invalid("from", "%s is after to %s", ymd(from), ymd(to))
	}
	if to.Sub(from) > 10*366*24*time.Hour {
		return invalid("from", "a report covers at most ten years")
	}
	scenario := v.Get("scenario")
	if scenario == "" {
		scenario = "polisen"
	}
	d, err := s.reportData(c, lang, t, from, to, v.Get("indicator"), scenario)
	if err != nil {
		return err
	}
	tpl, err := reportTemplate()
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := tpl.Execute(&buf, d); err != nil {
		return fmt.Errorf("report template: %w", err)
	}
	if format == "pdf" {
		pdf, err := printer.run(ctx, buf.Bytes())
		if err != nil {
			return err
		}
		return s.send(c, http.StatusOK, "application/pdf", "no-store", pdf)
	}
	return s.send(c, http.StatusOK, "text/html; charset=utf-8", "no-store", buf.Bytes())
}

// printPDF prints the report with Debian's Chromium headless (the tool the browser tests
// already use). Without it the answer is 503: the HTML report prints from any browser.
func printPDF(ctx context.Context, page []byte) ([]byte, error) {
	bin, err := exec.LookPath("chromium")
	if err != nil {
		return nil, echo.NewHTTPError(http.StatusServiceUnavailable, "PDF needs chromium on the server; print the HTML report instead")
	}
	dir, err := os.MkdirTemp("", "lagesbild-report-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	in, out := filepath.Join(dir, "report.html"), filepath.Join(dir, "report.pdf")
	if err := os.WriteFile(in, page, 0o600); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--print-to-pdf="+out, "file://"+in)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("chromium --print-to-pdf: %w: %s", err, msg)
	}
	return os.ReadFile(out)
}

func (s *Server) reportData(c echo.Context, lang string, t reportText, from, to time.Time, indicator, scenario string) (*reportData, error) {
	ctx := c.Request().Context()
	end := to.AddDate(0, 0, 1) // to is inclusive
	// The previous period has the same length: as many calendar months when the period is
	// whole months (2024 against 2023, leap day or not), otherwise as many days.
	prevFrom := from.Add(-end.Sub(from))
	if from.Day() == 1 && end.Day() == 1 {
		months := (end.Year()-from.Year())*12 + int(end.Month()-from.Month())
		prevFrom = from.AddDate(0, -months, 0)
	}
	d := &reportData{Lang: lang, T: t, From: ymd(from), To: ymd(to), PrevFrom: ymd(prevFrom), Scenario: scenario,
		Notice: illustrativeNotice, Generated: s.now().UTC().Format(time.RFC3339)}

	// 1. Observations by district and category.
	districts, err := s.store.FollowupDistricts(ctx)
	if err != nil {
		return nil, err
	}
	counts, err := s.store.CategoryCounts(ctx, prevFrom, from, end)
	if err != nil {
		return nil, err
	}
	cats := map[string]int64{}
	for _, cc := range counts {
		cats[cc.Category] += cc.Current + cc.Previous
	}
	for k := range cats {
		d.Categories = append(d.Categories, k)
	}
	slices.SortFunc(d.Categories, func(a, b string) int { return cmp.Or(cmp.Compare(cats[b], cats[a]), cmp.Compare(a, b)) })
	byCode := map[string]*reportRow{}
	for _, dist := range districts {
		r := &reportRow{Code: dist.Code, Name: dist.Name, Cells: make([]int64, len(d.Categories))}
		byCode[dist.Code] = r
	}
	d.Total = reportRow{Name: t["total"], Cells: make([]int64, len(d.Categories))}
	for _, cc := range counts {
		r := byCode[cc.DistrictCode]
		if r == nil {
			continue
		}
		k := slices.Index(d.Categories, cc.Category)
		r.Cells[k] += cc.Current
		r.Current += cc.Current
		r.Prev += cc.Previous
		d.Total.Cells[k] += cc.Current
		d.Total.Current += cc.Current
		d.Total.Prev += cc.Previous
	}
	for _, dist := range districts {
		r := byCode[dist.Code]
		r.ChangePct = changePct(r.Current, r.Prev)
		d.Rows = append(d.Rows, *r)
	}
	slices.SortStableFunc(d.Rows, func(a, b reportRow) int { return cmp.Compare(b.Current, a.Current) })
	d.Total.ChangePct = changePct(d.Total.Current, d.Total.Prev)
	if s.cfg.AggregatedOnly { // counts as the aggregated view shows them (disclosure.go)
		d.MinCount = s.minCellCount()
		for _, r := range append([]*reportRow{&d.Total}, rowPointers(d.Rows)...) {
			r.ChangePct = nil
			if r.Current >= int64(d.MinCount) && r.Prev >= int64(d.MinCount) {
				r.ChangePct = changePct(s.roundCount(r.Current), s.roundCount(r.Prev))
			}
		}
		// Ordered by what is shown, then by name: the exact order would rank the hidden counts.
		shown := func(n int64) int64 {
			if n < int64(d.MinCount) {
				return 0
			}
			return s.roundCount(n)
		}
		slices.SortStableFunc(d.Rows, func(a, b reportRow) int {
			return cmp.Or(cmp.Compare(shown(b.Current), shown(a.Current)), cmp.Compare(a.Name, b.Name))
		})
	}
	if d.Classes, err = s.store.Classifications(ctx, from, end); err != nil {
		return nil, err
	}

	// 2. Maps.
	geoms, err := s.store.AreaGeometries(ctx, "district", crs.SWEREF99TM)
	if err != nil {
		return nil, err
	}
	shapes := map[string]orb.Geometry{}
	for code, raw := range geoms {
		g, err := geojson.UnmarshalGeometry(raw)
		if err != nil {
			return nil, fmt.Errorf("district %s geometry: %w", code, err)
		}
		shapes[code] = g.Geometry()
	}
	names := map[string]string{}
	for _, dist := range districts {
		names[dist.Code] = dist.Name
	}
	inds, err := s.store.AllIndicatorValues(ctx)
	if err != nil {
		return nil, err
	}
	if indicator == "" {
		indicator = "low_economic_standard"
	}
	ix := slices.IndexFunc(inds.Catalogue, func(i layers.Indicator) bool { return i.Key == indicator })
	if ix < 0 {
		return nil, invalid("indicator", "unknown indicator %q", indicator)
	}
	ind := inds.Catalogue[ix]
	year := 0
	for _, byYear := range inds.Values[ind.Key] {
		for y := range byYear {
			if y <= to.Year() && y > year {
				year = y
			}
		}
	}
	d.IndicatorYear = year
	d.IndicatorName = ind.NameSV
	if lang == "en" {
		d.IndicatorName = ind.NameEN
	}
	d.IndicatorName += " (" + ind.Unit + ")"
	values := map[string]float64{}
	for code, byYear := range inds.Values[ind.Key] {
		if v, ok := byYear[year]; ok {
			values[code] = v
		}
	}
	var choro mapSVG
	choro.init(shapes)
	d.Legend = choro.choropleth(shapes, names, values, ind.Direction == "higher_is_better", t["missing"])
	d.ChoroplethSVG = choro.finish(t["map_indicator"] + ": " + d.IndicatorName)

	iv := &layers.Interval{Start: &from, End: &end}
	in, err := s.store.HotspotInputs(ctx, layers.HotspotQuery{Side: 150, Pad: 150, Filter: layers.ObservationFilter{Datetime: iv}})
	if err != nil {
		return nil, err
	}
	cells := in.Cells
	hs, err := hotspot.HotSpots(hotspot.Input{Cells: cells, Observations: in.Observations, Band: 450})
	if err != nil {
		return nil, err
	}
	gi := hs.Results
	if s.cfg.AggregatedOnly { // the aggregated view's rules (disclosure.go): no class for a suppressed cell
		for k := range gi {
			if hs.Count[k] < int64(s.minCellCount()) {
				gi[k].Bin = 0
			}
		}
	}
	var hot mapSVG
	hot.init(shapes)
	hot.outlines(shapes, names)
	d.HotLegend = hot.hexagons(cells, gi, t)
	d.HotspotSVG = hot.finish(t["map_hot"])

	// 3. District comparison.
	pr, err := s.prioritise(ctx, &priorityParams{Scenario: scenario, Year: min(to.Year(), lastYear(inds))})
	if err != nil {
		return nil, err
	}
	for a, r := range pr.res.Areas {
		if fp(r.Index) == nil || r.Rank == 0 {
			continue
		}
		ar := pr.data.Areas[a]
		d.Pilots = append(d.Pilots, reportPilot{Code: ar.Code, Name: ar.Name, Index: r.Index, Rank: r.Rank, Pilot: r.Pilot, Class: ar.PoliceClass})
	}
	slices.SortFunc(d.Pilots, func(a, b reportPilot) int { return cmp.Compare(a.Rank, b.Rank) })

	// 4. Hotspot places: the last 28 days of the period against the 28 days before.
	curStart := end.Add(-28 * 24 * time.Hour)
	places, err := s.store.PlacesNear(ctx, kde.DefaultBandwidth, curStart.Add(-28*24*time.Hour), curStart, end, layers.ObservationFilter{})
	if err != nil {
		return nil, err
	}
	h := kde.DefaultBandwidth
	for _, p := range places {
		cur, prev := placeDensities(p, h)
		n := len(p.Current)
		if s.cfg.AggregatedOnly { // as /analysis/hotspots/places answers it (disclosure.go)
			if n < s.minCellCount() || len(p.Previous) < s.minCellCount() {
				continue
			}
			cur, prev, n = significant(cur, 2), significant(prev, 2), int(s.roundCount(int64(n)))
		}
		rp := reportPlace{Name: p.Name, Density: cur, Count: n}
		if p.DistrictCode != nil {
			rp.District = names[*p.DistrictCode]
		}
		if prev > 0 {
			rp.ChangePct = fp(round(100*(cur-prev)/prev, 0))
		}
		d.Places = append(d.Places, rp)
	}
	slices.SortStableFunc(d.Places, func(a, b reportPlace) int { return cmpDesc(a.Density, b.Density) })
	d.Places = d.Places[:min(10, len(d.Places))]

	// 5. Action plan and 6. follow-up.
	spans, err := s.store.InterventionSpans(ctx)
	if err != nil {
		return nil, err
	}
	for _, hz := range []string{"vinna_slaget", "vinna_kriget", "bygga_freden"} {
		group := reportHorizon{Key: hz, Name: t[hz]}
		for _, sp := range spans {
			if sp.Horizon != hz || (sp.End != nil && sp.End.Before(from)) {
				continue
			}
			start := "–"
			if sp.Start != nil {
				start = ymd(*sp.Start)
			}
			group.Interventions = append(group.Interventions, reportIntervention{ID: sp.ID, Title: sp.Title, Status: sp.Status,
				Lead: sp.LeadOrg, Start: start, Partners: strings.Join(sp.Partners, ", "), Districts: len(sp.Districts)})
		}
		d.Horizons = append(d.Horizons, group)
	}
	if d.Followups, err = s.reportFollowups(ctx, lang, t, spans, to); err != nil {
		return nil, err
	}
	return d, nil
}

func lastYear(inds *layers.IndicatorSeries) int {
	y := 0
	for _, byCode := range inds.Values {
		for _, byYear := range byCode {
			for yr := range byYear {
				y = max(y, yr)
			}
		}
	}
	return y
}

func rowPointers(rows []reportRow) []*reportRow {
	out := make([]*reportRow, len(rows))
	for k := range rows {
		out[k] = &rows[k]
	}
	return out
}

// reportCount shows a count of the report: exact when k is 0; otherwise, as the aggregated
// view shows counts, 0 as 0, one to k-1 as "<k", and the rest rounded to a multiple of k.
func reportCount(n int64, k int) string {
	switch {
	case k == 0 || n == 0:
		return strconv.FormatInt(n, 10)
	case n < int64(k):
		return "<" + strconv.Itoa(k)
	}
	return strconv.FormatInt(roundTo(n, k), 10)
}

func changePct(cur, prev int64) *float64 {
	if prev == 0 {
		return nil
	}
	return fp(round(100*float64(cur-prev)/float64(prev), 1))
}

// ---- SVG maps ----

// mapSVG draws EPSG:3006 geometries into an SVG of fixed width, north up.
type mapSVG struct {
	b             strings.Builder
	bound         orb.Bound
	width, height float64
	hatch         bool // a district without a value was drawn: the hatch pattern is needed
}

const svgWidth = 640.0

func (m *mapSVG) init(shapes map[string]orb.Geometry) {
	first := true
	for _, g := range shapes {
		if first {
			m.bound, first = g.Bound(), false
		} else {
			m.bound = m.bound.Union(g.Bound())
		}
	}
	m.width = svgWidth
	m.height = math.Round(svgWidth * (m.bound.Max[1] - m.bound.Min[1]) / math.Max(1, m.bound.Max[0]-m.bound.Min[0]))
}

func (m *mapSVG) xy(p orb.Point) (float64, float64) {
	s := m.width / math.Max(1, m.bound.Max[0]-m.bound.Min[0])
	return (p[0] - m.bound.Min[0]) * s, (m.bound.Max[1] - p[1]) * s
}

func (m *mapSVG) pathData(g orb.Geometry) string {
	var b strings.Builder
	ring := func(r orb.Ring) {
		for k, p := range r {
			x, y := m.xy(p)
			if k == 0 {
				fmt.Fprintf(&b, "M%.1f %.1f", x, y)
			} else {
				fmt.Fprintf(&b, "L%.1f %.1f", x, y)
			}
		}
		b.WriteString("Z")
	}
	switch g := g.(type) {
	case orb.Polygon:
		for _, r := range g {
			ring(r)
		}
	case orb.MultiPolygon:
		for _, p := range g {
			for _, r := range p {
				ring(r)
			}
		}
	}
	return b.String()
}

// viridis5 are five viridis classes, light (low need) to dark (high need).
var viridis5 = []string{"#fde725", "#5ec962", "#21918c", "#3b528b", "#440154"}

func sortedCodes(shapes map[string]orb.Geometry) []string {
	codes := make([]string, 0, len(shapes))
	for c := range shapes {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	return codes
}

// choropleth draws one path per district, in quantile classes (darker = greater need), and
// returns the legend.
func (m *mapSVG) choropleth(shapes map[string]orb.Geometry, names map[string]string, values map[string]float64, higherIsBetter bool, missing string) []legendItem {
	var vals []float64
	for _, v := range values {
		vals = append(vals, v)
	}
	slices.Sort(vals)
	breaks := make([]float64, 4)
	for k := range breaks {
		if len(vals) > 0 {
			breaks[k] = typ7(vals, float64(k+1)/5)
		}
	}
	class := func(v float64) int {
		c := 0
		for _, br := range breaks {
			if v > br {
				c++
			}
		}
		if higherIsBetter {
			c = 4 - c
		}
		return c
	}
	for _, code := range sortedCodes(shapes) {
		fill, label := "url(#hatch-choropleth)", missing
		m.hatch = true
		if v, ok := values[code]; ok {
			fill, label = viridis5[class(v)], fmt.Sprintf("%.1f", v)
		}
		fmt.Fprintf(&m.b, `<path class="district" data-code="%s" fill="%s" stroke="#fff" stroke-width="0.8" d="%s"><title>%s: %s</title></path>`,
			template.HTMLEscapeString(code), fill, m.pathData(shapes[code]), template.HTMLEscapeString(names[code]), label)
	}
	var legend []legendItem
	lo := math.Inf(-1)
	if len(vals) > 0 {
		lo = vals[0]
	}
	edges := append([]float64{lo}, breaks...)
	for k := range 5 {
		hi := math.Inf(1)
		if len(vals) > 0 {
			hi = vals[len(vals)-1]
		}
		if k < 4 {
			hi = breaks[k]
		}
		c := k
		if higherIsBetter {
			c = 4 - k
		}
		legend = append(legend, legendItem{Colour: viridis5[c], Label: fmt.Sprintf("%.1f–%.1f", edges[k], hi)})
	}
	return legend
}

// outlines draws one path per district, unfilled.
func (m *mapSVG) outlines(shapes map[string]orb.Geometry, names map[string]string) {
	for _, code := range sortedCodes(shapes) {
		fmt.Fprintf(&m.b, `<path class="district" data-code="%s" fill="#f4f4f4" stroke="#888" stroke-width="0.6" d="%s"><title>%s</title></path>`,
			template.HTMLEscapeString(code), m.pathData(shapes[code]), template.HTMLEscapeString(names[code]))
	}
}

// hotColours are ArcGIS Pro's hot spot colours by Gi* bin.
var hotColours = map[int]string{3: "#d62f27", 2: "#ed7551", 1: "#fab984", -1: "#c0ccbe", -2: "#849eba", -3: "#4575b5"}

// hexagons draws the significant Gi* cells and returns the legend with counts.
func (m *mapSVG) hexagons(cells *layers.HexStudyCells, gi []hotspot.Result, t reportText) []legendItem {
	n := map[int]int{}
	for k, g := range gi {
		if g.Bin == 0 {
			continue
		}
		n[g.Bin]++
		fmt.Fprintf(&m.b, `<path class="cell %s" fill="%s" d="%s"/>`, className(g.Bin), hotColours[g.Bin],
			m.pathData(hotspot.HexPolygon(cells.I[k], cells.J[k], cells.Side)))
	}
	var legend []legendItem
	for _, bin := range []int{3, 2, 1, -1, -2, -3} {
		label := t["hot"]
		if bin < 0 {
			label = t["cold"]
		}
		legend = append(legend, legendItem{Colour: hotColours[bin],
			Label: fmt.Sprintf("%s %d %% (%d)", label, map[int]int{3: 99, 2: 95, 1: 90}[abs(bin)], n[bin])})
	}
	return legend
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func (m *mapSVG) finish(label string) template.HTML {
	defs := ""
	if m.hatch {
		defs = `<defs><pattern id="hatch-choropleth" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">` +
			`<rect width="6" height="6" fill="#fff"/><line x1="0" y1="0" x2="0" y2="6" stroke="#999" stroke-width="2"/></pattern></defs>`
	}
	// Built from numbers and escaped names only, so it is safe as HTML.
	return template.HTML(fmt.Sprintf(`<svg class="map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s">%s%s</svg>`,
		m.width, m.height, template.HTMLEscapeString(label), defs, m.b.String()))
}
