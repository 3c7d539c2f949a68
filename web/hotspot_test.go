package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"github.com/lagesbild/lagesbild/geo/hotspot"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/layerstest"
	"github.com/lagesbild/lagesbild/web"
)

type hotspotAnswer struct {
	Type     string `json:"type"`
	Features []struct {
		ID       string          `json:"id"`
		Geometry json.RawMessage `json:"geometry"`
		Props    map[string]any  `json:"properties"`
	} `json:"features"`
	Summary map[string]any `json:"summary"`
	Notice  string         `json:"notice"`
}

// placeCell returns the hexagon cell (side 150 m) holding a named place's representative point.
func placeCell(t *testing.T, name string) (i, j int) {
	t.Helper()
	var p orb.Point
	err := testDB.Pool.QueryRow(context.Background(),
		`SELECT ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom)) FROM places WHERE name = $1`, name).Scan(&p[0], &p[1])
	if err != nil {
		t.Fatalf("place %s: %v", name, err)
	}
	return hotspot.HexCellOf(p, 150)
}

func (h *hotspotAnswer) cell(t *testing.T, i, j int) map[string]any {
	t.Helper()
	for _, f := range h.Features {
		if int(f.Props["i"].(float64)) == i && int(f.Props["j"].(float64)) == j {
			return f.Props
		}
	}
	t.Fatalf("no cell (%d, %d) among %d cells", i, j, len(h.Features))
	return nil
}

func TestHotspotsGiStar(t *testing.T) {
	a := newAPI(t)
	var h hotspotAnswer
	a.getJSON("/analysis/hotspots?method=gistar&datetime=2022-01-01/2022-12-31", 200, &h)
	n := len(h.Features)
	if n < 5000 {
		t.Fatalf("%d cells; the district-level study area of Västerås should give thousands", n)
	}
	if got := int(h.Summary["cells"].(float64)); got != n {
		t.Errorf("summary cells %d, features %d", got, n)
	}
	want := count(t, `SELECT count(*) FROM observations WHERE observed_at >= '2022-01-01' AND observed_at < '2023-01-01'`)
	if got := int64(h.Summary["observations"].(float64)); got > want || got < want*9/10 {
		t.Errorf("summary observations %d, want most of the %d observed in 2022", got, want)
	}
	if h.Notice == "" {
		t.Error("no illustrative notice on demo data")
	}
	i, j := placeCell(t, "Bäckby torg")
	c := h.cell(t, i, j)
	if c["class"] != "hot_99" || c["survives_fdr"] != true {
		t.Errorf("Bäckby torg's cell (%d, %d): %v, want a hot spot at 99 %% that survives FDR", i, j, c)
	}
	if c["neighbours"].(float64) != 13 {
		t.Errorf("Bäckby torg's cell has %v neighbours, want 13 (band 3 × side on a hexagon grid)", c["neighbours"])
	}
	zeros := 0
	for _, f := range h.Features {
		if f.Props["count"].(float64) == 0 {
			zeros++
		}
	}
	if zeros == 0 {
		t.Error("no zero-count cells: the study area must include empty cells")
	}

	// Harm weighting changes the values but Bäckby torg stays hot.
	var hh hotspotAnswer
	a.getJSON("/analysis/hotspots?weighting=harm&datetime=2022-01-01/2022-12-31&crs=http://www.opengis.net/def/crs/EPSG/0/3006", 200, &hh)
	hc := hh.cell(t, i, j)
	if hc["value"].(float64) <= c["value"].(float64) || hc["class"] != "hot_99" {
		t.Errorf("harm-weighted Bäckby torg cell %v, want a larger value than the count %v and still hot_99", hc, c["value"])
	}
	centre := hotspot.HexCentre(i, j, 150)
	got := hc["centroid"].([]any)
	if math.Abs(got[0].(float64)-centre[0]) > 0.01 || math.Abs(got[1].(float64)-centre[1]) > 0.01 {
		t.Errorf("EPSG:3006 centroid %v, want %v", got, centre)
	}
}

func TestHotspotsFilters(t *testing.T) {
	a := newAPI(t)
	var h hotspotAnswer
	a.getJSON("/analysis/hotspots?category=open_drug_dealing,drug_handling&source=police&datetime=2023-01-01/2023-12-31&area=1980-BACKBY", 200, &h)
	want := count(t, `SELECT count(*) FROM observations o JOIN districts d ON d.code = '1980-BACKBY'
		WHERE o.category IN ('open_drug_dealing', 'drug_handling') AND o.source = 'police'
		  AND o.observed_at >= '2023-01-01' AND o.observed_at < '2024-01-01' AND ST_Intersects(o.geom, d.geom)`)
	got := int64(h.Summary["observations"].(float64))
	// Cells intersecting the district reach a little beyond it: at least every observation inside.
	if got < want || got > want*3/2+10 {
		t.Errorf("observations %d, want about the %d inside Bäckby", got, want)
	}
	// A code given twice is the same area (it was "1 of the 2 codes are not districts").
	var twice hotspotAnswer
	a.getJSON("/analysis/hotspots?category=open_drug_dealing,drug_handling&source=police&datetime=2023-01-01/2023-12-31&area=1980-BACKBY,1980-BACKBY", 200, &twice)
	if n := int64(twice.Summary["observations"].(float64)); n != got {
		t.Errorf("area given twice: %d observations, want %d", n, got)
	}
	// Unknown codes are named, each once, and counted right.
	var p struct{ Param, Detail string }
	a.getJSON("/analysis/hotspots?area=1980-BACKBY,NO-SUCH,NO-SUCH,ALSO-NOT", 400, &p)
	if p.Param != "area" || !strings.Contains(p.Detail, "2 of the 3 district codes") || !strings.Contains(p.Detail, "NO-SUCH, ALSO-NOT") {
		t.Errorf("unknown codes: %+v", p)
	}
}

func TestHotspotsEmerging(t *testing.T) {
	a := newAPI(t)
	// Yearly slices 2021–2024: Bjurhovda centrum, which the demo data makes emerge during 2024,
	// is a significant hot spot in the final year only: a new hot spot.
	var y hotspotAnswer
	a.getJSON("/analysis/hotspots?method=emerging&slice=year&datetime=2021-01-01/2024-12-31", 200, &y)
	if got := len(y.Summary["slices"].([]any)); got != 4 {
		t.Errorf("%d slices, want 4 years", got)
	}
	i, j := placeCell(t, "Bjurhovda centrum")
	if c := y.cell(t, i, j); c["pattern"] != "new_hot_spot" {
		t.Errorf("Bjurhovda centrum by year: %v, want new_hot_spot", c)
	}

	// Quarterly: 16 slices. Bäckby torg was hot throughout and falls after the 2023
	// interventions: diminishing. Bjurhovda centrum's z-scores rise significantly (with
	// quarters its small earlier cluster is on and off significant, so its pattern is
	// sporadic rather than new).
	var q hotspotAnswer
	a.getJSON("/analysis/hotspots?method=emerging&slice=quarter&datetime=2021-01-01/2024-12-31", 200, &q)
	if got := len(q.Summary["slices"].([]any)); got != 16 {
		t.Errorf("%d slices, want 16 quarters", got)
	}
	bi, bj := placeCell(t, "Bäckby torg")
	if c := q.cell(t, bi, bj); c["pattern"] != "diminishing_hot_spot" {
		t.Errorf("Bäckby torg by quarter: %v, want diminishing_hot_spot", c)
	}
	if c := q.cell(t, i, j); c["trend_z"].(float64) < 1.96 || c["sig_last"].(float64) != 1 {
		t.Errorf("Bjurhovda centrum by quarter: %v, want a significant rising trend and hot in the last quarter", c)
	}
}

func TestHotspotsKDE(t *testing.T) {
	a := newAPI(t)
	var h hotspotAnswer
	a.getJSON("/analysis/hotspots?method=kde&area=1980-BACKBY&datetime=2022-01-01/2022-12-31&cell=100", 200, &h)
	if len(h.Features) == 0 {
		t.Fatal("no density cells")
	}
	_, body := a.get("/analysis/hotspots?method=kde&area=1980-BACKBY&f=raster", 200)
	var g struct {
		Width, Height int
		Cell          float64
		Values        []float64
	}
	if err := json.Unmarshal(body, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Values) != g.Width*g.Height || g.Cell != 50 {
		t.Errorf("raster %d × %d with %d values, cell %v", g.Width, g.Height, len(g.Values), g.Cell)
	}
}

func TestHotspotPlaces(t *testing.T) {
	a := newAPI(t)
	var r struct {
		Places []struct {
			Name          string
			Density       *float64
			Count         *int
			Change        *float64
			RankIntensity int `json:"rank_intensity"`
			RankChange    int `json:"rank_change"`
			Suppressed    bool
		}
	}
	a.getJSON("/analysis/hotspots/places?datetime=2022-01-01/2022-12-31&limit=5", 200, &r)
	if len(r.Places) != 5 {
		t.Fatalf("%d places, want 5", len(r.Places))
	}
	top := []string{r.Places[0].Name, r.Places[1].Name}
	if !slices.Contains(top, "Bäckby torg") {
		t.Errorf("top places in 2022 %v, want Bäckby torg among the first two", top)
	}
	for k, p := range r.Places {
		if p.RankIntensity != k+1 || p.Density == nil || p.Count == nil {
			t.Errorf("place %d: %+v", k, p)
		}
	}
	// By default: the 28 days up to the newest observation.
	a.get("/analysis/hotspots/places", 200)
	a.get("/analysis/harm-weights", 200)
}

func TestHotspotsDisclosure(t *testing.T) {
	a := newAPI(t)
	var h hotspotAnswer
	a.getJSON("/analysis/hotspots?datetime=2022-01-01/2022-12-31&disclosure=aggregated", 200, &h)
	suppressed, shown := 0, 0
	for _, f := range h.Features {
		if f.Props["suppressed"] == true {
			suppressed++
			if f.Props["count"] != nil || f.Props["value"] != nil {
				t.Fatalf("suppressed cell shows %v", f.Props)
			}
		} else {
			shown++
			if f.Props["count"].(float64) < 5 {
				t.Fatalf("cell with count %v shown", f.Props["count"])
			}
		}
	}
	if suppressed == 0 || shown == 0 {
		t.Errorf("%d suppressed, %d shown: want both", suppressed, shown)
	}
	a.get("/analysis/hotspots?method=kde&disclosure=aggregated", 403)

	// A server configured for callers without access to raw observations: always aggregated,
	// with its own threshold, whatever the request asks.
	db := layerstest.Require(t, testDB)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, _ := testServer(t, db, web.Config{AggregatedOnly: true, MinCellCount: 10}, layers.NewCatalogue(), log)
	defer srv.Close()
	res, err := srv.Client().Get(srv.URL + "/analysis/hotspots?datetime=2022-01-01/2022-12-31&disclosure=full")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	var ag hotspotAnswer
	if err := json.Unmarshal(body, &ag); err != nil {
		t.Fatal(err)
	}
	if ag.Summary["disclosure"] != "aggregated" || ag.Summary["min_cell_count"].(float64) != 10 {
		t.Errorf("configured server answered %v", ag.Summary)
	}
	for _, f := range ag.Features {
		if c, ok := f.Props["count"].(float64); ok && c < 10 {
			t.Fatalf("cell with count %v shown under a threshold of 10", c)
		}
	}
}

func TestHotspotsBadInput(t *testing.T) {
	a := newAPI(t)
	tests := []struct{ query, param string }{
		{"method=lisa", "method"},
		{"side=10", "side"},
		{"side=abc", "side"},
		{"side=150&band=100", "band"},
		{"weighting=money", "weighting"},
		{"category=shooting,parking", "category"},
		{"source=twitter", "source"},
		{"method=emerging&slice=week", "slice"},
		{"slice=month", "slice"},
		{"method=kde&side=100", "side"},
		{"bandwidth=300", "bandwidth"},
		{"datetime=2022-13-01", "datetime"},
		{"crs=EPSG:4326", "crs"},
		{"area=NO-SUCH-DISTRICT", "area"},
		{"f=raster", "f"},
		{"disclosure=none", "disclosure"},
		{"colour=red", "colour"},
		{"method=emerging&datetime=2022-01-01/2022-02-15", "datetime"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			var p struct{ Param string }
			a.getJSON("/analysis/hotspots?"+tt.query, 400, &p)
			if p.Param != tt.param {
				t.Errorf("param %q, want %q", p.Param, tt.param)
			}
		})
	}
	var p struct{ Param string }
	a.getJSON("/analysis/hotspots/places?datetime=2022-01-01/..", 400, &p)
	if !strings.EqualFold(p.Param, "datetime") {
		t.Errorf("places with open interval: param %q, want datetime", p.Param)
	}
}

// TestHotspotsCountBorderCellsWhole checks the documented border rule: an observation counts
// in its hexagon when that hexagon is one of the study area's cells, also when it lies outside
// the area itself (a border cell is kept whole), and nowhere else.
func TestHotspotsCountBorderCellsWhole(t *testing.T) {
	a := newAPI(t)
	var h hotspotAnswer
	a.getJSON("/analysis/hotspots?method=gistar&area=1980-BACKBY&crs="+url.QueryEscape("http://www.opengis.net/def/crs/EPSG/0/3006"), 200, &h)
	kept := map[[2]int]bool{}
	for _, f := range h.Features {
		kept[[2]int{int(f.Props["i"].(float64)), int(f.Props["j"].(float64))}] = true
	}
	rows, err := testDB.Pool.Query(context.Background(), `
SELECT ST_X(o.geom), ST_Y(o.geom), ST_Intersects(o.geom, d.geom)
FROM observations o, districts d WHERE d.code = '1980-BACKBY' AND ST_DWithin(o.geom, d.geom, 1000)`)
	if err != nil {
		t.Fatal(err)
	}
	var x, y float64
	var inside bool
	var counted, outsideCounted, insideAll int64
	_, err = pgx.ForEachRow(rows, []any{&x, &y, &inside}, func() error {
		i, j := hotspot.HexCellOf(orb.Point{x, y}, 150)
		if inside {
			insideAll++
			if !kept[[2]int{i, j}] {
				t.Errorf("observation (%v, %v) inside the area is in no study cell", x, y)
			}
		}
		if kept[[2]int{i, j}] {
			counted++
			if !inside {
				outsideCounted++
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := int64(h.Summary["observations"].(float64)); got != counted {
		t.Errorf("summary observations %d, want %d: those in the study cells (%d inside the area, %d outside it in border cells)",
			got, counted, insideAll, outsideCounted)
	}
	if outsideCounted == 0 {
		t.Error("no observation outside Bäckby in a border cell: the test shows nothing")
	}
}

// TestHotspotsBandBoundsAgreeWithOpenAPI checks that the band the OpenAPI document allows is
// the band the code takes: between side and 20 × side, the document's bounds being those of
// the smallest and the largest side, both reachable.
func TestHotspotsBandBoundsAgreeWithOpenAPI(t *testing.T) {
	a := newAPI(t)
	var doc struct {
		Paths map[string]struct {
			Get struct {
				Parameters []struct {
					Name        string
					Description string
					Schema      struct{ Minimum, Maximum float64 }
				}
			}
		}
	}
	a.getJSON("/api", 200, &doc)
	bounds := map[string][2]float64{}
	for _, p := range doc.Paths["/analysis/hotspots"].Get.Parameters {
		bounds[p.Name] = [2]float64{p.Schema.Minimum, p.Schema.Maximum}
		if p.Name == "band" && !strings.Contains(p.Description, "between side and 20 × side") {
			t.Errorf("band's description %q does not state the rule", p.Description)
		}
	}
	side, band := bounds["side"], bounds["band"]
	if band != [2]float64{side[0], 20 * side[1]} {
		t.Errorf("band's bounds %v, want side's minimum and 20 × its maximum (side %v)", band, side)
	}
	for _, tt := range []struct {
		query  string
		status int
	}{
		{fmt.Sprintf("side=%g&band=%g", side[0], band[0]), 200},
		{fmt.Sprintf("side=%g&band=%g", side[1], band[1]), 200},
		{"side=300&band=6000", 200},
		{"side=300&band=6001", 400},
		{"band=3001", 400}, // the default side is 150
		{"side=300&band=299", 400},
	} {
		var p struct{ Param string }
		a.getJSON("/analysis/hotspots?area=1980-BACKBY&"+tt.query, tt.status, &p)
		if tt.status == 400 && p.Param != "band" {
			t.Errorf("%s: param %q, want band", tt.query, p.Param)
		}
	}
}

// TestHotspotsEmergingSwedishMonths: the emerging analysis slices by Swedish calendar months
// and says so in its answer and in the API document (issue 14, point 13; the assignment of
// each event to its local month is geo/hotspot's TestSliceUnits).
func TestHotspotsEmergingSwedishMonths(t *testing.T) {
	a := newAPI(t)
	var h hotspotAnswer
	a.getJSON("/analysis/hotspots?method=emerging&slice=month&datetime=2024-01-01/2024-06-30", 200, &h)
	var got []string
	for _, s := range h.Summary["slices"].([]any) {
		got = append(got, s.(string))
	}
	if want := "[2024-01-01 2024-02-01 2024-03-01 2024-04-01 2024-05-01 2024-06-01]"; fmt.Sprint(got) != want {
		t.Errorf("slices %v, want %s (a window of whole months in dates is whole local months)", got, want)
	}
	if note, _ := h.Summary["method_note"].(string); !strings.Contains(note, "Europe/Stockholm") {
		t.Errorf("method_note %q does not say the slices are Swedish local months", note)
	}
	_, doc := a.get("/api", 200)
	if !strings.Contains(string(doc), "calendar months, quarters or years in Swedish local time (Europe/Stockholm") {
		t.Error("the API document does not say the slices are in Europe/Stockholm")
	}
}
