package web

// Audit (issue 7): logins (and failed logins), logouts, API tokens created and revoked, and
// every successful write land in the append-only audit_log (migration 008); admins read it
// at GET /audit.
//
// Writes are recorded by one middleware (auditWrites) after the handler has answered 2xx,
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
)

// auditTimeout bounds one audit insert detached from its request.
const auditTimeout = 10 * time.Second

// notWrites are the routes that use POST to compute, not to change anything; the identity
// routes record their own, more specific entries.
var notWrites = map[string]bool{
	"/analysis/priority":         true,
	"/analysis/priority/compare": true,
	"/auth/login":                true,
	"/auth/logout":               true,
	"/auth/tokens":               true,
	"/auth/tokens/:tokenId":      true,
}

// audit appends e for the request c: the principal in its context (unless e has one), the
// method, path, remote address and status. A failure is logged, never answered: the request
// it records has already been decided.
func (s *Server) audit(c echo.Context, e layers.AuditEntry, who *layers.Principal) {
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
	if _, err := s.store.Audit(ctx, e); err != nil {
		s.log.ErrorContext(ctx, "audit entry lost", "action", e.Action, "path", e.Path, "error", err)
	}
}

// auditWrites records every POST, PUT, PATCH and DELETE answered 2xx as a write, naming the
// object by the route's collection (or resource) and id.
func (s *Server) auditWrites(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		err := next(c)
		m := c.Request().Method
		if err != nil || safeMethod(m) || notWrites[c.Path()] {
			return err
		}
		if st := c.Response().Status; st < 200 || st > 299 {
			return nil
		}
		typ, id := auditObject(c)
		s.audit(c, layers.AuditEntry{Action: layers.AuditWrite, ObjectType: typ, ObjectID: id,
			Details: map[string]any{"route": c.Path()}, DataClass: auditClass(c, typ)}, nil)
		return nil
	}
}

// auditClassKey is where a write handler leaves the class of what it wrote, for its entry.
const auditClassKey = "lagesbild.auditClass"

// setAuditClass records that the request wrote data of class class (for a change, the higher
// of before and after), so its audit entry is read only by who may read that (migration 017).
func setAuditClass(c echo.Context, class layers.DataClass) { c.Set(auditClassKey, class) }

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

func (s *Server) auditRoutes(get func(string, echo.HandlerFunc)) {
	get("/audit", s.auditLog)
}

// auditLog serves GET /audit: the audit log, newest first, to admins (the admin scope: an
// admin account, or an API token or JWT carrying admin). 401 anonymous, 403 otherwise.
func (s *Server) auditLog(c echo.Context) error {
	p := layers.PrincipalFrom(c.Request().Context())
	if p.IsAnonymous() {
		return unauthorized(c, false, "log in as an admin to read the audit log")
	}
	if !p.HasScope("admin") {
		return echo.NewHTTPError(http.StatusForbidden, "the audit log is for admins")
	}
	if err := onlyParams(c, "from", "to", "action", "organisation", "limit", "offset", "f"); err != nil {
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
				return invalid(tp.name, "%q is not an RFC 3339 time such as 2026-03-02T08:00:00Z", raw)
			}
		}
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return invalid("to", "must be after from")
	}
	if f.Action != "" && !slices.Contains(layers.AuditActions, f.Action) {
		return invalid("action", "one of %s", strings.Join(layers.AuditActions, ", "))
	}
	if f.Limit, err = parseInt("limit", c.QueryParam("limit"), 100, 1, layers.MaxAuditLimit); err != nil {
		return err
	}
	if f.Offset, err = parseInt("offset", c.QueryParam("offset"), 0, 0, 1_000_000_000); err != nil {
		return err
	}
	entries, total, err := s.store.AuditLog(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return s.sendNoStore(c, http.StatusOK, obj{"entries": entries, "numberMatched": total, "numberReturned": len(entries)})
}

// auditLoginFailed records a refused login. The name that was typed is not kept (it may be a
// password typed into the wrong field); an existing account is named by its id and
// organisation, so attempts on one account can be found.
func (s *Server) auditLoginFailed(c echo.Context, acct *layers.Account, passwordOK bool, status int) {
	reason, who := "unknown_account", layers.Anonymous()
	if acct != nil {
		who = acct.Principal(layers.CredentialSession)
		switch {
		case !passwordOK:
			reason = "wrong_password"
		case acct.Disabled:
			reason = "disabled"
		default:
			reason = "demo_refused"
		}
	}
	s.audit(c, layers.AuditEntry{Action: layers.AuditLoginFailed, Status: status, Details: map[string]any{"reason": reason}}, who)
}
