// Package priority chooses where to start a pilot intervention: it ranks areas by need (a
// composite index of indicators, geo/composite), scores their feasibility (the chance of
// success), warns early of areas whose index is rising towards the most needy group, classes
// them into Statistics Sweden's area types, recommends k pilots by need and feasibility
// together, and explains each pilot in Swedish and English.
//
// Assumptions: the areas are rows in a fixed order (sorted by code), so ties rank by that
// order and every answer is deterministic; a value is NaN when missing, never zero; indicator
// values are yearly, one matrix per year, and an index series is always scored with the fit
// of the year analysed, so a change reflects the values and not the comparison group. Invalid
// input is refused with a *input.Error naming the field as the caller's request names it
// ("weights", "year", "include", "sensitivity.draws", …), so the caller can tell its user what
// to fix; geo/composite's refusals keep composite's field names. The package does no I/O,
// holds no state, and takes randomness only through a seed.
package priority

// Defaults of the analysis, which a caller shows and may override.
const (
	DefaultTrendYears    = 5    // years of the early-warning series
	EarlyWarningAlpha    = 0.1  // Mann–Kendall p below which a rise counts (few points: 0.1, not 0.05)
	EarlyWarningHorizon  = 3    // years ahead the Theil–Sen slope is projected
	VulnerableQuantile   = 0.8  // without area types: the top fifth of the index is "most vulnerable"
	DefaultConcentration = 50.0 // Dirichlet α, see composite.SensitivityOptions
	DefaultNeedShare     = 0.5  // need and feasibility weigh equally in the pilot score
)
