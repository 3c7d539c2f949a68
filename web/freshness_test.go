package web_test

import (
	"bytes"
	"fmt"
	"math"
	"net/http"
	"testing"
	"time"

	"github.com/lagesbild/lagesbild/web"
)

// tileAt is the path of the interventions tile of zoom z holding lon, lat.
func tileAt(z int, lon, lat float64) string {
	n := math.Exp2(float64(z))
	r := lat * math.Pi / 180
	x, y := int((lon+180)/360*n), int((1-math.Log(math.Tan(r)+1/math.Cos(r))/math.Pi)/2*n)
	return fmt.Sprintf("/collections/interventions/tiles/WebMercatorQuad/%d/%d/%d", z, y, x)
}

// TestReadYourWritesBypassesCaches (issue 16): a write's answer carries the primary's WAL
// position (header and cookie); a read sending it back is not answered from a cache this
// process has not yet told of the write. The test's server has no change listener, so its
// tile cache is never told — the state of any process before the notification arrives — and
// the tile without the position stays stale, while the writer's own read is fresh.
func TestReadYourWritesBypassesCaches(t *testing.T) {
	a := newAPI(t)
	var ids []int64
	cleanUp(t, &ids)
	lon, lat := 16.4627, 59.6278
	tile := tileAt(15, lon, lat)
	a.raw("GET", tile, nil) // cached now
	title := fmt.Sprintf("Läs-din-skrivning %d", time.Now().UnixNano())
	res, got := a.write("POST", "/collections/interventions/items", nil,
		newIntervention(fmt.Sprintf(`{"type":"Point","coordinates":[%v,%v]}`, lon, lat), map[string]any{"title": title}), 201)
	ids = append(ids, decodeFeature(t, got).ID)
	pos := res.Header.Get(web.WrotePositionHeader)
	var cookie *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == web.WrotePositionCookie {
			cookie = c
		}
	}
	if pos == "" || cookie == nil || cookie.Value != pos || !cookie.HttpOnly {
		t.Fatalf("the write's answer: %s %q, cookie %v; want the position in both, the cookie HttpOnly", web.WrotePositionHeader, pos, cookie)
	}
	if _, body := a.raw("GET", tile, nil); bytes.Contains(body, []byte(title)) {
		t.Fatal("the cache was told of the write: the test cannot tell a bypass from a fresh cache")
	}
	for name, h := range map[string]http.Header{
		"header": {web.WrotePositionHeader: {pos}},
		"cookie": {"Cookie": {web.WrotePositionCookie + "=" + pos}},
	} {
		if _, body := a.raw("GET", tile, h); !bytes.Contains(body, []byte(title)) {
			t.Errorf("with the write's position in the %s, the tile is the cached one without the write", name)
		}
	}
	// A failed write announces nothing.
	res, _ = a.write("POST", "/collections/interventions/items", nil, `{"type":"Feature"}`, 400)
	if res.Header.Get(web.WrotePositionHeader) != "" {
		t.Error("a refused write's answer carries a position")
	}
}
