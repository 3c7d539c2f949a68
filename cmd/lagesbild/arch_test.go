package main

import (
	"bufio"
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

// TestDependenciesPointDown keeps the layering honest: cmd → web → layers → geo, with data and
// migrations as leaves. It lists every package's direct imports with the go tool and fails on
// an import the rooms in STYLE.md do not allow.
func TestDependenciesPointDown(t *testing.T) {
	const mod = "github.com/lagesbild/lagesbild/"
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, mod+"...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	// allowed maps a room to the rooms of ours it may import.
	allowed := map[string][]string{
		"geo":        {"geo"},
		"data":       {"geo", "data"},
		"migrations": {},
		"layers":     {"layers", "geo", "data", "migrations"},
		"web":        {"web", "layers", "geo"},
		"cmd":        {"cmd", "web", "layers", "geo", "data", "migrations"},
	}
	room := func(pkg string) string {
		r, _, _ := strings.Cut(strings.TrimPrefix(pkg, mod), "/")
		return r
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	checked := 0
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		pkg, imports := fields[0], fields[1:]
		from := room(pkg)
		rooms, ok := allowed[from]
		if !ok {
			t.Errorf("package %s is outside the fixed layout (cmd, geo, layers, web, migrations, data)", pkg)
			continue
		}
		checked++
		for _, imp := range imports {
			if !strings.HasPrefix(imp, mod) {
				continue
			}
			to := room(imp)
			ok := false
			for _, r := range rooms {
				ok = ok || r == to
			}
			if !ok {
				t.Errorf("%s imports %s: %s may not depend on %s", pkg, imp, from, to)
			}
		}
	}
	if checked < 5 {
		t.Fatalf("checked only %d packages; go list output:\n%s", checked, out)
	}
}
