package request

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/respond"
)

// maxBody bounds a JSON request body.
const maxBody = 1 << 20

// DecodeBody reads a JSON body strictly: a media type other than application/json is a 415;
// unknown fields, trailing data, NUL characters and invalid UTF-8 in strings are 400s.
func DecodeBody(c echo.Context, v any) error {
	if err := requireJSON(c); err != nil {
		return err
	}
	body, err := io.ReadAll(io.LimitReader(c.Request().Body, maxBody+1))
	if err != nil {
		return fmt.Errorf("read body: %w", err)
	}
	if len(body) > maxBody {
		return layers.Invalid("body", "larger than %d bytes", maxBody)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) && ute.Field != "" {
			return layers.Invalid(ute.Field, "want %s", ute.Type)
		}
		return layers.Invalid("body", "not the expected JSON: %v", err)
	}
	if dec.More() {
		return layers.Invalid("body", "data after the JSON object")
	}
	return checkJSONStrings(body)
}

// CheckText refuses free text longer than maxLen characters. NUL characters and bytes that
// are not UTF-8 never get this far: DecodeBody refuses them for every string of a body.
func CheckText(param, s string, maxLen int) error {
	if utf8.RuneCountInString(s) > maxLen {
		return layers.InvalidCode(param, layers.CodeTooLong, map[string]any{"max": maxLen}, "longer than %d characters", maxLen)
	}
	return nil
}

// requireJSON refuses a body that is not declared application/json (parameters such as charset
// are allowed). A browser sends text/plain, multipart/form-data and application/x-www-form-urlencoded
// cross-site without a preflight; insisting on application/json keeps such forged POSTs out.
func requireJSON(c echo.Context) error {
	ct := c.Request().Header.Get(echo.HeaderContentType)
	media, _, err := mime.ParseMediaType(ct)
	if err != nil || media != respond.MediaJSON {
		return echo.NewHTTPError(http.StatusUnsupportedMediaType, fmt.Sprintf("Content-Type %q: send %s", ct, respond.MediaJSON))
	}
	return nil
}

// checkJSONStrings walks a JSON document's tokens and refuses a string (object key or value) that
// holds a NUL character or bytes that are not UTF-8. encoding/json would replace invalid bytes
// with U+FFFD silently and keep NUL, which PostgreSQL's text refuses with a 500. The error names
// the field as the handlers do (targets[2].name); a bad object key names the object holding it.
// The document has already been decoded, so syntax errors cannot occur here.
func checkJSONStrings(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	type frame struct {
		name   string // path of this container
		array  bool
		index  int    // next element's index in an array
		key    string // current key in an object
		wanted bool   // object: the next string is a key
	}
	var stack []frame
	path := func() string { // path of the value about to be read
		if len(stack) == 0 {
			return "body"
		}
		f := stack[len(stack)-1]
		if f.array {
			return fmt.Sprintf("%s[%d]", f.name, f.index)
		}
		if f.name == "" {
			return f.key
		}
		return f.name + "." + f.key
	}
	done := func() { // a value was read
		if n := len(stack); n > 0 {
			if stack[n-1].array {
				stack[n-1].index++
			} else {
				stack[n-1].wanted = true
			}
		}
	}
	prev := int64(0)
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return layers.Invalid("body", "not the expected JSON: %v", err)
		}
		off := dec.InputOffset()
		raw := body[prev:off]
		prev = off
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				name := path()
				if len(stack) == 0 {
					name = ""
				}
				stack = append(stack, frame{name: name, array: t == '[', wanted: true})
			default:
				stack = stack[:len(stack)-1]
				done()
			}
		case string:
			isKey := len(stack) > 0 && !stack[len(stack)-1].array && stack[len(stack)-1].wanted
			field := path()
			if isKey {
				field = stack[len(stack)-1].name
				if field == "" {
					field = "body"
				}
			}
			what := "a value"
			if isKey {
				what = "a key"
			}
			if !utf8.Valid(raw) {
				return layers.Invalid(field, "%s is not valid UTF-8", what)
			}
			if strings.ContainsRune(t, 0) {
				return layers.Invalid(field, "%s holds a NUL character", what)
			}
			if isKey {
				stack[len(stack)-1].key = t
				stack[len(stack)-1].wanted = false
			} else {
				done()
			}
		default:
			done()
		}
	}
}
