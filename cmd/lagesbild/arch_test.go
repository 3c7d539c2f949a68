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

// TestDependenciesPointDown keeps the layering honest: cmd → web → (the rooms web composes:
// web/auth, web/analysis, web/partner, web/report) → (the shared rooms: web/request,
// web/respond, web/lru) → layers → geo, with data and migrations as leaves. It lists every package's
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

// sharedRooms are the rooms below web that every room may use (parsing requests, writing
// answers, bounded caches); they use nothing of web but each other.
var sharedRooms = []string{"web/lru", "web/request", "web/respond"}

// upward says why pkg may not import imp, or "" when it may. Within web, the packages below
// it are rooms web composes: they may not import web itself, nor each other but for the shared
// rooms and web/auth (the access rules every room applies), which a shared room may not use.
func upward(pkg, imp string) string {
	if !strings.HasPrefix(imp, module) {
		return ""
	}
	from, to := room(pkg), room(imp)
	if !slices.Contains(allowedRooms[from], to) {
		return fmt.Sprintf("%s imports %s: %s may not depend on %s", pkg, imp, from, to)
	}
	if !strings.HasPrefix(pkg, module+"web/") {
		return ""
	}
	if imp == module+"web" {
		return fmt.Sprintf("%s imports %s: a room below web may not depend on web, which composes it", pkg, imp)
	}
	from, to = strings.TrimPrefix(pkg, module), strings.TrimPrefix(imp, module)
	if !strings.HasPrefix(to, "web/") || slices.Contains(sharedRooms, to) {
		return ""
	}
	if slices.Contains(sharedRooms, from) {
		return fmt.Sprintf("%s imports %s: a shared room may depend only on the other shared rooms %v", pkg, imp, sharedRooms)
	}
	if to != "web/auth" {
		return fmt.Sprintf("%s imports %s: the rooms below web do not depend on each other (but for %v and web/auth); web composes them", pkg, imp, sharedRooms)
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
		{"web/analysis", module + "web/request", true},
		{"web/analysis", module + "web/respond", true},
		{"web/partner", module + "web/auth", true},
		{"web/request", module + "web/respond", true},
		{"web", module + "web/analysis", true},
		{"web/analysis", module + "web", false},
		{"web/partner", module + "web", false},
		{"web/analysis", module + "web/report", false},
		{"web/report", module + "web/analysis", false},
		{"web/partner", module + "web/analysis", false},
		{"web/respond", module + "web/auth", false},
		{"web/request", module + "web/analysis", false},
	} {
		if got := upward(module+tc.pkg, tc.imp) == ""; got != tc.ok {
			t.Errorf("%s imports %s: allowed %v, want %v", tc.pkg, tc.imp, got, tc.ok)
		}
	}
}
