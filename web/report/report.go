package report

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lagesbild/lagesbild/geo/did"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/auth"
	"github.com/lagesbild/lagesbild/web/respond"
)

// Deps is what the report needs of the server that composes it: the store, and the
// functions the APIs share that only web knows how to run.
type Deps struct {
	Store *layers.Store
	Log   *slog.Logger
	// Now is the clock of the report's "generated" line.
	Now func() time.Time
	// Notice, when not empty, says the data are illustrative: every section then carries the
	// notice in the report's language.
	Notice string
	// MinCount, when not 0, is the disclosure threshold: counts below it are hidden and the
	// rest rounded to a multiple of it, as the aggregated view shows them.
	MinCount int
	// Pilots is the priority analysis of scenario in year: the ranked areas (rank > 0, a
	// finite index), in any order. Its errors name the parameter at fault.
	Pilots func(ctx context.Context, scenario string, year int) ([]Pilot, error)
	// FollowUps prepares the follow-ups of interventions ids with the follow-up resource's
	// default options, without indicators, reading what they share once; FollowupHarm says
	// those options weight observations by harm, which the unit of the effect names (per
	// 1,000 residents and month either way).
	FollowUps    func(ctx context.Context, ids []int64) (FollowUpOf, error)
	FollowupHarm bool
	// PlaceDensities are the kernel densities (bandwidth h metres, per km²) of a place's
	// current and previous observations, as /analysis/hotspots/places computes them.
	PlaceDensities func(p layers.HotspotPlace, h float64) (cur, prev float64)
	// Send writes an answer with the server's validators and compression.
	Send func(c echo.Context, status int, contentType, cacheControl string, body []byte) error
	// Base is the server's base URL for the request, for the links of the weekly meeting.
	Base func(c echo.Context) string
}

// FollowUpOf is the follow-up of one of the interventions prepared by Deps.FollowUps; its
// errors are the follow-up resource's (an invalid-input error or ErrNotFound when the
// intervention cannot be followed up).
type FollowUpOf func(id int64) (*did.Result, error)

// Report is the report room. Create it with New.
type Report struct {
	deps    Deps
	printer *pdfPrinter
}

// New returns the report over deps, printing PDF with Chromium.
func New(deps Deps) *Report {
	return &Report{deps: deps, printer: newPDFPrinter(maxPDFPrinters, new(chromium).print)}
}

// Routes mounts GET /report with get.
func (r *Report) Routes(get func(string, echo.HandlerFunc)) {
	// The situational picture is for the collaboration's organisations: internal data.
	internal := auth.NeedClass(layers.Internal, "the Lägesbild report")
	get("/report", internal(r.serve))
	week := auth.NeedClass(layers.Internal, "the weekly meeting")
	get("/analysis/week", week(r.serveWeekJSON))
	get("/report/week", week(r.serveWeekPage))
}

//go:embed report.html week.html
var files embed.FS

// parseTemplate parses the named embedded page per request (a few hundred microseconds), so
// the server holds no package-level state; its figures are written the way lang writes them.
func parseTemplate(name, lang string, minCount int) (*template.Template, error) {
	return template.New(name).Funcs(template.FuncMap{
		"num":    func(x float64, d int) string { return Number(lang, x, d) },
		"deref":  func(x *float64) float64 { return *x },
		"count":  func(n int64) string { return showCount(lang, n, minCount) },
		"int":    func(n int) string { return Count(lang, int64(n)) },
		"label":  func(v string) string { return Label(lang, v) },
		"pair":   func(a, b any) []any { return []any{a, b} },
		"triple": func(a, b, c any) []any { return []any{a, b, c} },
		"pct": func(x *float64) string {
			if x == nil {
				return "–"
			}
			sign := "+"
			if *x < 0 {
				sign = ""
			}
			if Number(lang, *x, 0) == "0" {
				sign = "±"
			}
			return sign + Number(lang, *x, 0) + "\u00a0%"
		},
	}).ParseFS(files, name)
}

// request is what GET /report asks for.
type request struct {
	lang, format, indicator, scenario string
	t                                 text
	from, to                          time.Time // to inclusive
	who                               *layers.Principal
}

// serve answers GET /report.
func (r *Report) serve(c echo.Context) error {
	q, err := r.parse(c)
	if err != nil {
		return err
	}
	if q.format == "pdf" {
		// Taken before the report is assembled, so a refused print costs nothing.
		release, err := r.printer.enter(c)
		if err != nil {
			return err
		}
		defer release()
	}
	ctx := c.Request().Context()
	if err := r.period(ctx, c.QueryParams(), q); err != nil {
		return err
	}
	d, err := r.assemble(ctx, q)
	if err != nil {
		return err
	}
	tpl, err := parseTemplate("report.html", q.lang, r.deps.MinCount)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := tpl.Execute(&buf, d); err != nil {
		return fmt.Errorf("report template: %w", err)
	}
	if q.format == "pdf" {
		pdf, err := r.printer.run(ctx, buf.Bytes())
		if err != nil {
			return err
		}
		return r.deps.Send(c, http.StatusOK, "application/pdf", "no-store", pdf)
	}
	return r.deps.Send(c, http.StatusOK, "text/html; charset=utf-8", "no-store", buf.Bytes())
}

// parse reads the query but the period: the language, the format, the indicator and the
// priority scenario.
func (r *Report) parse(c echo.Context) (*request, error) {
	if err := respond.OnlyParamsAny(c, "from", "to", "lang", "indicator", "scenario", "f"); err != nil {
		return nil, err
	}
	v := c.QueryParams()
	q := &request{lang: v.Get("lang"), format: v.Get("f"), indicator: v.Get("indicator"), scenario: v.Get("scenario"),
		who: layers.PrincipalFrom(c.Request().Context())}
	if q.lang == "" {
		q.lang = "sv"
	}
	var ok bool
	if q.t, ok = texts[q.lang]; !ok {
		return nil, layers.Invalid("lang", "%q is not sv or en", q.lang)
	}
	if q.format != "" && q.format != "html" && q.format != "pdf" {
		return nil, layers.Invalid("f", "%q is not html or pdf", q.format)
	}
	if q.scenario == "" {
		q.scenario = "polisen"
	}
	return q, nil
}

// period reads from and to into q: by default the year up to the last observation's day.
func (r *Report) period(ctx context.Context, v url.Values, q *request) error {
	_, last, err := r.deps.Store.ObservationSpan(ctx)
	if err != nil {
		return err
	}
	q.to = last.UTC().Truncate(24 * time.Hour)
	if raw := v.Get("to"); raw != "" {
		if q.to, err = time.Parse(time.DateOnly, raw); err != nil {
			return layers.Invalid("to", "%q is not a date YYYY-MM-DD", raw)
		}
	}
	q.from = q.to.AddDate(-1, 0, 1)
	if raw := v.Get("from"); raw != "" {
		if q.from, err = time.Parse(time.DateOnly, raw); err != nil {
			return layers.Invalid("from", "%q is not a date YYYY-MM-DD", raw)
		}
	}
	if q.from.After(q.to) {
		return layers.Invalid("from", "%s is after to %s", ymd(q.from), ymd(q.to))
	}
	if q.to.Sub(q.from) > 10*366*24*time.Hour {
		return layers.Invalid("from", "a report covers at most ten years")
	}
	return nil
}
