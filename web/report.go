package web

import (
	"context"
	"fmt"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lagesbild/lagesbild/geo/did"
	"github.com/lagesbild/lagesbild/web/report"
)

// reportRoutes mounts the report room (web/report), given what it shares with the APIs: the
// priority analysis, the follow-up with its resource's default options, the places' densities
// and the disclosure threshold of the aggregated view.
func (s *Server) reportRoutes(get func(string, echo.HandlerFunc)) {
	minCount := 0
	if s.cfg.AggregatedOnly {
		minCount = s.minCellCount()
	}
	opt := defaultFollowupOptions()
	report.New(report.Deps{
		Store:    s.store,
		Log:      s.log,
		Now:      func() time.Time { return s.now() },
		Notice:   illustrativeNotice,
		MinCount: minCount,
		Pilots:   s.reportPilots,
		FollowUps: func(ctx context.Context, ids []int64) (report.FollowUpOf, error) {
			return s.reportFollowups(ctx, ids, opt)
		},
		FollowupHarm:   opt.Weighting == "harm",
		PlaceDensities: placeDensities,
		Send:           s.send,
		Base:           s.baseURL,
	}).Routes(get)
}

// reportPilots are the areas the priority analysis of scenario in year ranks (a finite
// index, a rank), as the report's district comparison shows them.
func (s *Server) reportPilots(ctx context.Context, scenario string, year int) ([]report.Pilot, error) {
	pr, err := s.prioritise(ctx, &priorityParams{Scenario: scenario, Year: year})
	if err != nil {
		return nil, err
	}
	var out []report.Pilot
	for a, r := range pr.res.Areas {
		if fp(r.Index) == nil || r.Rank == 0 {
			continue
		}
		ar := pr.data.Areas[a]
		out = append(out, report.Pilot{Code: ar.Code, Name: ar.Name, Index: r.Index, Rank: r.Rank, Pilot: r.Pilot, Class: ar.PoliceClass})
	}
	return out, nil
}

// reportFollowups are the follow-ups of interventions ids without their indicators, which
// the report does not show: the follow-up resource's loader, read once for all of them
// (layers.FollowupBasis), and geo/did.
func (s *Server) reportFollowups(ctx context.Context, ids []int64, opt followupOptions) (report.FollowUpOf, error) {
	b, err := s.store.FollowupBasis(ctx, opt.query(false), ids)
	if err != nil {
		return nil, err
	}
	return func(id int64) (*did.Result, error) {
		in, err := b.Inputs(id)
		if err != nil {
			return nil, err
		}
		r, err := did.FollowUp(in.Input, opt.K, opt.didOptions())
		if err != nil {
			return nil, fmt.Errorf("follow-up of intervention %d: %w", id, err)
		}
		return r, nil
	}, nil
}
