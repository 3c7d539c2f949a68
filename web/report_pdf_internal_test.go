package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"
)

// TestReportPDFPrinterLimit holds two prints open and checks that a third is refused at once
// with 503 and Retry-After, and that a released slot takes the next print.
func TestReportPDFPrinterLimit(t *testing.T) {
	p := newPDFPrinter(maxPDFPrinters, func(context.Context, []byte) ([]byte, error) { return nil, nil })
	e := echo.New()
	s := &Server{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	ctx := func() (echo.Context, *httptest.ResponseRecorder) {
		rec := httptest.NewRecorder()
		return e.NewContext(httptest.NewRequest(http.MethodGet, "/report?f=pdf", nil), rec), rec
	}
	var releases []func()
	for range maxPDFPrinters {
		c, _ := ctx()
		release, err := p.enter(c)
		if err != nil {
			t.Fatalf("print %d refused: %v", len(releases)+1, err)
		}
		releases = append(releases, release)
	}
	c, rec := ctx()
	if _, err := p.enter(c); err == nil {
		t.Fatalf("print %d of %d taken", maxPDFPrinters+1, maxPDFPrinters)
	} else {
		s.handleError(err, c)
	}
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") != "10" ||
		rec.Header().Get("Content-Type") != "application/problem+json" {
		t.Errorf("busy: %d, Retry-After %q, %s", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}
	releases[0]()
	c, _ = ctx()
	release, err := p.enter(c)
	if err != nil {
		t.Fatalf("after a release: %v", err)
	}
	release()
	releases[1]()
	if n := len(p.slots); n != 0 {
		t.Errorf("%d slots held after every release", n)
	}
}
