package report

import (
	"fmt"

	"github.com/lagesbild/lagesbild/layers"
)

// madeBy says who made a report: the caller's organisation and highest role (a token's by
// its scopes), in t's words.
func madeBy(lang string, t text, who *layers.Principal) string {
	if who.IsAnonymous() {
		return t["made_by_anonymous"]
	}
	org := who.OrgName
	if org == "" {
		org = who.Organisation
	}
	role := "" // the highest held; an API token holds the role's scope instead
	for i, r := range layers.Roles {
		if who.HasRole(r) || who.HasScope(layers.Scopes[i]) {
			role = Label(lang, r)
		}
	}
	if role == "" {
		return fmt.Sprintf(t["made_by"], org)
	}
	return fmt.Sprintf(t["made_by_role"], org, role)
}

// basis says which rows a report's figures are made from: what the caller's clearance lets
// it read (the database's row-level security decides, layers.Principal.Clearance mirrors
// it), and under the aggregated view how counts are shown. Every figure of a report that
// depends on clearance refers to it.
func basis(lang string, t text, who *layers.Principal, minCount int) string {
	s := t["basis_"+string(who.Clearance())]
	if minCount > 0 {
		s += " " + fmt.Sprintf(t["basis_aggregated"], minCount, minCount)
	}
	return s
}
