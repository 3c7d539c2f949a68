package web

import (
	"context"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lagesbild/lagesbild/web/analysis"
	"github.com/lagesbild/lagesbild/web/report"
	"github.com/lagesbild/lagesbild/web/respond"
)

// reportRoutes mounts the report room (web/report), given what it shares with the APIs: the
// priority analysis, the follow-ups with their resource's default options, the places'
// densities (all of web/analysis) and the disclosure threshold of the aggregated view.
func (s *Server) reportRoutes(get func(string, echo.HandlerFunc)) {
	minCount := 0
	if s.cfg.AggregatedOnly {
		minCount = s.minCellCount()
	}
	report.New(report.Deps{
		Store:    s.store,
		Log:      s.log,
		Now:      func() time.Time { return s.now() },
		Notice:   respond.IllustrativeNotice,
		MinCount: minCount,
		Pilots:   s.reportPilots,
		FollowUps: func(ctx context.Context, ids []int64) (report.FollowUpOf, error) {
			return s.analyses.ReportFollowUps(ctx, ids)
		},
		FollowupHarm:   analysis.ReportFollowupHarm(),
		PlaceDensities: analysis.PlaceDensities,
		Send:           s.out.Send,
		Base:           s.baseURL,
	}).Routes(get)
}

// reportPilots are the areas the priority analysis ranks (web/analysis), as the report takes them.
func (s *Server) reportPilots(ctx context.Context, scenario string, year int) ([]report.Pilot, error) {
	areas, err := s.analyses.ReportPilots(ctx, scenario, year)
	if err != nil {
		return nil, err
	}
	out := make([]report.Pilot, len(areas))
	for i, a := range areas {
		out[i] = report.Pilot(a)
	}
	return out, nil
}
