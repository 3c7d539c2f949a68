package request

import (
	"errors"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/lagesbild/lagesbild/geo/crs"
	"github.com/lagesbild/lagesbild/layers"
)

// The query-parameter parsers get whatever a client sends. Their property: no panic, and
// every error is a *layers.InvalidError (a 400 problem naming the parameter), never a 500.

func FuzzParseBBox(f *testing.F) {
	for _, s := range []string{"16.4,59.5,16.7,59.7", "1,2,3,4,5,6", "-180,-90,180,90", "1e308,1,1e309,2", "NaN,0,1,1", ",,,", "0x1p3,1,2,3"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, raw string, sweref bool) {
		c := crs.CRS84
		if sweref {
			c = crs.SWEREF99TM
		}
		b, err := BBox(raw, c)
		wantInvalid(t, "BBox("+raw+")", err)
		if err == nil && (b.MinX > b.MaxX || b.MinY > b.MaxY) {
			t.Fatalf("BBox(%q) = %+v: minimum above maximum", raw, b)
		}
	})
}

func FuzzParseDatetime(f *testing.F) {
	for _, s := range []string{"2023-05-01T18:00:00Z", "2023-05-01", "../2023-05-01", "2023-01-01/..", "/", "2023-05-01T20:00:00+02:00/2023-05-02", "9999-12-31/0000-01-01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		iv, err := Datetime(raw)
		wantInvalid(t, "Datetime("+raw+")", err)
		if err == nil && iv.Start != nil && iv.End != nil && iv.Start.After(*iv.End) {
			t.Fatalf("Datetime(%q): start %v after end %v", raw, iv.Start, iv.End)
		}
	})
}

func FuzzParseTileID(f *testing.F) {
	for _, s := range [][3]string{{"0", "0", "0"}, {"14", "9000", "8000"}, {"30", "1", "1"}, {"+1", "0", "0"}, {"-0", "0", "0"}, {"99999999999999999999", "0", "0"}} {
		f.Add(s[0], s[1], s[2])
	}
	e := echo.New()
	f.Fuzz(func(t *testing.T, z, row, col string) {
		c := e.NewContext(httptest.NewRequest("GET", "/", nil), httptest.NewRecorder())
		c.SetParamNames("tileMatrixSetId", "tileMatrix", "tileRow", "tileCol")
		c.SetParamValues(WebMercatorID, z, row, col)
		id, err := TileID(c)
		wantInvalid(t, "TileID("+z+"/"+row+"/"+col+")", err)
		if err == nil && (id.Z < 0 || id.Z > layers.MaxTileZoom || id.X < 0 || id.Y < 0 || id.X >= 1<<id.Z || id.Y >= 1<<id.Z) {
			t.Fatalf("TileID(%s/%s/%s) = %+v: outside the matrix", z, row, col, id)
		}
	})
}

func wantInvalid(t *testing.T, what string, err error) {
	t.Helper()
	var inv *layers.InvalidError
	if err != nil && (!errors.As(err, &inv) || inv.Param == "") {
		t.Fatalf("%s: error %v (%T) is not a 400 naming a parameter", what, err, err)
	}
}
