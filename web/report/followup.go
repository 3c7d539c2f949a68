package report

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/respond"
)

// followups is section 6: the follow-up with the default options of every intervention
// started by to, composed from the same loader and geo/did as the follow-up resource
// (Deps.FollowUps), in lang's words of t.
//
// An intervention that cannot be followed up leaves a note in its row, not a failed report;
// a cancelled request stops the report (the context's error).
func (r *Report) followups(ctx context.Context, lang string, t text, spans []layers.InterventionSpan, to time.Time) ([]followup, error) {
	var ids []int64
	for _, sp := range spans {
		if sp.Start != nil && !sp.Start.After(to) {
			ids = append(ids, sp.ID)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	followUp, err := r.deps.FollowUps(ctx, ids)
	if err != nil {
		return nil, err
	}
	var out []followup
	for _, sp := range spans {
		if sp.Start == nil || sp.Start.After(to) {
			continue
		}
		res, err := followUp(sp.ID)
		if err != nil {
			note := t["fu_none"] // no start in the observed span, no target, deleted meanwhile
			var inv *layers.InvalidError
			if !errors.As(err, &inv) && !errors.Is(err, layers.ErrNotFound) {
				note = t["fu_failed"]
				r.deps.Log.ErrorContext(ctx, "report: follow-up failed", slog.Int64("intervention", sp.ID), slog.Any("error", err))
			}
			out = append(out, followup{Title: sp.Title, Start: ymd(*sp.Start), Note: note})
			continue
		}
		rf := followup{Title: sp.Title, Start: ymd(*sp.Start)}
		if e := res.Estimate; e != nil {
			rf.Effect, rf.Lo, rf.Hi = respond.Finite(respond.Round(e.Effect, 6)), respond.Round(e.Lo, 6), respond.Round(e.Hi, 6)
		}
		var comp []string
		for _, cm := range res.Comparison {
			comp = append(comp, cm.Name)
		}
		rf.Comparison = strings.Join(comp, ", ")
		for _, cv := range res.Caveats {
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
