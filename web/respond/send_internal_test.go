package respond

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/lagesbild/lagesbild/web/lru"
)

// TestGzipKeptForBodiesSentManyTimes: a body sent many times (SendTagged, the analysis
// memo's answers) is compressed once and its gzip coding kept by its tag, within the
// Sender's bytes; bodies sent once (Send) are not kept.
func TestGzipKeptForBodiesSentManyTimes(t *testing.T) {
	s := NewSender()
	s.kept = lru.New(64<<10, func(k string, v []byte) int64 { return int64(len(k) + len(v)) })
	e := echo.New()
	body := []byte(strings.Repeat(`{"type":"Feature","properties":{"z":1.96}},`, 2000))
	tag := BodyTag(body)
	serve := func(send func(echo.Context) error) []byte {
		req := httptest.NewRequest(http.MethodGet, "/analysis/hotspots", nil)
		req.Header.Set(echo.HeaderAcceptEncoding, "gzip")
		rec := httptest.NewRecorder()
		if err := send(e.NewContext(req, rec)); err != nil {
			t.Fatal(err)
		}
		if rec.Header().Get(echo.HeaderContentEncoding) != "gzip" {
			t.Fatalf("Content-Encoding %q", rec.Header().Get(echo.HeaderContentEncoding))
		}
		zr, err := gzip.NewReader(bytes.NewReader(rec.Body.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		plain, _ := io.ReadAll(zr)
		if !bytes.Equal(plain, body) {
			t.Fatal("the gzip coding does not decode to the body")
		}
		return rec.Body.Bytes()
	}
	once := func(c echo.Context) error { return s.Send(c, http.StatusOK, "application/json", CacheData, body) }
	many := func(c echo.Context) error {
		return s.SendTagged(c, http.StatusOK, "application/json", CacheData, body, tag)
	}
	serve(once)
	if n := s.kept.Len(); n != 0 {
		t.Errorf("%d codings kept after Send, want 0", n)
	}
	first := serve(many)
	if got, ok := s.keptGzip(tag + "-gz"); !ok || !bytes.Equal(got, first) {
		t.Fatal("SendTagged did not keep its gzip coding")
	}
	if second := serve(many); !bytes.Equal(second, first) {
		t.Error("the second answer is not the kept coding")
	}
	for i := range 100 { // other bodies push it out; the bytes stay bounded
		s.keepGzip(strings.Repeat("x", i+1), make([]byte, 4<<10))
		if s.kept.Bytes() > 64<<10 {
			t.Fatalf("%d bytes kept, bound %d", s.kept.Bytes(), 64<<10)
		}
	}
}
