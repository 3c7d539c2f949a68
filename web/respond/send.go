package respond

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"

	"github.com/lagesbild/lagesbild/web/lru"
)

// Cache lifetimes. Data changes only through imports and writes, and every answer has a
// strong ETag, so clients revalidate cheaply after a short max-age.
const (
	CacheMeta = "public, max-age=300"
	CacheData = "public, max-age=60"
)

// GzipMin is the smallest body worth compressing.
const GzipMin = 1024

// Sender writes answers with strong validators and gzip, keeping a pool of compressors and
// the gzip coding of bodies sent many times (SendTagged). Create it with NewSender; it is
// safe for concurrent use.
type Sender struct {
	gzips sync.Pool
	// kept holds gzip codings by the identity coding's tag (its SHA-256, so an entry is never
	// stale), bounded in bytes: compressing an analysis' 8 MB of GeoJSON for every request
	// took longer than answering it from the analysis memo.
	mu   sync.Mutex
	kept *lru.Cache[string, []byte]
}

// KeptGzipBytes bounds the gzip codings a Sender keeps (about 1 MB per hotspot analysis of a
// town).
const KeptGzipBytes = 32 << 20

// NewSender returns a Sender.
func NewSender() *Sender {
	s := &Sender{kept: lru.New(KeptGzipBytes, func(k string, v []byte) int64 { return int64(len(k)+len(v)) + 96 })}
	s.gzips.New = func() any { w, _ := gzip.NewWriterLevel(nil, gzip.DefaultCompression); return w }
	return s
}

// Send writes body with a strong ETag, answers 304 to a matching If-None-Match, and
// compresses with gzip when the client accepts it. The compressed representation gets
// its own ETag, as strong validators must differ between content codings.
func (s *Sender) Send(c echo.Context, status int, contentType, cacheControl string, body []byte) error {
	return s.send(c, status, contentType, cacheControl, body, BodyTag(body), false)
}

// BodyTag is the strong ETag (without quotes) of body's identity coding.
func BodyTag(body []byte) string {
	sum := sha256.Sum256(body)
	return base64.RawURLEncoding.EncodeToString(sum[:18])
}

// SendTagged is Send with the body's tag already known (BodyTag), for a body kept in memory
// and sent many times, so hashing it once is enough; its gzip coding is kept too.
func (s *Sender) SendTagged(c echo.Context, status int, contentType, cacheControl string, body []byte, tag string) error {
	return s.send(c, status, contentType, cacheControl, body, tag, true)
}

// A CSV body leaves as a download (csvDownload: byte order mark, file name, ?dialect=excel-sv);
// a JSON answer whose figures depend on the caller's clearance says it (withClearance).
func (s *Sender) send(c echo.Context, status int, contentType, cacheControl string, body []byte, tag string, keep bool) error {
	if out, changed, err := csvDownload(c, contentType, body); err != nil {
		return err
	} else if changed {
		body, tag = out, BodyTag(out)
	}
	if out, suffix, changed := withClearance(c, contentType, body); changed {
		body, tag = out, tag+suffix
	}
	req, h := c.Request(), c.Response().Header()
	gz := len(body) >= GzipMin && AcceptsGzip(req.Header.Get(echo.HeaderAcceptEncoding))
	if gz {
		tag += "-gz"
	}
	etag := `"` + tag + `"`
	h.Set(echo.HeaderContentType, contentType)
	h.Set("ETag", etag)
	h.Set("Cache-Control", cacheControl)
	h.Add(echo.HeaderVary, echo.HeaderAcceptEncoding)
	if status == http.StatusOK && ETagMatch(req.Header.Get("If-None-Match"), tag) {
		return c.NoContent(http.StatusNotModified)
	}
	if gz {
		var zipped []byte
		ok := false
		if keep {
			zipped, ok = s.keptGzip(tag)
		}
		if !ok {
			var buf bytes.Buffer
			zw := s.gzips.Get().(*gzip.Writer)
			zw.Reset(&buf)
			_, _ = zw.Write(body)
			_ = zw.Close()
			s.gzips.Put(zw)
			zipped = buf.Bytes()
			if keep {
				s.keepGzip(tag, zipped)
			}
		}
		body = zipped
		h.Set(echo.HeaderContentEncoding, "gzip")
	}
	return c.Blob(status, contentType, body)
}

func (s *Sender) keptGzip(tag string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.kept.Get(tag)
}

func (s *Sender) keepGzip(tag string, zipped []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.kept.Put(tag, zipped)
}

// SendJSON marshals v and sends it with Send.
func (s *Sender) SendJSON(c echo.Context, contentType, cacheControl string, v any) error {
	return s.Send(c, http.StatusOK, contentType, cacheControl, JSON(v))
}

// AcceptsGzip reports whether an Accept-Encoding header accepts gzip (q > 0).
func AcceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), "gzip") {
			continue
		}
		for _, p := range strings.Split(params, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.EqualFold(k, "q") {
				q, err := strconv.ParseFloat(v, 64)
				return err == nil && q > 0
			}
		}
		return true
	}
	return false
}

// ETagMatch reports whether an If-None-Match header matches tag (weak comparison, RFC 9110 13.1.2).
func ETagMatch(header, tag string) bool {
	if header == "" {
		return false
	}
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" {
			return true
		}
		t = strings.TrimPrefix(t, "W/")
		if strings.Trim(t, `"`) == tag {
			return true
		}
	}
	return false
}
