package respond

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/lagesbild/lagesbild/layers"
)

func TestJSONKeepsLinksReadable(t *testing.T) {
	if got, want := string(JSON(map[string]string{"href": "/items?a=1&b=<2>"})), `{"href":"/items?a=1&b=<2>"}`; got != want {
		t.Errorf("JSON = %s, want %s", got, want)
	}
}

func TestNoStore(t *testing.T) {
	rec := httptest.NewRecorder()
	c := echo.New().NewContext(httptest.NewRequest(http.MethodGet, "/", nil), rec)
	if err := NoStore(c, http.StatusCreated, map[string]int{"n": 1}); err != nil {
		t.Fatal(err)
	}
	if rec.Code != http.StatusCreated || rec.Header().Get("Cache-Control") != "no-store" || rec.Header().Get("ETag") != "" ||
		rec.Header().Get("Content-Type") != MediaJSON || rec.Body.String() != `{"n":1}` {
		t.Errorf("got %d %v %s, want 201, no-store, no ETag, {\"n\":1}", rec.Code, rec.Header(), rec.Body)
	}
}

func TestParams(t *testing.T) {
	for _, tc := range []struct {
		query   string
		allowed []string
		param   string // the parameter refused, "" when none
	}{
		{"", nil, ""},
		{"all=true", []string{"all"}, ""},
		{"f=json", []string{"f"}, ""},
		{"f=csv", []string{"f"}, "f"},
		{"x=1", []string{"all"}, "x"},
		{"all=1&all=2", []string{"all"}, "all"},
	} {
		c := echo.New().NewContext(httptest.NewRequest(http.MethodGet, "/?"+tc.query, nil), httptest.NewRecorder())
		err := OnlyParams(c, tc.allowed...)
		var inv *layers.InvalidError
		switch {
		case tc.param == "" && err != nil:
			t.Errorf("%q: %v, want accepted", tc.query, err)
		case tc.param != "" && (!errors.As(err, &inv) || inv.Param != tc.param):
			t.Errorf("%q: %v, want invalid %s", tc.query, err, tc.param)
		}
	}
	for _, tc := range []struct {
		raw  string
		want int
		ok   bool
	}{{"", 7, true}, {"1", 1, true}, {"10", 10, true}, {"0", 0, false}, {"11", 0, false}, {"x", 0, false}} {
		got, err := Int("limit", tc.raw, 7, 1, 10)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("Int(%q) = %d, %v; want %d, ok %v", tc.raw, got, err, tc.want, tc.ok)
		}
	}
}
