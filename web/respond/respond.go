// Package respond is how every room of web answers and documents its answers: JSON bodies
// without HTML escaping (links carry query strings), answers with strong ETags and gzip
// (Sender, send.go), answers no cache may keep, strict query parameters (an unknown or
// repeated one is refused naming it), CSV cells a spreadsheet cannot run (csv.go), the media
// types, links and numbers of the wire format (media.go, numbers.go), and the OpenAPI
// building blocks that describe these answers. It exists so that the rooms below web
// (web/auth, web/analysis, web/partner, web/report) answer byte for byte as web does without
// importing web, which composes the rooms.
//
// Assumptions: refusals are *layers.InvalidError, which web's one error mapper turns into a
// 400 problem naming the parameter; the values given to JSON cannot fail to encode.
package respond

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/lagesbild/lagesbild/layers"
)

// MediaJSON is the media type of plain JSON answers.
const MediaJSON = "application/json"

// JSON encodes v without escaping &, < and > (links carry query strings), for values that
// cannot fail to encode (maps, slices and structs of plain values); it panics on one that does.
func JSON(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("web: marshal %T: %v", v, err))
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// NoStore sends v as JSON with no ETag, for no cache to keep: the answer carries a secret (a
// CSRF token, an API token), reports a write, or is for the caller's eyes only.
func NoStore(c echo.Context, status int, v any) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.Blob(status, MediaJSON, JSON(v))
}

// OnlyParamsAny refuses any query parameter not in allowed, and any given twice.
func OnlyParamsAny(c echo.Context, allowed ...string) error {
	for name, vals := range c.QueryParams() {
		if !slices.Contains(allowed, name) {
			return layers.Invalid(name, "unknown parameter; allowed are %s", strings.Join(allowed, ", "))
		}
		if len(vals) > 1 {
			return layers.Invalid(name, "given %d times; give it once", len(vals))
		}
	}
	return nil
}

// OnlyParams refuses any query parameter not in allowed, and an f other than json.
func OnlyParams(c echo.Context, allowed ...string) error {
	if err := OnlyParamsAny(c, allowed...); err != nil {
		return err
	}
	if c.QueryParams().Has("f") {
		if _, err := Format(c.QueryParam("f"), "json", "json"); err != nil {
			return err
		}
	}
	return nil
}

// Format reads the output format parameter f: def when raw is empty, raw when allowed lists
// it, otherwise an invalid-input error naming f.
func Format(raw, def string, allowed ...string) (string, error) {
	if raw == "" {
		return def, nil
	}
	if slices.Contains(allowed, raw) {
		return raw, nil
	}
	return "", layers.Invalid("f", "unknown format %q; use one of %s", raw, strings.Join(allowed, ", "))
}

// Int reads the integer parameter param: def when raw is empty, otherwise an integer within
// [lo, hi] or an invalid-input error naming param.
func Int(param, raw string, def, lo, hi int) (int, error) {
	if raw == "" {
		return def, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < lo || n > hi {
		return 0, layers.Invalid(param, "%q is not an integer between %d and %d", raw, lo, hi)
	}
	return n, nil
}

// SplitList is the comma-separated list s without blanks around its items and without empty
// items.
func SplitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}
