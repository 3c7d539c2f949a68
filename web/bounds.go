package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/request"
)

// Every request has a deadline and runs its statements under a statement_timeout, both by its
// kind of work (layers.Work): maps and items are short, analyses longer, a partner upload
// longest. Analyses also take one of a few slots (request.Gate), so that however many are
// asked for at once the maps and items keep answering: a request that finds the slots taken
// waits briefly for one, then is answered 503 with Retry-After (issue 12, finding 8).
//
// Past its deadline or its statement_timeout a request is answered 503 with Retry-After, not
// 504 (the server is not a gateway: it is declining to spend more on the request now) and not
// 500 (nothing is broken). The detail says what to do: ask for less, or later.

// The defaults of the bounds (Config fields of the same names).
const (
	DefaultRequestTimeout    = 30 * time.Second
	DefaultAnalysisTimeout   = 60 * time.Second
	DefaultAnalysisQueueWait = 20 * time.Second
	// retryAfterSeconds is what a 503 asks the client to wait.
	retryAfterSeconds = 2
)

// DefaultMaxAnalyses is half the cores the process may use, at least one: the Go part of an
// analysis runs on one core, and the other half stays with maps and items.
func DefaultMaxAnalyses() int { return max(1, runtime.GOMAXPROCS(0)/2) }

// routeWork names the routes that are not map work, by method and route pattern. Hotspots
// and their tiles are analyses, but take a slot only on a memo miss (gatedLater); the partner
// upload is bounded by its own body and upload limits.
var routeWork = map[string]layers.Work{
	"GET /analysis/hotspots":        layers.WorkAnalysis,
	"GET /analysis/hotspots/places": layers.WorkAnalysis,
	"GET /analysis/hotspots/tiles/:tileMatrixSetId/:tileMatrix/:tileRow/:tileCol": layers.WorkAnalysis,
	"POST /analysis/priority":                 layers.WorkAnalysis,
	"POST /analysis/priority/compare":         layers.WorkAnalysis,
	"POST /deployment/plans":                  layers.WorkAnalysis,
	"GET /deployment/plans/:id/delivery":      layers.WorkAnalysis,
	"GET /analysis/followup/:interventionId":  layers.WorkAnalysis,
	"GET /report":                             layers.WorkAnalysis,
	"GET /report/week":                        layers.WorkAnalysis,
	"GET /analysis/week":                      layers.WorkAnalysis,
	"GET /partners/layers/:layerId/districts": layers.WorkAnalysis,
	"PUT /partners/layers/:layerId":           layers.WorkImport,
	"HEAD /analysis/hotspots":                 layers.WorkAnalysis,
	"HEAD /analysis/hotspots/places":          layers.WorkAnalysis,
	"HEAD /analysis/hotspots/tiles/:tileMatrixSetId/:tileMatrix/:tileRow/:tileCol": layers.WorkAnalysis,
	"HEAD /analysis/followup/:interventionId":                                      layers.WorkAnalysis,
	"HEAD /report":                             layers.WorkAnalysis,
	"HEAD /report/week":                        layers.WorkAnalysis,
	"HEAD /analysis/week":                      layers.WorkAnalysis,
	"HEAD /deployment/plans/:id/delivery":      layers.WorkAnalysis,
	"HEAD /partners/layers/:layerId/districts": layers.WorkAnalysis,
	"GET /analysis/forecast":                   layers.WorkAnalysis,
	"HEAD /analysis/forecast":                  layers.WorkAnalysis,
	"GET /analysis/forecast/tiles/:tileMatrixSetId/:tileMatrix/:tileRow/:tileCol":  layers.WorkAnalysis,
	"HEAD /analysis/forecast/tiles/:tileMatrixSetId/:tileMatrix/:tileRow/:tileCol": layers.WorkAnalysis,
}

// gatedLater are the analysis routes that take their slot themselves, when they compute
// (not when the memo answers).
var gatedLater = map[string]bool{
	"/analysis/hotspots": true,
	"/analysis/hotspots/tiles/:tileMatrixSetId/:tileMatrix/:tileRow/:tileCol": true,
	"/analysis/forecast": true,
	"/analysis/forecast/tiles/:tileMatrixSetId/:tileMatrix/:tileRow/:tileCol": true,
}

// errTooLong: the request ran past its deadline (its context's) while the client still waited.
var errTooLong = errors.New("the request took longer than the server allows")

// newAnalysisGate is the gate of n analyses at once, a further one waiting at most wait;
// 0 or less: DefaultMaxAnalyses and DefaultAnalysisQueueWait.
func newAnalysisGate(n int, wait time.Duration) *request.Gate {
	if n <= 0 {
		n = DefaultMaxAnalyses()
	}
	if wait <= 0 {
		wait = DefaultAnalysisQueueWait
	}
	return request.NewGate(n, wait)
}

// bound gives the request its kind of work, its deadline and, for an analysis, a slot.
func (s *Server) bound(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		work := routeWork[c.Request().Method+" "+c.Path()]
		timeout := s.cfg.RequestTimeout
		switch work {
		case layers.WorkAnalysis:
			timeout = s.cfg.AnalysisTimeout
		case layers.WorkImport:
			timeout = 0 // the body, upload and statement bounds hold it
		}
		ctx := layers.WithWork(c.Request().Context(), work)
		if timeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, timeout)
			defer cancel()
		}
		c.SetRequest(c.Request().WithContext(ctx))
		if work == layers.WorkAnalysis && !gatedLater[c.Path()] {
			release, err := s.gate.Acquire(ctx)
			if err != nil {
				return err
			}
			defer release()
		}
		err := next(c)
		if err != nil && errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil {
			return fmt.Errorf("%w (%s): %w", errTooLong, timeout, err)
		}
		return err
	}
}

// overloaded returns the detail of a 503 for err when err is the server declining to spend
// more on the request (no slot, past the deadline, a statement past its timeout).
func overloaded(err error) (string, bool) {
	switch {
	case errors.Is(err, request.ErrBusy):
		return "Every analysis slot is taken; try again shortly.", true
	case errors.Is(err, errTooLong), errors.Is(err, context.DeadlineExceeded):
		return "The request took longer than the server allows; ask for less (a smaller area, window or grid), or try again later.", true
	case layers.IsTimeout(err):
		return "A database statement took longer than the server allows; ask for less, or try again later.", true
	}
	return "", false
}

// setRetryAfter asks the client to wait before trying again.
func setRetryAfter(h http.Header) { h.Set("Retry-After", strconv.Itoa(retryAfterSeconds)) }
