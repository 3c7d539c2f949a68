package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestDependenciesPointDown keeps the layering honest: cmd → web → (web/auth, the rooms web
// composes) → layers → geo, with data and migrations as leaves. It lists every package's
// direct imports with the go tool and fails on an import the rooms in STYLE.md do not allow.
func TestDependenciesPointDown(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, module+"...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	checked := 0
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		pkg, imports := fields[0], fields[1:]
		if _, ok := allowedRooms[room(pkg)]; !ok {
			t.Errorf("package %s is outside the fixed layout (cmd, geo, layers, web, migrations, data)", pkg)
			continue
		}
		checked++
		for _, imp := range imports {
			if why := upward(pkg, imp); why != "" {
				t.Error(why)
			}
		}
	}
	if checked < 5 {
		t.Fatalf("checked only %d packages; go list output:\n%s", checked, out)
	}
}

const module = "github.com/lagesbild/lagesbild/"

// allowedRooms maps a room to the rooms of ours it may import.
var allowedRooms = map[string][]string{
	"geo":        {"geo"},
	"data":       {"geo", "data"},
	"migrations": {},
	"layers":     {"layers", "geo", "data", "migrations"},
	"web":        {"web", "layers", "geo"},
	"cmd":        {"cmd", "web", "layers", "geo", "data", "migrations"},
}

// room is the first folder of a package of ours: cmd, geo, layers, web, migrations or data.
func room(pkg string) string {
	r, _, _ := strings.Cut(strings.TrimPrefix(pkg, module), "/")
	return r
}

// upward says why pkg may not import imp, or "" when it may. Within web, the packages below
// it (web/auth) are rooms web composes: they may not import web itself.
func upward(pkg, imp string) string {
	if !strings.HasPrefix(imp, module) {
		return ""
	}
	from, to := room(pkg), room(imp)
	if !slices.Contains(allowedRooms[from], to) {
		return fmt.Sprintf("%s imports %s: %s may not depend on %s", pkg, imp, from, to)
	}
	if strings.HasPrefix(pkg, module+"web/") && imp == module+"web" {
		return fmt.Sprintf("%s imports %s: a room below web may not depend on web, which composes it", pkg, imp)
	}
	return ""
}

// TestUpward: the rule itself refuses the upward edges, including a room below web
// importing web (which go list would show only once someone wrote it).
func TestUpward(t *testing.T) {
	for _, tc := range []struct {
		pkg, imp string
		ok       bool
	}{
		{"web", module + "web/auth", true},
		{"web/auth", module + "layers", true},
		{"web/auth", module + "geo/crs", true},
		{"web/auth", "net/http", true},
		{"cmd/lagesbild", module + "web/auth", true},
		{"web/auth", module + "web", false},
		{"web/auth", module + "cmd/lagesbild", false},
		{"layers", module + "web/auth", false},
		{"geo/hotspot", module + "layers", false},
	} {
		if got := upward(module+tc.pkg, tc.imp) == ""; got != tc.ok {
			t.Errorf("%s imports %s: allowed %v, want %v", tc.pkg, tc.imp, got, tc.ok)
		}
	}
}
