package request

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/lagesbild/lagesbild/geo/tiles"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/respond"
)

// The one tile matrix set served, and the f value of a tile.
const (
	WebMercatorID = "WebMercatorQuad"
	FormatMVT     = "mvt"
)

// CheckTileMatrixSet refuses any tile matrix set but WebMercatorQuad with 404.
func CheckTileMatrixSet(c echo.Context) error {
	if tms := c.Param("tileMatrixSetId"); tms != WebMercatorID {
		return fmt.Errorf("tile matrix set %q (only %s is served): %w", tms, WebMercatorID, layers.ErrNotFound)
	}
	return nil
}

// TileID parses the tileMatrix/tileRow/tileCol path parameters.
func TileID(c echo.Context) (tiles.TileID, error) {
	if err := CheckTileMatrixSet(c); err != nil {
		return tiles.TileID{}, err
	}
	num := func(param, raw string, hi int) (int, error) {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 || strings.HasPrefix(raw, "+") {
			return 0, layers.Invalid(param, "%q is not a non-negative whole number", raw)
		}
		if n > hi {
			return 0, layers.Invalid(param, "%d is out of range 0–%d", n, hi)
		}
		return n, nil
	}
	z, err := num("tileMatrix", c.Param("tileMatrix"), layers.MaxTileZoom)
	if err != nil {
		return tiles.TileID{}, err
	}
	n := 1<<z - 1
	y, err := num("tileRow", c.Param("tileRow"), n)
	if err != nil {
		return tiles.TileID{}, err
	}
	x, err := num("tileCol", c.Param("tileCol"), n)
	if err != nil {
		return tiles.TileID{}, err
	}
	return tiles.TileID{Z: z, X: x, Y: y}, nil
}

// MVTTile checks the query of a tile answered only as MVT (the parameters allowed, each
// once; f, if given, mvt) and parses its tile id.
func MVTTile(c echo.Context, allowed ...string) (tiles.TileID, error) {
	if err := respond.OnlyParamsAny(c, allowed...); err != nil {
		return tiles.TileID{}, err
	}
	if _, err := respond.Format(c.QueryParam("f"), FormatMVT); err != nil {
		return tiles.TileID{}, err
	}
	return TileID(c)
}

// WithoutF is v less the f parameter, which chooses a format and says nothing about content.
func WithoutF(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		if k != "f" {
			out[k] = vs
		}
	}
	return out
}
