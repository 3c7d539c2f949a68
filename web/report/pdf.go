package report

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
)

// maxPDFPrinters bounds the Chromium processes printing reports at once: each takes a few
// hundred MB and seconds of CPU, so a burst of f=pdf requests must not start one per request.
const maxPDFPrinters = 2

// pdfRetryAfter is the Retry-After of a 503 when every printer is busy: about one print.
const pdfRetryAfter = 10 * time.Second

// pdfPrinter prints reports with at most cap(slots) prints running; a print that finds every
// slot taken is refused at once rather than queued, so waiting requests hold no resources.
type pdfPrinter struct {
	slots chan struct{}
	run   func(ctx context.Context, page []byte) ([]byte, error)
}

func newPDFPrinter(n int, run func(context.Context, []byte) ([]byte, error)) *pdfPrinter {
	return &pdfPrinter{slots: make(chan struct{}, n), run: run}
}

// enter takes a slot for the request, or answers 503 with Retry-After when all are taken;
// the caller calls release when the print is done.
func (p *pdfPrinter) enter(c echo.Context) (release func(), err error) {
	select {
	case p.slots <- struct{}{}:
		return func() { <-p.slots }, nil
	default:
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(pdfRetryAfter.Seconds())))
		return nil, echo.NewHTTPError(http.StatusServiceUnavailable,
			fmt.Sprintf("%d PDF reports are being printed; try again shortly, or print the HTML report", cap(p.slots)))
	}
}

// printPDF prints the report with Debian's Chromium headless (the tool the browser tests
// already use). Without it the answer is 503: the HTML report prints from any browser.
func printPDF(ctx context.Context, page []byte) ([]byte, error) {
	bin, err := exec.LookPath("chromium")
	if err != nil {
		return nil, echo.NewHTTPError(http.StatusServiceUnavailable, "PDF needs chromium on the server; print the HTML report instead")
	}
	dir, err := os.MkdirTemp("", "lagesbild-report-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	in, out := filepath.Join(dir, "report.html"), filepath.Join(dir, "report.pdf")
	if err := os.WriteFile(in, page, 0o600); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--print-to-pdf="+out, "file://"+in)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("chromium --print-to-pdf: %w: %s", err, msg)
	}
	return os.ReadFile(out)
}
