package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/lagesbild/lagesbild/geo/did"
	"github.com/lagesbild/lagesbild/layers"
)

// reportFollowups is the report's follow-up section: the follow-up with the default options
// of every intervention started by to, composed from the same loader and geo/did as the
// follow-up resource, in lang's words of t.
//
// An intervention that cannot be followed up leaves a note in its row, not a failed report;
// a cancelled request stops the report (the context's error).
func (s *Server) reportFollowups(ctx context.Context, lang string, t reportText, spans []layers.InterventionSpan, to time.Time) ([]reportFollowup, error) {
	opt := defaultFollowupOptions()
	var out []reportFollowup
	for _, sp := range spans {
		if sp.Start == nil || sp.Start.After(to) {
			continue
		}
		r, err := s.reportFollowup(ctx, sp.ID, opt)
		if err != nil {
			if ctx.Err() != nil {
				return nil, err
			}
			note := t["fu_none"] // no start in the observed span, no target, deleted meanwhile
			var inv *layers.InvalidError
			if !errors.As(err, &inv) && !errors.Is(err, layers.ErrNotFound) {
				note = t["fu_failed"]
				s.log.ErrorContext(ctx, "report: follow-up failed", slog.Int64("intervention", sp.ID), slog.Any("error", err))
			}
			out = append(out, reportFollowup{Title: sp.Title, Start: ymd(*sp.Start), Note: note})
			continue
		}
		rf := reportFollowup{Title: sp.Title, Start: ymd(*sp.Start), Unit: followupUnit(opt)}
		if e := r.Estimate; e != nil {
			rf.Effect, rf.Lo, rf.Hi = fp(round(e.Effect, 6)), round(e.Lo, 6), round(e.Hi, 6)
		}
		var comp []string
		for _, cm := range r.Comparison {
			comp = append(comp, cm.Name)
		}
		rf.Comparison = strings.Join(comp, ", ")
		for _, cv := range r.Caveats {
			if lang == "en" {
				rf.Caveats = append(rf.Caveats, cv.EN)
			} else {
				rf.Caveats = append(rf.Caveats, cv.SV)
			}
		}
		out = append(out, rf)
	}
	return out, nil
}

// reportFollowup is the follow-up of intervention id without its indicators, which the
// report does not show.
func (s *Server) reportFollowup(ctx context.Context, id int64, opt followupOptions) (*did.Result, error) {
	in, err := s.store.FollowupInputs(ctx, id, opt.query(false))
	if err != nil {
		return nil, err
	}
	r, err := did.FollowUp(in.Input, opt.K, opt.didOptions())
	if err != nil {
		return nil, fmt.Errorf("follow-up of intervention %d: %w", id, err)
	}
	return r, nil
}
