package did

import (
	"fmt"
	"math"
	"strings"
)

// Thresholds of the caveats.
const (
	// SmallCountPerPeriod: fewer observations per period in the target area, before or
	// after, are small numbers.
	SmallCountPerPeriod = 10
	// ShortPostMonths: a follow-up of fewer months after the start is short.
	ShortPostMonths = 6
	// RisingPlacePct and RisingPlaceMin: a neighbouring place whose observations per period
	// rose by at least this many per cent, to at least this many, is named.
	RisingPlacePct = 50
	RisingPlaceMin = 2
)

// Caveat is a warning about reading a follow-up, in Swedish and English; Code names it
// (no_estimate, small_counts, concurrent, displacement, diffusion_of_benefit,
// neighbouring_places, short_post, short_pre, pre_trend, buffer_area).
type Caveat struct {
	Code, SV, EN string
}

// Caveats returns the caveats that the numbers of r, a follow-up of in, call for, in a
// fixed order (that of the codes above). It reads in's periods, target and r's estimate,
// target series (r.Series[0]), concurrent interventions, neighbours and places.
func Caveats(in Input, r *Result) []Caveat {
	out := []Caveat{}
	add := func(code, sv, en string) { out = append(out, Caveat{Code: code, SV: sv, EN: en}) }
	pre, post := in.Pre, in.Post
	if r.Estimate == nil {
		if pre < 2 || post < 2 {
			add("no_estimate", fmt.Sprintf("Ingen skattning: det finns %d perioder före och %d efter starten; minst två av varje behövs.", pre, post),
				fmt.Sprintf("No estimate: there are %d periods before and %d after the start; at least two of each are needed.", pre, post))
		} else {
			add("no_estimate", "Ingen skattning: det finns inga jämförelseområden (alla områden är mål, grannar eller har en liknande insats samtidigt).",
				"No estimate: there are no comparison districts (every district is a target, a neighbour or has a similar intervention at the same time).")
		}
	}
	if nPre, nPost, small := smallCounts(r, pre, post); small {
		add("small_counts", fmt.Sprintf("Små tal: %d observationer före och %d efter i målområdet (färre än %d per period). Slumpen kan förklara skillnaden.", nPre, nPost, SmallCountPerPeriod),
			fmt.Sprintf("Small numbers: %d observations before and %d after in the target area (fewer than %d per period). Chance may explain the difference.", nPre, nPost, SmallCountPerPeriod))
	}
	if len(r.Concurrent) > 0 {
		titles := make([]string, len(r.Concurrent))
		for k, c := range r.Concurrent {
			titles[k] = c.Title
		}
		list := strings.Join(titles, "; ")
		sv, en := fmt.Sprintf("%d andra insatser pågick", len(titles)), fmt.Sprintf("%d other interventions ran", len(titles))
		if len(titles) == 1 {
			sv, en = "1 annan insats pågick", "1 other intervention ran"
		}
		add("concurrent", sv+fmt.Sprintf(" i målområdet under perioden (%s). Skattningen visar deras samlade effekt, inte bara denna insats.", list),
			en+fmt.Sprintf(" in the target area during the period (%s). The estimate shows their joint effect, not this intervention alone.", list))
	}
	out = append(out, neighbourCaveats(r)...)
	out = append(out, periodCaveats(in)...)
	if e := r.Estimate; e != nil && pre >= 2 {
		// The gap's drift over the pre periods, against the effect: a drift of half the
		// effect or more could make the effect by itself.
		drift := math.Abs(e.PreTrendGap) * float64(pre)
		if drift > math.Abs(e.Effect)/2 && drift > 0 {
			add("pre_trend", "Målområdet och jämförelseområdena följdes inte helt åt före starten; skattningen förutsätter att de hade gjort det efteråt utan insatsen.",
				"The target and the comparison districts did not move fully in step before the start; the estimate assumes they would have afterwards without the intervention.")
		}
	}
	if in.Target.BufferM > 0 {
		add("buffer_area", fmt.Sprintf("Målområdet är insatsens geometri med %.0f m buffert; befolkningen är uppskattad efter yta.", in.Target.BufferM),
			fmt.Sprintf("The target area is the intervention's geometry buffered by %.0f m; its population is estimated by area.", in.Target.BufferM))
	}
	return out
}

// smallCounts returns the target's observations before and after the start, and whether
// either phase has fewer than SmallCountPerPeriod per period.
func smallCounts(r *Result, pre, post int) (nPre, nPost int64, small bool) {
	if len(r.Series) == 0 {
		return 0, 0, false
	}
	for k, c := range r.Series[0].Counts {
		if k < pre {
			nPre += c
		} else {
			nPost += c
		}
	}
	small = (pre > 0 && float64(nPre)/float64(pre) < SmallCountPerPeriod) || (post > 0 && float64(nPost)/float64(post) < SmallCountPerPeriod)
	return nPre, nPost, small
}

// neighbourCaveats are the caveats on the neighbours' signs and the neighbouring places.
func neighbourCaveats(r *Result) []Caveat {
	var out []Caveat
	add := func(code, sv, en string) { out = append(out, Caveat{Code: code, SV: sv, EN: en}) }
	var disp, diff []string
	for _, nb := range r.Neighbours {
		switch nb.Sign {
		case SignDisplacement:
			disp = append(disp, nb.Name)
		case SignDiffusion:
			diff = append(diff, nb.Name)
		}
	}
	if len(disp) > 0 {
		add("displacement", "Tecken på förflyttning: observationerna ökade jämfört med jämförelseområdena i grannområdena "+strings.Join(disp, ", ")+".",
			"Signs of displacement: observations rose against the comparison districts in the neighbouring districts "+strings.Join(disp, ", ")+".")
	}
	if len(diff) > 0 {
		add("diffusion_of_benefit", "Spridning av nytta: observationerna minskade även i grannområdena "+strings.Join(diff, ", ")+".",
			"Diffusion of benefit: observations fell in the neighbouring districts "+strings.Join(diff, ", ")+" too.")
	}
	var rising []string
	for _, p := range r.Places {
		if p.Role == RoleNeighbour && p.ChangePct != nil && *p.ChangePct >= RisingPlacePct && p.Post >= RisingPlaceMin {
			rising = append(rising, p.Name)
		}
	}
	if len(rising) > 0 {
		add("neighbouring_places", "Platser i grannområdena där observationerna ökat med minst hälften: "+strings.Join(rising, ", ")+".",
			"Places in neighbouring districts where observations rose by half or more: "+strings.Join(rising, ", ")+".")
	}
	return out
}

// periodCaveats are the caveats on a short follow-up and a short pre-period.
func periodCaveats(in Input) []Caveat {
	var out []Caveat
	add := func(code, sv, en string) { out = append(out, Caveat{Code: code, SV: sv, EN: en}) }
	if months := in.Post * in.Months; months < ShortPostMonths || in.Post < in.WantPost {
		add("short_post", fmt.Sprintf("Kort uppföljningstid: %d månader efter starten. Effekter av förebyggande insatser syns ofta först efter år.", months),
			fmt.Sprintf("Short follow-up: %d months after the start. Effects of preventive work often show only after years.", months))
	}
	if in.Pre < in.WantPre {
		add("short_pre", fmt.Sprintf("Kort förperiod: bara %d av %d begärda perioder före starten finns i data.", in.Pre, in.WantPre),
			fmt.Sprintf("Short pre-period: only %d of the %d periods asked for before the start are in the data.", in.Pre, in.WantPre))
	}
	return out
}
