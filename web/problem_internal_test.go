package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/lagesbild/lagesbild/layers"
)

// answer runs err through handleError for GET /x and returns the recorded answer and its problem.
func answer(t *testing.T, err error) (*httptest.ResponseRecorder, Problem) {
	t.Helper()
	s := &Server{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	e := echo.New()
	rec := httptest.NewRecorder()
	s.handleError(err, e.NewContext(httptest.NewRequest(http.MethodGet, "/x", nil), rec))
	var p Problem
	if jerr := json.Unmarshal(rec.Body.Bytes(), &p); jerr != nil {
		t.Fatalf("%v: body %q is not a problem: %v", err, rec.Body, jerr)
	}
	return rec, p
}

// TestForbiddenKind: an error wrapping layers.ErrForbidden, at any depth, is a 403 problem.
func TestForbiddenKind(t *testing.T) {
	err := fmt.Errorf("patch intervention 7: %w", fmt.Errorf("policy: %w", layers.ErrForbidden))
	rec, p := answer(t, err)
	if got, want := rec.Code, http.StatusForbidden; got != want || p.Status != want {
		t.Errorf("status %d (problem %d), want %d", got, p.Status, want)
	}
	if got := rec.Header().Get(echo.HeaderContentType); got != "application/problem+json" {
		t.Errorf("content type %q", got)
	}
	if !errors.Is(err, layers.ErrForbidden) {
		t.Fatal("the test's error does not wrap the kind")
	}
}
