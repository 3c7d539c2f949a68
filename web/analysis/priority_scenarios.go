package analysis

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/lagesbild/lagesbild/geo/priority"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/request"
	"github.com/lagesbild/lagesbild/web/respond"
)

// The priority scenarios: named weightings of the need index, one organisation's perspective
// each (GET, POST /analysis/priority/scenarios; GET, PUT, DELETE …/{id}).

const maxRationale = 4000 // characters of a scenario's rationale

var scenarioID = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,63}$`)

// etagRE is a scenario's ETag, "v<version>", as request.IfMatch reads it.
var etagRE = regexp.MustCompile(`^"v([1-9][0-9]{0,17})"$`)

func (s *Room) priorityScenarios(c echo.Context) error {
	if err := respond.OnlyParams(c, "f"); err != nil {
		return err
	}
	scs, err := s.store.PriorityScenarios(c.Request().Context())
	if err != nil {
		return err
	}
	return s.out.SendJSON(c, respond.MediaJSON, "no-cache", respond.Obj{"scenarios": scs})
}

func (s *Room) priorityScenario(c echo.Context) error {
	if err := respond.OnlyParams(c, "f"); err != nil {
		return err
	}
	id, err := scenarioPathID(c)
	if err != nil {
		return err
	}
	sc, err := s.store.PriorityScenario(c.Request().Context(), id)
	if err != nil {
		return err
	}
	// The ETag names the version, for If-Match; the body is not compressed (a scenario is
	// small), so the one tag names the one representation.
	setScenarioTag(c, sc)
	h := c.Response().Header()
	h.Set("Cache-Control", "no-cache")
	if respond.ETagMatch(c.Request().Header.Get("If-None-Match"), "v"+strconv.FormatInt(sc.Version, 10)) {
		return c.NoContent(http.StatusNotModified)
	}
	return c.JSONBlob(http.StatusOK, respond.JSON(sc))
}

// setScenarioTag names the scenario's version in ETag ("v3"), which a change sends back in
// If-Match (optimistic locking, as for interventions).
func setScenarioTag(c echo.Context, sc layers.PriorityScenario) {
	c.Response().Header().Set("ETag", `"v`+strconv.FormatInt(sc.Version, 10)+`"`)
}

// scenarioPathID is the {id} of a scenario path. An id no scenario can have (see scenarioID)
// is a 404 without asking the database, which would refuse bytes that are not UTF-8 with a 500.
func scenarioPathID(c echo.Context) (string, error) {
	id := c.Param("id")
	if !scenarioID.MatchString(id) {
		return "", fmt.Errorf("priority scenario %q (ids match %s): %w", id, scenarioID, layers.ErrNotFound)
	}
	return id, nil
}

// scenarioBody is what a client writes; built-in, illustrative and updated_at are the
// server's to set.
type scenarioBody struct {
	ID            string             `json:"id"`
	NameSV        string             `json:"name_sv"`
	NameEN        string             `json:"name_en"`
	Organisation  string             `json:"organisation"`
	Rationale     string             `json:"rationale"`
	Preset        string             `json:"preset"`
	Normalisation string             `json:"normalisation"`
	Aggregation   string             `json:"aggregation"`
	Winsor        float64            `json:"winsor"`
	MinCoverage   *float64           `json:"min_coverage"`
	Weights       map[string]float64 `json:"weights"`
	ThemeWeights  map[string]float64 `json:"theme_weights"`
}

// scenario is the scenario b describes, checked. Errors: an *layers.InvalidError or
// *input.Error (geo) naming the field at fault.
func (b scenarioBody) scenario() (layers.PriorityScenario, error) {
	sc := layers.PriorityScenario{ID: b.ID, NameSV: strings.TrimSpace(b.NameSV), NameEN: strings.TrimSpace(b.NameEN),
		Organisation: strings.TrimSpace(b.Organisation), Rationale: b.Rationale, Preset: b.Preset,
		Normalisation: b.Normalisation, Aggregation: b.Aggregation, Winsor: b.Winsor, MinCoverage: 0.6,
		Weights: b.Weights, ThemeWeights: b.ThemeWeights}
	if sc.Normalisation == "" {
		sc.Normalisation = "zscore"
	}
	if sc.Aggregation == "" {
		sc.Aggregation = "arithmetic"
	}
	if b.MinCoverage != nil {
		sc.MinCoverage = *b.MinCoverage
	}
	if err := checkScenarioText(sc); err != nil {
		return sc, err
	}
	if _, _, err := priority.ParseMethod(sc.Normalisation, sc.Aggregation); err != nil {
		return sc, err
	}
	if !(sc.Winsor >= 0 && sc.Winsor < 0.5) {
		return sc, layers.Invalid("winsor", "%v is outside [0, 0.5)", sc.Winsor)
	}
	if !(sc.MinCoverage >= 0 && sc.MinCoverage <= 1) {
		return sc, layers.Invalid("min_coverage", "%v is outside [0, 1]", sc.MinCoverage)
	}
	if err := priority.CheckWeights("weights", sc.Weights, true); err != nil {
		return sc, err
	}
	if err := priority.CheckWeights("theme_weights", sc.ThemeWeights, false); err != nil {
		return sc, err
	}
	themes := priority.Themes()
	for t := range sc.ThemeWeights {
		if !slices.Contains(themes, t) {
			return sc, layers.Invalid("theme_weights", "unknown theme %q; themes are %s", t, strings.Join(themes, ", "))
		}
	}
	return sc, nil
}

// checkScenarioText checks a scenario's id, names, preset and free text.
func checkScenarioText(sc layers.PriorityScenario) error {
	switch {
	case !scenarioID.MatchString(sc.ID):
		return layers.Invalid("id", "%q must match %s", sc.ID, scenarioID)
	case sc.NameSV == "" || len(sc.NameSV) > 200:
		return layers.Invalid("name_sv", "1–200 characters")
	case sc.NameEN == "" || len(sc.NameEN) > 200:
		return layers.Invalid("name_en", "1–200 characters")
	case sc.Preset != "" && sc.Preset != "scb":
		return layers.Invalid("preset", "%q is not scb", sc.Preset)
	}
	for _, f := range []struct {
		param, text string
		max         int
	}{{"name_sv", sc.NameSV, 200}, {"name_en", sc.NameEN, 200}, {"organisation", sc.Organisation, 100}, {"rationale", sc.Rationale, maxRationale}} {
		if err := request.CheckText(f.param, f.text, f.max); err != nil {
			return err
		}
	}
	for _, w := range []struct {
		param   string
		weights map[string]float64
	}{{"weights", sc.Weights}, {"theme_weights", sc.ThemeWeights}} {
		for k := range w.weights {
			if err := request.CheckText(w.param, k, 100); err != nil {
				return err
			}
		}
	}
	return nil
}

// scenarioWriter checks that the caller may write scenario sc as it is in the body: a
// scenario is its writer's organisation's, so the organisation the body names (none, or
// the writer's own code or name) must be the writer's. Row-level security holds the same
// rule (migration 019); this check answers it as a 403 naming the field.
func scenarioWriter(ctx context.Context, sc layers.PriorityScenario) error {
	p := layers.PrincipalFrom(ctx)
	if sc.Organisation != "" && sc.Organisation != p.Organisation && sc.Organisation != p.OrgName {
		return fmt.Errorf("organisation: a priority scenario belongs to the organisation that writes it, %s (%s), not %q: %w",
			p.Organisation, p.OrgName, sc.Organisation, layers.ErrForbidden)
	}
	return nil
}

// mayChangeScenario says why the caller may not change (or, when deleting, delete) stored
// scenario sc, or nil: built-in scenarios are changed by nobody through the API; others by
// their own organisation's editors and admins, and deleted also by a municipality's admins.
func mayChangeScenario(ctx context.Context, sc layers.PriorityScenario, deleting bool) error {
	p := layers.PrincipalFrom(ctx)
	switch {
	case sc.Builtin:
		return fmt.Errorf("priority scenario %s is built in and changed by nobody through the API; make your organisation's own (POST with a new id): %w",
			sc.ID, layers.ErrForbidden)
	case sc.Owner != nil && *sc.Owner == p.Organisation:
		return nil
	case deleting && p.OrgKind == "municipality" && p.HasScope("admin"):
		return nil
	}
	owner := "no organisation (the operator's)"
	if sc.Owner != nil {
		owner = "organisation " + *sc.Owner
	}
	return fmt.Errorf("priority scenario %s belongs to %s; only its editors and admins change it: %w", sc.ID, owner, layers.ErrForbidden)
}

// createPriorityScenario stores a new scenario. A taken id, or an organisation at its
// bound, is a 409 (layers.ErrConflict).
func (s *Room) createPriorityScenario(c echo.Context) error {
	var b scenarioBody
	if err := request.DecodeBody(c, &b); err != nil {
		return err
	}
	sc, err := b.scenario()
	if err != nil {
		return err
	}
	if err := scenarioWriter(c.Request().Context(), sc); err != nil {
		return err
	}
	got, err := s.store.CreatePriorityScenario(c.Request().Context(), sc)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Location", s.baseURL(c)+"/analysis/priority/scenarios/"+got.ID)
	setScenarioTag(c, got)
	return respond.NoStore(c, http.StatusCreated, got)
}

// updatePriorityScenario replaces a scenario; If-Match must name the version the change was
// made from (428 without, 412 when another change came first).
func (s *Room) updatePriorityScenario(c echo.Context) error {
	if _, err := scenarioPathID(c); err != nil {
		return err
	}
	var b scenarioBody
	if err := request.DecodeBody(c, &b); err != nil {
		return err
	}
	if b.ID == "" {
		b.ID = c.Param("id")
	}
	if b.ID != c.Param("id") {
		return layers.Invalid("id", "%q in the body differs from %q in the path", b.ID, c.Param("id"))
	}
	sc, err := b.scenario()
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	stored, err := s.store.PriorityScenario(ctx, sc.ID)
	if err != nil {
		return err
	}
	if err := mayChangeScenario(ctx, stored, false); err != nil {
		return err
	}
	if err := scenarioWriter(ctx, sc); err != nil {
		return err
	}
	pre, err := request.IfMatch(c, etagRE, "scenario")
	if err != nil {
		return err
	}
	got, err := s.store.UpdatePriorityScenario(ctx, sc, pre)
	if err != nil {
		return err
	}
	setScenarioTag(c, got)
	return respond.NoStore(c, http.StatusOK, got)
}

func (s *Room) deletePriorityScenario(c echo.Context) error {
	id, err := scenarioPathID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	stored, err := s.store.PriorityScenario(ctx, id)
	if err != nil {
		return err
	}
	if err := mayChangeScenario(ctx, stored, true); err != nil {
		return err
	}
	pre, err := request.IfMatch(c, etagRE, "scenario")
	if err != nil {
		return err
	}
	if err := s.store.DeletePriorityScenario(ctx, id, pre); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
