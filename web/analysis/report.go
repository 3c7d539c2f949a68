package analysis

import (
	"context"
	"fmt"

	"github.com/lagesbild/lagesbild/geo/did"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/respond"
)

// What the report (web/report) composes of the analyses: web gives it these as function
// values, so the report never calls a handler and the rooms do not import each other.

// RankedArea is an area the priority analysis ranks, as the report's district comparison
// shows it (the fields of report.Pilot, which web converts it to).
type RankedArea struct {
	Code, Name string
	Index      float64
	Rank       int
	Pilot      bool
	Class      string
}

// ReportPilots are the areas the priority analysis of scenario in year ranks (a finite
// index, a rank), in any order. Its errors name the parameter at fault.
func (s *Room) ReportPilots(ctx context.Context, scenario string, year int) ([]RankedArea, error) {
	pr, err := s.prioritise(ctx, &priorityParams{Scenario: scenario, Year: year})
	if err != nil {
		return nil, err
	}
	var out []RankedArea
	for a, r := range pr.res.Areas {
		if respond.Finite(r.Index) == nil || r.Rank == 0 {
			continue
		}
		ar := pr.data.Areas[a]
		out = append(out, RankedArea{Code: ar.Code, Name: ar.Name, Index: r.Index, Rank: r.Rank, Pilot: r.Pilot, Class: ar.PoliceClass})
	}
	return out, nil
}

// ReportFollowUps are the follow-ups of interventions ids with the follow-up resource's
// default options and without their indicators, which the report does not show: the
// follow-up resource's loader, read once for all of them (layers.FollowupBasis), and geo/did.
func (s *Room) ReportFollowUps(ctx context.Context, ids []int64) (func(id int64) (*did.Result, error), error) {
	opt := defaultFollowupOptions()
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

// ReportFollowupHarm says whether the follow-up resource's default options weigh
// observations by harm.
func ReportFollowupHarm() bool { return defaultFollowupOptions().Weighting == "harm" }

// PlaceDensities are the kernel densities (bandwidth h metres, per km²) of a place's current
// and previous observations, as /analysis/hotspots/places computes them.
func PlaceDensities(p layers.HotspotPlace, h float64) (cur, prev float64) {
	return placeDensities(p, h)
}
