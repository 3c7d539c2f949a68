package web

// Writes on the interventions register (OGC API – Features Part 4 style), the one
// collection that takes them: POST creates (201, Location, ETag), PUT replaces, PATCH applies
// a JSON merge patch, DELETE removes (204). Every change needs If-Match with the version's
// ETag ("v7"): 428 without it, 412 when someone else wrote in between.
//
// The routes name the register explicitly rather than following a flag of the catalogue: an
// intervention's write carries rules of its own (targets that keep a derived geometry in step,
// a version and a history, who may lower a row's class), so no other layer could take the same
// handlers, and a generic write path would need per-layer rules the declaration does not hold.
// Every other collection answers writes with 405.

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/lagesbild/lagesbild/geo/crs"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/auth"
	"github.com/lagesbild/lagesbild/web/request"
	"github.com/lagesbild/lagesbild/web/respond"
)

// maxWriteBody bounds a written feature (an intervention with a detailed outline is a few
// hundred kilobytes at most).
const maxWriteBody = 2 << 20

const mediaMergePatch = "application/merge-patch+json"

// interventionsID is the collection of the interventions register, the one written to.
const interventionsID = "interventions"

func (s *Server) writeRoutes(e *echo.Echo, get func(string, echo.HandlerFunc)) {
	// The register's routes are static, so they win over the generic ones, which answer 405
	// (404 for an unknown collection); its GET is static too, for the ETag from the version.
	const items = "/collections/" + interventionsID + "/items"
	e.POST(items, s.createFeature)
	e.PUT(items+"/:featureId", s.replaceFeature)
	e.PATCH(items+"/:featureId", s.patchFeature)
	e.DELETE(items+"/:featureId", s.deleteFeature)
	e.POST("/collections/:collectionId/items", s.readOnly)
	for _, m := range []string{http.MethodPut, http.MethodPatch, http.MethodDelete} {
		e.Add(m, "/collections/:collectionId/items/:featureId", s.readOnly)
	}
	get(items+"/:featureId", s.interventionItem)
	get(items+"/:featureId/history", s.interventionHistory)
}

// readOnly answers a write to a collection other than the register: 404 when there is no such
// collection, else 405 with Allow.
func (s *Server) readOnly(c echo.Context) error {
	l, err := s.cat.Layer(c.Param("collectionId"))
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderAllow, "GET, HEAD")
	return echo.NewHTTPError(http.StatusMethodNotAllowed, "collection "+l.ID+" is read-only")
}

// authorizeWrite is the one place that decides whether the caller may write to layer l, and
// what organisation the history records as changed_by (never a person): an editor's or
// admin's session, or a token or JWT with the write scope, of an organisation that may read
// the layer (web/auth/access.go). Row-level security checks the same again (migration 009), and
// decides which rows the writer may change and who may lower a row's class (migration 017);
// its refusals come back as layers.ErrForbidden (403) or, for rows the writer may not read,
// layers.ErrNotFound (404).
func (s *Server) authorizeWrite(c echo.Context, l *layers.Layer) (changedBy string, err error) {
	if err := auth.RequireWrite(c, "writing to "+l.ID); err != nil {
		return "", err
	}
	// Writing a layer means reading it (the answer is the written feature), and row-level
	// security refuses a row of a class the writer may not read.
	if err := auth.RequireClass(c, l.Class, "collection "+l.ID); err != nil {
		return "", err
	}
	return layers.PrincipalFrom(c.Request().Context()).Organisation, nil
}

// writableLayer resolves a write to the register: its layer (404 when the catalogue does
// not declare it), and the caller must pass authorizeWrite.
func (s *Server) writableLayer(c echo.Context) (*layers.Layer, string, error) {
	l, err := s.cat.Layer(interventionsID)
	if err != nil {
		return nil, "", err
	}
	if err := respond.OnlyParamsAny(c); err != nil {
		return nil, "", err
	}
	by, err := s.authorizeWrite(c, l)
	if err != nil {
		return nil, "", err
	}
	return l, by, nil
}

// etagRE is a feature's ETag, "v<version>" with the CRS suffix of an EPSG:3006 answer.
var etagRE = regexp.MustCompile(`^"v([1-9][0-9]{0,17})(?:\.3006)?"$`)

// readBody reads a write's body after checking its media type against the accepted ones.
func readBody(c echo.Context, accepted ...string) ([]byte, error) {
	ct := c.Request().Header.Get(echo.HeaderContentType)
	media, _, err := mime.ParseMediaType(ct)
	ok := err == nil
	if ok {
		ok = false
		for _, a := range accepted {
			ok = ok || media == a
		}
	}
	if !ok {
		return nil, echo.NewHTTPError(http.StatusUnsupportedMediaType,
			fmt.Sprintf("Content-Type %q: send %s", ct, strings.Join(accepted, " or ")))
	}
	body, err := io.ReadAll(io.LimitReader(c.Request().Body, maxWriteBody+1))
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	if len(body) > maxWriteBody {
		return nil, echo.NewHTTPError(http.StatusRequestEntityTooLarge, fmt.Sprintf("body larger than %d bytes", maxWriteBody))
	}
	return body, nil
}

// contentCRS reads the Content-Crs header of a write (CRS84 when absent), as <uri> or uri.
func contentCRS(c echo.Context) (crs.CRS, error) {
	raw := strings.TrimSpace(c.Request().Header.Get("Content-Crs"))
	raw = strings.TrimSuffix(strings.TrimPrefix(raw, "<"), ">")
	return request.CRS("Content-Crs", raw)
}

// readFeature reads a whole-feature write body (POST, PUT) in the Content-Crs it names, and
// returns the intervention and the body's raw id member, if any.
func readFeature(c echo.Context) (*layers.InterventionInput, json.RawMessage, error) {
	in, err := contentCRS(c)
	if err != nil {
		return nil, nil, err
	}
	body, err := readBody(c, respond.MediaGeoJSON, respond.MediaJSON)
	if err != nil {
		return nil, nil, err
	}
	iv, err := layers.ParseInterventionFeature(body, in)
	if err != nil {
		return nil, nil, err
	}
	var doc struct {
		ID json.RawMessage `json:"id"`
	}
	_ = json.Unmarshal(body, &doc) // the body parsed above
	return iv, doc.ID, nil
}

// createFeature serves POST /collections/interventions/items.
func (s *Server) createFeature(c echo.Context) error {
	l, by, err := s.writableLayer(c)
	if err != nil {
		return err
	}
	iv, bodyID, err := readFeature(c)
	if err != nil {
		return err
	}
	if len(bodyID) > 0 {
		return layers.Invalid("id", "the server assigns ids; leave id out of a new feature (PUT replaces an existing one)")
	}
	id, err := s.store.CreateIntervention(c.Request().Context(), iv, by)
	if err != nil {
		return err
	}
	auth.SetAuditClass(c, layers.DataClass(iv.DataClass))
	loc := s.baseURL(c) + "/collections/" + l.ID + "/items/" + strconv.FormatInt(id, 10)
	c.Response().Header().Set(echo.HeaderLocation, loc)
	return s.sendIntervention(c, l, strconv.FormatInt(id, 10), http.StatusCreated, crs.CRS84)
}

// existingFeature resolves a write to an existing intervention (PUT, PATCH, DELETE): the
// register's layer and who writes (writableLayer), the feature's id, and its If-Match.
func (s *Server) existingFeature(c echo.Context) (*layers.Layer, string, int64, layers.Precondition, error) {
	l, by, err := s.writableLayer(c)
	if err != nil {
		return nil, "", 0, layers.Precondition{}, err
	}
	id, err := layers.ParseInterventionID(c.Param("featureId"))
	if err != nil {
		return nil, "", 0, layers.Precondition{}, err
	}
	pre, err := request.IfMatch(c, etagRE, "feature")
	return l, by, id, pre, err
}

// replaceFeature serves PUT /collections/interventions/items/{featureId}.
func (s *Server) replaceFeature(c echo.Context) error {
	l, by, id, pre, err := s.existingFeature(c)
	if err != nil {
		return err
	}
	iv, bodyID, err := readFeature(c)
	if err != nil {
		return err
	}
	if len(bodyID) > 0 && strings.Trim(string(bodyID), `"`) != strconv.FormatInt(id, 10) {
		return layers.Invalid("id", "%s is not the id in the URL (%d)", bodyID, id)
	}
	w, err := s.store.ReplaceIntervention(c.Request().Context(), id, pre, iv, by)
	if err != nil {
		return err
	}
	auth.SetAuditClass(c, w.Class)
	return s.sendIntervention(c, l, c.Param("featureId"), http.StatusOK, crs.CRS84)
}

// patchFeature serves PATCH /collections/interventions/items/{featureId} (JSON merge patch).
func (s *Server) patchFeature(c echo.Context) error {
	l, by, id, pre, err := s.existingFeature(c)
	if err != nil {
		return err
	}
	in, err := contentCRS(c)
	if err != nil {
		return err
	}
	body, err := readBody(c, mediaMergePatch)
	if err != nil {
		return err
	}
	w, err := s.store.PatchIntervention(c.Request().Context(), id, pre, body, in, by)
	if err != nil {
		return err
	}
	auth.SetAuditClass(c, w.Class)
	return s.sendIntervention(c, l, c.Param("featureId"), http.StatusOK, crs.CRS84)
}

// deleteFeature serves DELETE /collections/interventions/items/{featureId}.
func (s *Server) deleteFeature(c echo.Context) error {
	_, by, id, pre, err := s.existingFeature(c)
	if err != nil {
		return err
	}
	w, err := s.store.DeleteIntervention(c.Request().Context(), id, pre, by)
	if err != nil {
		return err
	}
	auth.SetAuditClass(c, w.Class)
	return c.NoContent(http.StatusNoContent)
}

// interventionItem serves GET /collections/interventions/items/{featureId}: the generic
// item, with an ETag naming the version ("v7"; "v7.3006" for the EPSG:3006 representation,
// as strong validators differ between representations) for If-Match.
func (s *Server) interventionItem(c echo.Context) error {
	l, err := s.cat.Layer(interventionsID)
	if err != nil {
		return err
	}
	if err := auth.RequireClass(c, auth.FeatureClass(l), "collection "+l.ID); err != nil {
		return err
	}
	out, err := parseItemParams(c.QueryParams())
	if err != nil {
		return err
	}
	return s.sendIntervention(c, l, c.Param("featureId"), http.StatusOK, out)
}

// sendIntervention answers with intervention id as a feature in CRS out and its version's
// ETag. It is not compressed (one feature is small), so one ETag names one representation.
func (s *Server) sendIntervention(c echo.Context, l *layers.Layer, id string, status int, out crs.CRS) error {
	f, version, err := s.store.InterventionFeature(c.Request().Context(), l, id, out)
	if err != nil {
		return err
	}
	base := s.baseURL(c) + "/collections/" + l.ID
	body := featureDocument(f, []respond.Link{
		{Href: base + "/items/" + url.PathEscape(id), Rel: "self", Type: respond.MediaGeoJSON, Title: "This feature"},
		{Href: base + "/items/" + url.PathEscape(id) + "/history", Rel: "version-history", Type: respond.MediaJSON, Title: "Its change history"},
		{Href: base, Rel: "collection", Type: respond.MediaJSON, Title: l.Title},
	})
	tag := "v" + strconv.FormatInt(version, 10)
	if out == crs.SWEREF99TM {
		tag += ".3006"
	}
	h := c.Response().Header()
	h.Set("Content-Crs", "<"+out.URI()+">")
	h.Set("ETag", `"`+tag+`"`)
	// no-cache: a cache may keep it but must revalidate, so an editor never starts from a
	// stale version (and gets 412 for it).
	h.Set("Cache-Control", "no-cache")
	if status == http.StatusOK && respond.ETagMatch(c.Request().Header.Get("If-None-Match"), tag) {
		return c.NoContent(http.StatusNotModified)
	}
	return c.Blob(status, respond.MediaGeoJSON, body)
}

// interventionHistory serves GET /collections/interventions/items/{featureId}/history: every
// write through the API, oldest first, with the whole row before and after. The history is
// for the collaboration (internal clearance); within it, row-level security gives each caller
// the entries whose class (the higher of before and after) it may read, and none of an
// intervention whose class now it may not read (migration 017): 404, as for the item.
func (s *Server) interventionHistory(c echo.Context) error {
	if err := auth.RequireClass(c, layers.Internal, "the history of interventions"); err != nil {
		return err
	}
	if err := respond.OnlyParams(c, "f"); err != nil {
		return err
	}
	if _, err := respond.Format(c.QueryParam("f"), request.FormatJSON, request.FormatJSON); err != nil {
		return err
	}
	id, err := layers.ParseInterventionID(c.Param("featureId"))
	if err != nil {
		return err
	}
	entries, err := s.store.InterventionHistory(c.Request().Context(), id)
	if err != nil {
		return err
	}
	self := s.baseURL(c) + "/collections/interventions/items/" + strconv.FormatInt(id, 10)
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.JSONBlob(http.StatusOK, respond.JSON(map[string]any{
		"interventionId": id,
		"versions":       entries,
		"links": []respond.Link{
			{Href: self + "/history", Rel: "self", Type: respond.MediaJSON, Title: "This history"},
			{Href: self, Rel: "about", Type: respond.MediaGeoJSON, Title: "The intervention"},
		},
	}))
}
