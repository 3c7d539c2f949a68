package report

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
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

// pdfIdle is how long the browser stays running after its last print: a meeting prints its
// papers together, and a browser kept between them saves its start (about a second quiet,
// several on a loaded machine) on every print but the first, at the cost of its memory
// (some 100–200 MB) while it waits.
const pdfIdle = 5 * time.Minute

// chromium prints reports with Debian's Chromium headless (the tool the browser tests
// already use), kept running between prints (pdfIdle) and printing each page in a tab of
// its own; a browser that ended (crashed, killed) is started again by the next print.
// Without Chromium a print answers 503: the HTML report prints from any browser.
type chromium struct {
	mu      sync.Mutex
	browser context.Context // the browser's first tab; nil when none runs
	stop    func()
	idle    *time.Timer
}

// browserCtx returns the running browser, starting one when none runs.
func (c *chromium) browserCtx() (context.Context, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.idle != nil {
		c.idle.Stop()
	}
	if c.browser != nil && c.browser.Err() == nil {
		return c.browser, nil
	}
	bin, err := exec.LookPath("chromium")
	if err != nil {
		return nil, echo.NewHTTPError(http.StatusServiceUnavailable, "PDF needs chromium on the server; print the HTML report instead")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(bin),
		chromedp.NoSandbox, // as the browser tests: the server may run as root in a container
		chromedp.DisableGPU)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	// The first action on bctx starts the process, and ties the browser to bctx: a deadline
	// on it would end the browser with the deadline. A start that fails leaves nothing behind.
	if err := chromedp.Do(bctx, chromedp.Navigate("about:blank")); err != nil {
		cancelBrowser()
		cancelAlloc()
		return nil, fmt.Errorf("starting chromium: %w", err)
	}
	c.browser, c.stop = bctx, func() { cancelBrowser(); cancelAlloc() }
	return c.browser, nil
}

// done arms the idle timer after a print: the browser stops when no print follows.
func (c *chromium) done() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.idle != nil {
		c.idle.Stop()
	}
	c.idle = time.AfterFunc(pdfIdle, c.close)
}

// close stops the browser if one runs.
func (c *chromium) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stop != nil {
		c.stop()
	}
	c.browser, c.stop = nil, nil
}

// footScript reads the foot line a report page asks for: the text of its
// <template id="print-foot"> and the page-number pattern in its data-page-of ("Sida %s av %s").
const footScript = `(() => { const f = document.getElementById('print-foot');
  return f ? {Text: f.content.textContent.trim(), PageOf: f.dataset.pageOf || ''} : {Text: '', PageOf: ''}; })()`

// printFoot is what footScript reads.
type printFoot struct{ Text, PageOf string }

// footTemplate is Chromium's foot template: the text and the page number in the page's foot
// margin, where no line of the report can run under it (a fixed element in the text area was
// printed over the last row of a full page). Chromium fills the pageNumber and totalPages
// spans; its template has no stylesheet of the page, so the style is inline and sized.
func footTemplate(text, pageOf string) string {
	pages := ""
	if parts := strings.SplitN(pageOf, "%s", 3); len(parts) == 3 {
		pages = html.EscapeString(parts[0]) + `<span class="pageNumber"></span>` + html.EscapeString(parts[1]) +
			`<span class="totalPages"></span>` + html.EscapeString(parts[2])
	}
	sep := ""
	if text != "" && pages != "" {
		sep = " · "
	}
	return `<div style="width:100%;margin:0 14mm;font:7pt 'DejaVu Sans',Arial,sans-serif;color:#b00;text-align:center">` +
		html.EscapeString(text) + sep + pages + `</div>`
}

// print prints doc (a whole HTML document) on A4 as its CSS lays it out.
func (c *chromium) print(ctx context.Context, doc []byte) ([]byte, error) {
	bctx, err := c.browserCtx()
	if err != nil {
		return nil, err
	}
	defer c.done()
	dir, err := os.MkdirTemp("", "lagesbild-report-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	in := filepath.Join(dir, "report.html")
	if err := os.WriteFile(in, doc, 0o600); err != nil {
		return nil, err
	}
	tab, closeTab := chromedp.NewContext(bctx)
	defer closeTab()
	// The tab goes when the request goes, and takes at most a minute.
	tab, cancel := context.WithTimeout(tab, 60*time.Second)
	defer cancel()
	defer context.AfterFunc(ctx, cancel)()
	if err := chromedp.Do(tab, chromedp.Navigate("file://"+in)); err != nil {
		return nil, fmt.Errorf("chromium: open the report: %w", err)
	}
	foot, err := chromedp.Run(tab, chromedp.Evaluate[printFoot](footScript))
	if err != nil {
		return nil, fmt.Errorf("chromium: read the report's foot line: %w", err)
	}
	pdf, err := chromedp.Run(tab, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4),
		func(p *page.PrintToPDFParams) {
			p.PreferCSSPageSize = new(true)
			p.DisplayHeaderFooter = new(true)
			p.HeaderTemplate = "<span></span>"
			p.FooterTemplate = footTemplate(foot.Text, foot.PageOf)
		}))
	if err != nil {
		return nil, fmt.Errorf("chromium: print the report: %w", err)
	}
	return pdf, nil
}
