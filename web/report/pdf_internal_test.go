package report

import (
	"context"
	"errors"
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
	_, err := p.enter(c)
	if err == nil {
		t.Fatalf("print %d of %d taken", maxPDFPrinters+1, maxPDFPrinters)
	}
	// web's one mapper answers an *echo.HTTPError with its code as a problem (TestErrors).
	var he *echo.HTTPError
	if !errors.As(err, &he) || he.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") != "10" {
		t.Errorf("busy: %v, Retry-After %q", err, rec.Header().Get("Retry-After"))
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
