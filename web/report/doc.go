// Package report is the Lägesbild report (GET /report): the municipal situational picture
// of a period as one printable HTML page, or as PDF — observations by district and category
// against the previous period, the indicator and Gi* hot spot maps, the districts' need
// ranking, the places of the last 28 days, the action plan and the follow-up of its
// interventions. web composes one Report and mounts its route.
//
// The report computes nothing of its own: it composes the loaders of layers and the
// analyses of geo that the APIs use (HotspotInputs and geo/hotspot for the Gi* map), and
// what only web knows how to run (the priority analysis, the follow-up's default options,
// the place densities) it is given as function values in Deps, so it never calls a handler
// and never imports web (TestDependenciesPointDown).
//
// Assumptions: the caller may read internal data (the route asks for it); Deps.MinCount,
// when not 0, makes every count read as the aggregated view shows it (web's disclosure
// rules); PDF is printed by Debian's Chromium headless, at most maxPDFPrinters at once, and
// without Chromium f=pdf answers 503 while the HTML report prints from any browser.
package report
