package auth

// Audit (issue 7): logins (and failed logins), logouts, API tokens created and revoked, and
// every successful write land in the append-only audit_log (migration 008); admins read it
// at GET /audit.
//
// Writes are recorded by one middleware (AuditWrites) after the handler has answered 2xx,
// not in the write's own transaction: the writes run in the store's transactions across
// several files (interventions, scenarios, plans, doses), and carrying one transaction
// through all of them is a larger change than this one. The cost: a write whose audit
// insert then fails (database gone between the two statements) is logged as an error but
// stays unaudited. The audit insert runs detached from the request's cancellation, so a
// client hanging up after its write does not skip it.

import (
	"context"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/respond"
)

// auditTimeout bounds one audit insert detached from its request.
const auditTimeout = 10 * time.Second

// ownEntries are the identity routes, which record their own, more specific entries than a
// write's.
var ownEntries = []string{"/auth/login", "/auth/logout", "/auth/tokens", "/auth/tokens/:tokenId"}

// Audit appends e for the request c: the principal in its context (unless e has one), the
// method, path, remote address and status. A failure is logged, never answered: the request
// it records has already been decided.
func (a *Auth) Audit(c echo.Context, e layers.AuditEntry, who *layers.Principal) {
	req := c.Request()
	if who == nil {
		who = layers.PrincipalFrom(req.Context())
	}
	e.SetPrincipal(who)
	e.Method, e.Path, e.RemoteAddr = req.Method, req.URL.Path, c.RealIP()
	if e.Status == 0 {
		e.Status = c.Response().Status
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(req.Context()), auditTimeout)
	defer cancel()
	if _, err := a.store.Audit(ctx, e); err != nil {
		a.log.ErrorContext(ctx, "audit entry lost", "action", e.Action, "path", e.Path, "error", err)
	}
}

// AuditWrites is middleware that records every POST, PUT, PATCH and DELETE answered 2xx as a
// write, naming the object by the route's collection (or resource) and id. computes are the
// routes (as Echo names them, e.g. "/analysis/priority") that use POST to compute, not to
// change anything; they are not recorded.
func (a *Auth) AuditWrites(computes ...string) echo.MiddlewareFunc {
	skip := map[string]bool{}
	for _, r := range slices.Concat(computes, ownEntries) {
		skip[r] = true
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			err := next(c)
			if err != nil || safeMethod(c.Request().Method) || skip[c.Path()] {
				return err
			}
			if st := c.Response().Status; st < 200 || st > 299 {
				return nil
			}
			typ, id := auditObject(c)
			a.Audit(c, layers.AuditEntry{Action: layers.AuditWrite, ObjectType: typ, ObjectID: id,
				Details: map[string]any{"route": c.Path()}, DataClass: auditClass(c, typ)}, nil)
			return nil
		}
	}
}

// auditClassKey is where a write handler leaves the class of what it wrote, for its entry.
const auditClassKey = "lagesbild.auditClass"

// SetAuditClass records that the request wrote data of class class (for a change, the higher
// of before and after), so its audit entry is read only by who may read that (migration 017).
func SetAuditClass(c echo.Context, class layers.DataClass) { c.Set(auditClassKey, class) }

// auditClass is the class of a write's audit entry: what the handler said, else the class of
// the kind of object — scenarios are open, deployment plans and doses internal, partner
// layers (shared by organisation, not class) internal; anything else restricted, so a write
// route nobody classified reaches only those cleared for everything.
func auditClass(c echo.Context, typ string) layers.DataClass {
	if class, ok := c.Get(auditClassKey).(layers.DataClass); ok && class != "" {
		return class
	}
	switch {
	case typ == "scenarios":
		return layers.Open
	case typ == "plans", typ == "doses", strings.HasPrefix(typ, "partner-"):
		return layers.Internal
	}
	return layers.Restricted
}

// auditObject names what a write changed: the collection for feature writes, otherwise the
// route's resource (its last fixed segment, e.g. scenarios, plans, doses; partner-layers); the id from the
// path, or for a create from the Location header.
func auditObject(c echo.Context) (typ, id string) {
	segs := strings.Split(strings.Trim(c.Path(), "/"), "/")
	if col := c.Param("collectionId"); col != "" {
		typ = col
	} else if len(segs) > 1 && segs[0] == "collections" { // a collection's own static routes
		typ = segs[1]
	} else if len(segs) > 1 && segs[0] == "partners" { // a partner's layer: say whose kind of thing
		typ = "partner-" + segs[1]
	} else {
		for _, seg := range segs {
			if seg != "" && !strings.HasPrefix(seg, ":") {
				typ = seg
			}
		}
	}
	for _, name := range c.ParamNames() {
		if name != "collectionId" {
			id = c.Param(name)
		}
	}
	if id == "" {
		if loc := c.Response().Header().Get(echo.HeaderLocation); loc != "" {
			id = path.Base(strings.SplitN(loc, "?", 2)[0])
		}
	}
	return typ, id
}

// auditLog serves GET /audit: the audit log, newest first, to admins (the admin scope: an
// admin account, or an API token or JWT carrying admin). 401 anonymous, 403 otherwise.
func (a *Auth) auditLog(c echo.Context) error {
	p := layers.PrincipalFrom(c.Request().Context())
	if p.IsAnonymous() {
		return Unauthorized(c, false, "log in as an admin to read the audit log")
	}
	if !p.HasScope("admin") {
		return echo.NewHTTPError(http.StatusForbidden, "the audit log is for admins")
	}
	if err := respond.OnlyParams(c, "from", "to", "action", "organisation", "limit", "offset", "f"); err != nil {
		return err
	}
	f := layers.AuditFilter{Action: c.QueryParam("action"), Organisation: c.QueryParam("organisation")}
	var err error
	for _, tp := range []struct {
		name string
		dst  *time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		if raw := c.QueryParam(tp.name); raw != "" {
			if *tp.dst, err = time.Parse(time.RFC3339, raw); err != nil {
				return layers.Invalid(tp.name, "%q is not an RFC 3339 time such as 2026-03-02T08:00:00Z", raw)
			}
		}
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return layers.Invalid("to", "must be after from")
	}
	if f.Action != "" && !slices.Contains(layers.AuditActions, f.Action) {
		return layers.Invalid("action", "one of %s", strings.Join(layers.AuditActions, ", "))
	}
	if f.Limit, err = respond.Int("limit", c.QueryParam("limit"), 100, 1, layers.MaxAuditLimit); err != nil {
		return err
	}
	if f.Offset, err = respond.Int("offset", c.QueryParam("offset"), 0, 0, 1_000_000_000); err != nil {
		return err
	}
	entries, total, err := a.store.AuditLog(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return respond.NoStore(c, http.StatusOK, map[string]any{"entries": entries, "numberMatched": total, "numberReturned": len(entries)})
}
