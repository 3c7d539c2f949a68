package web_test

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
)

// TestStaticIsBuiltFromSource fails when the committed bundle in web/static is not what
// `make page` builds from web/page/src with the pinned packages: a source changed without
// `make page`, or a bundle edited by hand. It builds into a temporary folder (PAGE_OUT) and
// compares every file. It needs Node.js and web/page/node_modules (make test runs npm ci
// first); without them it is skipped, and under CI it fails.
func TestStaticIsBuiltFromSource(t *testing.T) {
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join("page", "node_modules", "esbuild"))
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("cannot build the page under CI: %v (make test runs npm ci in web/page)", err)
		}
		t.Skipf("cannot build the page: %v (run npm ci in web/page)", err)
	}
	out := t.TempDir()
	cmd := exec.Command(node, "build.mjs")
	cmd.Dir = "page"
	cmd.Env = append(os.Environ(), "PAGE_OUT="+out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("node build.mjs: %v\n%s", err, msg)
	}
	built, committed := names(t, out), names(t, "static")
	if !slices.Equal(built, committed) {
		t.Fatalf("web/static holds %v, the build makes %v: run make page and commit web/static", committed, built)
	}
	for _, name := range built {
		want, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join("static", name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("web/static/%s differs from what web/page/src builds (%d bytes committed, %d built): run make page and commit web/static", name, len(got), len(want))
		}
	}
}

// names lists the files under dir (the glyphs are in folders), slash-separated and sorted.
func names(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		out = append(out, filepath.ToSlash(rel))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}
