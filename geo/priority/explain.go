package priority

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// part is one positive contribution, named by its key.
type part struct {
	key string
	c   float64
}

// top returns the two largest positive contributions of keys, largest first, ties by key,
// and the sum of all positive ones.
func top(keys []string, contrib []float64) ([]part, float64) {
	var ps []part
	sum := 0.0
	for j, k := range keys {
		if c := contrib[j]; c > 0 && !math.IsInf(c, 1) {
			ps = append(ps, part{k, c})
			sum += c
		}
	}
	slices.SortFunc(ps, func(a, b part) int { return cmp.Or(cmp.Compare(b.c, a.c), strings.Compare(a.key, b.key)) })
	return ps[:min(2, len(ps))], sum
}

// explain writes pilot p's reasons from its numbers, in Swedish and English: its need rank
// and what drives it most, its conditions and what makes them good, an early warning, its
// rank's spread over the sensitivity draws, and whether the planners asked for it.
func explain(p Pilot, out *Result, k int, cat map[string]Indicator, feasNames map[string][2]string) (string, string) {
	d := &out.Areas[p.Area]
	drivers, sum := top(out.Need.Keys, d.Contributions)
	var drvSV, drvEN []string
	for _, pt := range drivers {
		ind := cat[pt.key]
		valSV, valEN := "", ""
		if v := d.Values[slices.Index(out.Need.Keys, pt.key)]; !math.IsNaN(v) {
			valSV = svNum(v, 1) + " " + ind.Unit
			valEN = strconv.FormatFloat(v, 'f', 1, 64) + " " + ind.Unit
		}
		share := 100 * pt.c / sum
		drvSV = append(drvSV, fmt.Sprintf("%s (%s, %s %% av det positiva bidraget)", lower(ind.NameSV), strings.TrimSpace(valSV), svNum(share, 0)))
		drvEN = append(drvEN, fmt.Sprintf("%s (%s, %.0f %% of the positive contribution)", lower(ind.NameEN), strings.TrimSpace(valEN), share))
	}
	needSV := fmt.Sprintf("Behov: rang %d av %d", p.NeedRank, out.Ranked)
	needEN := fmt.Sprintf("Need: rank %d of %d", p.NeedRank, out.Ranked)
	if len(drvSV) > 0 {
		needSV += ", främst drivet av " + strings.Join(drvSV, " och ")
		needEN += ", driven mainly by " + strings.Join(drvEN, " and ")
	}
	feasSV, feasEN := "förutsättningar okända", "conditions unknown"
	if !math.IsNaN(d.Feasibility) {
		quality := [2]string{"svagare förutsättningar", "weaker conditions"}
		if d.Quadrant == HighNeedGoodConditions || d.Quadrant == LowerNeedGoodConditions {
			quality = [2]string{"goda förutsättningar", "good conditions"}
		}
		feasSV = fmt.Sprintf("%s (%s, rang %d)", quality[0], svNum(d.Feasibility, 2), p.FeasibilityRank)
		feasEN = fmt.Sprintf("%s (%.2f, rank %d)", quality[1], d.Feasibility, p.FeasibilityRank)
		var fsv, fen []string
		parts, _ := top(out.FeasibilityKeys, d.FeasibilityContributions)
		for _, pt := range parts {
			fsv, fen = append(fsv, feasNames[pt.key][0]), append(fen, feasNames[pt.key][1])
		}
		if len(fsv) > 0 {
			feasSV += " tack vare " + strings.Join(fsv, " och ")
			feasEN += " thanks to " + strings.Join(fen, " and ")
		}
	}
	sv, en := needSV+"; "+feasSV+".", needEN+"; "+feasEN+"."
	if d.EarlyWarning {
		sv += " Tidig varning: indexet stiger mot den mest utsatta gruppen."
		en += " Early warning: the index is rising towards the most vulnerable group."
	}
	if s := d.Sensitivity; s != nil {
		sv += fmt.Sprintf(" Rang %s–%s i 90 %% av känslighetsdragningarna; topp %d i %s %%.", svNum(s.P05, 0), svNum(s.P95, 0), k, svNum(100*s.PTopK, 0))
		en += fmt.Sprintf(" Rank %.0f–%.0f in 90 %% of the sensitivity draws; top %d in %.0f %%.", s.P05, s.P95, k, 100*s.PTopK)
	}
	if p.Included {
		sv += " Medtagen på planerarnas begäran."
		en += " Included at the planners' request."
	}
	return sv, en
}

// svNum formats x with a decimal comma, as Swedish readers expect.
func svNum(x float64, decimals int) string {
	return strings.Replace(strconv.FormatFloat(x, 'f', decimals, 64), ".", ",", 1)
}
