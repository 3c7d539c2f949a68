package web

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/lagesbild/lagesbild/layers"
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
}

// handleError is Echo's HTTPErrorHandler: the one place that turns an error into an answer
// and decides what is logged. Only 5xx details are hidden from the caller.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	p := Problem{Type: "about:blank", Instance: c.Request().URL.Path}
	var inv *layers.InvalidError
	var he *echo.HTTPError
	busy, isBusy := overloaded(err)
	switch {
	case errors.As(err, &inv):
		p.Status, p.Title, p.Detail, p.Param = http.StatusBadRequest, "Bad request", inv.Error(), inv.Param
	case errors.Is(err, layers.ErrNotFound):
		p.Status, p.Title, p.Detail = http.StatusNotFound, "Not found", err.Error()
	case errors.Is(err, layers.ErrForbidden):
		p.Status, p.Title, p.Detail = http.StatusForbidden, "Forbidden", err.Error()
	case errors.As(err, &he):
		p.Status, p.Title = he.Code, http.StatusText(he.Code)
		if msg, ok := he.Message.(string); ok && he.Code < 500 {
			p.Detail = msg
		}
	case isBusy: // no slot, past the deadline, a statement past its timeout (bounds.go)
		p.Status, p.Title, p.Detail = http.StatusServiceUnavailable, "Service unavailable", busy
		setRetryAfter(c.Response().Header())
	case errors.Is(err, context.Canceled):
		// The client went away; nobody reads the answer. 499 as nginx logs it.
		p.Status, p.Title = 499, "Client closed request"
	default:
		p.Status, p.Title = http.StatusInternalServerError, "Internal server error"
		p.Detail = "The error has been logged."
	}
	if p.Status >= 500 {
		s.log.ErrorContext(c.Request().Context(), "request failed", slog.String("path", c.Request().URL.Path), slog.Any("error", err))
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

// invalid returns the error for a bad query parameter.
func invalid(param, format string, args ...any) error { return layers.Invalid(param, format, args...) }

// refuseUnreadableText answers 400 for a path or query parameter holding a NUL character or
// bytes that are not UTF-8: PostgreSQL text cannot hold either, so they would otherwise reach
// the database and come back as a 500. One check here covers every handler.
func refuseUnreadableText(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if p := c.Request().URL.Path; strings.ContainsRune(p, 0) || !utf8.ValidString(p) {
			return invalid("path", "the path holds a NUL character or bytes that are not UTF-8")
		}
		for name, vals := range c.QueryParams() {
			if strings.ContainsRune(name, 0) || !utf8.ValidString(name) {
				return invalid("query", "a parameter name holds a NUL character or bytes that are not UTF-8")
			}
			for _, v := range vals {
				if strings.ContainsRune(v, 0) || !utf8.ValidString(v) {
					return invalid(name, "holds a NUL character or bytes that are not UTF-8")
				}
			}
		}
		return next(c)
	}
}
