package web

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/lagesbild/lagesbild/geo/input"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/featurefile"
)

// Problem is an RFC 9457 problem document.
type Problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail,omitempty"`
	Instance string `json:"instance,omitempty"`
	// Param names the query parameter or field at fault, for invalid input.
	Param string `json:"param,omitempty"`
	// InvalidParams says, for invalid input, why Param was refused in a form a client can word
	// in its reader's language (RFC 9457 §3's "invalid-params" example, with a code): Detail
	// stays English for people reading the API.
	InvalidParams []InvalidParam `json:"invalid-params,omitempty"`
}

// InvalidParam is one refused parameter of a 400: its name, the English reason, the reason's
// code (one of layers.ReasonCodes) and the values the code's wording needs.
type InvalidParam struct {
	Name   string         `json:"name"`
	Reason string         `json:"reason"`
	Code   string         `json:"code"`
	Values map[string]any `json:"values,omitempty"`
}

// unavailableRetryAfter is the Retry-After of a 503 for an unavailable database: about the
// time PostgreSQL takes to restart.
const unavailableRetryAfter = 5 * time.Second

// clientContextKey holds, in the Echo context, the request's context as the connection gave
// it (set by observe), whose cancellation means the client went away.
const clientContextKey = "lagesbild.clientContext"

// statusClientClosed is nginx's 499: the client went away before the answer; nobody reads it.
const statusClientClosed = 499

// handleError is Echo's HTTPErrorHandler: the one place that turns an error into an answer
// and decides what is logged. The kinds, in the order they are recognised:
//
//	client went away (context.Canceled, or the request context cancelled) 499, not logged
//	*layers.InvalidError                                                 400, names the parameter
//	*input.Error (a geo computation's invalid input)                     400, names the field
//	*featurefile.Error of a file as it stands                            400, names feature or body
//	*echo.HTTPError (a handler's own answer)                             its status
//	overloaded (no analysis slot, past the request's deadline or a
//	statement_timeout: bounds.go)                                        503 with Retry-After, saying which
//	layers.ErrNotFound                                                   404
//	layers.ErrForbidden, and PostgreSQL's 42501 (row-level security)     403
//	layers.ErrConflict                                                   409
//	layers.ErrVersionMismatch                                            412
//	layers.ErrTooLarge (a featurefile limit)                             413
//	layers.ErrUnavailable (outage, restart, retryable; see layers.Kind),
//	and any other context.DeadlineExceeded                               503 with Retry-After
//	anything else                                                        500
//
// Only 4xx answers show the error's text, and only when the error wraps the kind itself (the
// text is ours); a kind read from a database error gets a fixed text, since PostgreSQL's
// message names tables and policies. 5xx details are hidden from the caller and logged.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	ctx := c.Request().Context()
	// Whether the client went away is a question for the connection's context, which observe
	// keeps: middlewares inside it replace the request's with a derived one (a deadline) that
	// they cancel when they return, before this runs. Without it, only the error can say.
	client := context.Background()
	if cc, ok := c.Get(clientContextKey).(context.Context); ok {
		client = cc
	}
	p := Problem{Type: "about:blank", Instance: c.Request().URL.Path}
	invalid, detail, isInvalid := invalidInput(err)
	var he *echo.HTTPError
	busy, isBusy := overloaded(err)
	kind := layers.Kind(err)
	// ours is the error's own text when it wraps the kind (written for the caller), else fixed.
	ours := func(fixed string) string {
		if kind != nil && errors.Is(err, kind) {
			return err.Error()
		}
		return fixed
	}
	level, logged := slog.LevelError, true
	switch {
	case errors.Is(err, context.Canceled) || errors.Is(client.Err(), context.Canceled):
		// Whatever the error says (a query cancelled mid-way may come back as a PostgreSQL
		// error), the client is gone: not a failure of the server.
		p.Status, p.Title = statusClientClosed, "Client closed request"
		level = slog.LevelDebug
	case isInvalid:
		p.Status, p.Title, p.Detail, p.Param = http.StatusBadRequest, "Bad request", detail, invalid.Name
		p.InvalidParams = []InvalidParam{invalid}
		logged = false
	case errors.As(err, &he):
		p.Status, p.Title = he.Code, http.StatusText(he.Code)
		if msg, ok := he.Message.(string); ok && he.Code < 500 {
			p.Detail = msg
		}
		logged = he.Code >= 500
	case isBusy: // no slot, past the deadline, a statement past its timeout (bounds.go)
		p.Status, p.Title, p.Detail = http.StatusServiceUnavailable, "Service unavailable", busy
		setRetryAfter(c.Response().Header())
		level = slog.LevelWarn
	case kind == layers.ErrNotFound:
		p.Status, p.Title, p.Detail = http.StatusNotFound, "Not found", ours("not found")
		logged = false
	case kind == layers.ErrForbidden:
		p.Status, p.Title, p.Detail = http.StatusForbidden, "Forbidden", ours("the database's access policy refuses this for your organisation and role")
		// A refusal only the database made means a check in Go is missing: worth a look.
		level, logged = slog.LevelWarn, !errors.Is(err, layers.ErrForbidden)
	case kind == layers.ErrConflict:
		p.Status, p.Title, p.Detail = http.StatusConflict, "Conflict", ours("conflicts with what is stored")
		logged = false
	case kind == layers.ErrVersionMismatch:
		p.Status, p.Title, p.Detail = http.StatusPreconditionFailed, "Precondition failed", ours("the version named in If-Match is not the current one")
		logged = false
	case kind == layers.ErrTooLarge:
		p.Status, p.Title, p.Detail = http.StatusRequestEntityTooLarge, http.StatusText(http.StatusRequestEntityTooLarge), ours("larger than a limit allows")
		logged = false
	case kind == layers.ErrUnavailable || errors.Is(err, context.DeadlineExceeded):
		p.Status, p.Title = http.StatusServiceUnavailable, "Service unavailable"
		p.Detail = "The database is not answering at the moment; try again shortly."
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(unavailableRetryAfter.Seconds())))
		level = slog.LevelWarn
	default:
		p.Status, p.Title = http.StatusInternalServerError, "Internal server error"
		p.Detail = "The error has been logged."
	}
	if logged {
		s.log.Log(ctx, level, "request failed", slog.String("path", truncateForLog(c.Request().URL.Path)), slog.Int("status", p.Status), slog.Any("error", err))
	}
	body, _ := json.Marshal(p)
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "application/problem+json")
	h.Set("Cache-Control", "no-store")
	c.Response().WriteHeader(p.Status)
	if c.Request().Method != http.MethodHead {
		_, _ = c.Response().Write(body)
	}
}

// invalidInput is the parameter at fault (with its reason's code) and the text of a 400 when
// err is invalid input, in this order: a parameter the request got wrong
// (*layers.InvalidError), a geo computation's refusal (*input.Error, naming its field), or a
// file the reader refused as it stands (*featurefile.Error but not a limit exceeded: the
// feature, or the body for the whole file).
func invalidInput(err error) (param InvalidParam, detail string, ok bool) {
	var inv *layers.InvalidError
	var gi *input.Error
	var ff *featurefile.Error
	switch {
	case errors.As(err, &inv):
		code := inv.Code
		if code == "" {
			code = layers.CodeInvalid
		}
		return InvalidParam{Name: inv.Param, Reason: inv.Reason, Code: code, Values: inv.Values}, inv.Error(), true
	case errors.As(err, &gi):
		return InvalidParam{Name: gi.Field, Reason: gi.Error(), Code: layers.CodeInvalid}, gi.Error(), true
	case errors.As(err, &ff) && !ff.TooLarge:
		p := InvalidParam{Name: "body", Reason: ff.Error(), Code: layers.CodeFileFeature, Values: map[string]any{}}
		if ff.Feature > 0 {
			p.Name, p.Values["feature"] = "feature", ff.Feature
		}
		if ff.Line > 0 {
			p.Values["line"] = ff.Line
		}
		if ff.Field != "" {
			p.Values["field"] = ff.Field
		}
		if strings.Contains(ff.Msg, featurefile.SWEREFHint) { // the reader's hint, a constant
			p.Code = layers.CodeLooksSWEREF
		}
		return p, "invalid " + p.Name + ": " + ff.Error(), true
	}
	return InvalidParam{}, "", false
}

// refuseUnreadableText answers 400 for a path or query parameter holding a NUL character or
// bytes that are not UTF-8: PostgreSQL text cannot hold either, so they would otherwise reach
// the database and come back as a 500. One check here covers every handler.
func refuseUnreadableText(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if p := c.Request().URL.Path; strings.ContainsRune(p, 0) || !utf8.ValidString(p) {
			return layers.Invalid("path", "the path holds a NUL character or bytes that are not UTF-8")
		}
		for name, vals := range c.QueryParams() {
			if strings.ContainsRune(name, 0) || !utf8.ValidString(name) {
				return layers.Invalid("query", "a parameter name holds a NUL character or bytes that are not UTF-8")
			}
			for _, v := range vals {
				if strings.ContainsRune(v, 0) || !utf8.ValidString(v) {
					return layers.Invalid(name, "holds a NUL character or bytes that are not UTF-8")
				}
			}
		}
		return next(c)
	}
}
