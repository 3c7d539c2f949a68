package respond

import (
	"bytes"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/lagesbild/lagesbild/layers"
)

// Answers whose figures depend on who asks (issue 14, point 9): they read observations, whose
// rows are classed (open, internal, restricted), so a municipality reader and the police get
// different figures for the same question (the follow-up of one intervention: −2.97 against
// −4.39). Each such JSON answer says at which level it was computed: a top-level member
// "clearance" (open, internal or restricted), added as the answer leaves (Sender.send), so no handler
// can forget it. The routes are the Echo route patterns. A stored plan is left out: its GET
// must return the document its POST did, and both are the planner's own figures.
var clearanceRoutes = map[string]bool{
	"/analysis/hotspots":                 true,
	"/analysis/hotspots/places":          true,
	"/analysis/forecast":                 true,
	"/analysis/followup/:interventionId": true,
	"/analysis/week":                     true,
	"/deployment/plans/:id/delivery":     true,
	"/collections/:collectionId/items":   true,
}

// clearanceMember is the member withClearance adds, for the caller of c.
func clearanceMember(c echo.Context) []byte {
	return []byte(`"clearance":"` + string(layers.PrincipalFrom(c.Request().Context()).Clearance()) + `"`)
}

// withClearance adds the caller's clearance to a JSON object answer of a clearance route;
// other answers are returned as they are. changed says whether body was changed; suffix is
// what the answer's ETag gets (the added member depends only on the clearance).
func withClearance(c echo.Context, contentType string, body []byte) (out []byte, suffix string, changed bool) {
	if !clearanceRoutes[c.Path()] || !strings.Contains(contentType, "json") || strings.Contains(contentType, "problem") {
		return body, "", false
	}
	if c.Path() == "/collections/:collectionId/items" && c.Param("collectionId") != "observations" {
		return body, "", false
	}
	if len(body) < 2 || body[0] != '{' {
		return body, "", false
	}
	member := clearanceMember(c)
	rest := bytes.TrimLeft(body[1:], " \n\t\r")
	out = make([]byte, 0, len(body)+len(member)+1)
	out = append(out, '{')
	out = append(out, member...)
	if len(rest) > 0 && rest[0] != '}' {
		out = append(out, ',')
	}
	out = append(out, rest...)
	return out, "." + string(layers.PrincipalFrom(c.Request().Context()).Clearance()), true
}
