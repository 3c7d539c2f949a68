package request

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/lagesbild/lagesbild/layers"
)

// IfMatch reads the If-Match header of a change to a versioned row (an intervention, a
// scenario): 428 without one, naming what to GET for its ETag. tag matches one of our strong
// ETags with the version as its first group; tags that are not ours (weak ones included:
// If-Match compares strongly) match no version, so the store answers 412.
func IfMatch(c echo.Context, tag *regexp.Regexp, what string) (layers.Precondition, error) {
	header := strings.TrimSpace(c.Request().Header.Get("If-Match"))
	if header == "" {
		return layers.Precondition{}, echo.NewHTTPError(http.StatusPreconditionRequired,
			"If-Match is required: send the ETag of the version you edited (GET the "+what+"), so no one else's change is overwritten")
	}
	var pre layers.Precondition
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" {
			pre.Any = true
			continue
		}
		if m := tag.FindStringSubmatch(t); m != nil {
			v, _ := strconv.ParseInt(m[1], 10, 64)
			pre.Versions = append(pre.Versions, v)
		}
	}
	return pre, nil
}
