package web_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lagesbild/lagesbild/layers"
)

type styleDoc struct {
	Version int
	Name    string
	Glyphs  string
	Sprite  any
	Sources map[string]struct {
		Type  string
		Tiles []string
	}
	Layers []struct {
		ID          string
		Type        string
		Source      string
		SourceLayer string `json:"source-layer"`
		Paint       map[string]any
		Metadata    map[string]string
	}
}

// TestStyleDocument: /styles lists the style, /styles/karta is a valid MapLibre style (the
// style spec's own validator, pinned in web/page) with absolute tile URLs of this server,
// no glyphs or sprites, Swedish titles and the catalogue's colours.
func TestStyleDocument(t *testing.T) {
	a := newTileAPI(t)
	var list struct {
		Styles []struct {
			ID    string
			Links []struct{ Href, Rel string }
		}
	}
	a.getJSON("/styles", 200, &list)
	if len(list.Styles) != 1 || list.Styles[0].ID != "karta" || !strings.HasSuffix(list.Styles[0].Links[0].Href, "/styles/karta") ||
		list.Styles[0].Links[0].Rel != "stylesheet" {
		t.Fatalf("styles: %+v", list)
	}
	_, body := a.get("/styles/karta", 200)
	var st styleDoc
	if err := json.Unmarshal(body, &st); err != nil {
		t.Fatal(err)
	}
	if st.Version != 8 || st.Glyphs != "" || st.Sprite != nil || !strings.Contains(st.Name, "Lägesbild") {
		t.Errorf("style header: version %d, glyphs %q, sprite %v, name %q", st.Version, st.Glyphs, st.Sprite, st.Name)
	}
	for id, s := range st.Sources {
		if s.Type != "vector" || len(s.Tiles) != 1 || !strings.HasPrefix(s.Tiles[0], a.srv.URL+"/") {
			t.Errorf("source %s: %+v (want absolute URLs of %s)", id, s, a.srv.URL)
		}
	}
	cat := layers.NewCatalogue()
	for _, l := range st.Layers {
		if l.Metadata["title"] == "" {
			t.Errorf("layer %s has no title", l.ID)
		}
	}
	all := string(body)
	for _, l := range cat.Layers() {
		if l.Style == nil || !l.HasGeometry() {
			continue
		}
		if !strings.Contains(all, `"source-layer":"`+l.ID+`"`) {
			t.Errorf("the style does not draw %s", l.ID)
		}
		for _, e := range l.Style.Legend {
			if !strings.Contains(all, `"`+e.Colour+`"`) {
				t.Errorf("%s: legend colour %s not in the style", l.ID, e.Colour)
			}
		}
	}
	a.get("/styles/other", 404)
	a.get("/styles/karta?f=sld", 400)

	validator := filepath.Join("page", "node_modules", ".bin", "gl-style-validate")
	if _, err := os.Stat(validator); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("no style validator under CI: %v (make test runs npm ci in web/page)", err)
		}
		t.Skipf("no style validator: %v (run npm ci in web/page)", err)
	}
	path := filepath.Join(t.TempDir(), "style.json")
	if err := os.WriteFile(path, body, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(validator, path).CombinedOutput(); err != nil || len(strings.TrimSpace(string(out))) > 0 {
		t.Errorf("gl-style-validate: %v: %s", err, out)
	}
	// The validator can fail: a style without version is refused.
	if err := os.WriteFile(path, []byte(`{"sources":{},"layers":[]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(validator, path).CombinedOutput(); err == nil && len(strings.TrimSpace(string(out))) == 0 {
		t.Errorf("gl-style-validate accepts a style without version")
	}
}
