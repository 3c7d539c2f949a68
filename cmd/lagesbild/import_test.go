package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestImportKinds checks the table of import kinds: each kind's usage for a call without a
// file, every kind's usage for `lagesbild import` alone, and a refusal naming an unknown kind.
func TestImportKinds(t *testing.T) {
	ctx := context.Background()
	kinds := importKinds()
	if len(kinds) != 5 {
		t.Errorf("%d import kinds, want observations, areas, vulnerable-areas, indicators and layer", len(kinds))
	}
	for _, k := range kinds {
		err := run(ctx, []string{"import", k.name}, env(""), &bytes.Buffer{}, &bytes.Buffer{})
		var u usageError
		if !errors.As(err, &u) || !strings.Contains(u.msg, "lagesbild import "+k.name) {
			t.Errorf("import %s without a file = %v, want its usage", k.name, err)
		}
	}
	var u usageError
	if err := run(ctx, []string{"import"}, env(""), &bytes.Buffer{}, &bytes.Buffer{}); !errors.As(err, &u) {
		t.Fatalf("import alone = %v, want a usage error", err)
	}
	for _, k := range kinds {
		if !strings.Contains(u.msg, "lagesbild import "+k.name) {
			t.Errorf("the usage of import does not show %s:\n%s", k.name, u.msg)
		}
	}
	err := run(ctx, []string{"import", "schools", "x.geojson"}, env(""), &bytes.Buffer{}, &bytes.Buffer{})
	if !errors.As(err, &u) || !strings.Contains(u.msg, `unknown import "schools"`) {
		t.Errorf("import schools = %v, want a usage error naming the kind", err)
	}
}

// TestImportREADME checks that every `lagesbild import KIND …` example in the README names a
// kind of the table and only flags that kind declares, so the documented commands work as
// written.
func TestImportREADME(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]importKind{}
	for _, k := range importKinds() {
		kinds[k.name] = k
	}
	examples := regexp.MustCompile("`+[^`]*lagesbild import [^`]*`+").FindAllString(string(readme), -1)
	if len(examples) < 4 {
		t.Fatalf("%d import examples in the README, want at least 4: %q", len(examples), examples)
	}
	seen := map[string]bool{}
	for _, ex := range examples {
		words := strings.Fields(ex[strings.Index(ex, "lagesbild import ")+len("lagesbild import "):])
		name := strings.Trim(words[0], "`")
		k, ok := kinds[name]
		if !ok {
			t.Errorf("README example %q: no import kind %q", ex, name)
			continue
		}
		seen[name] = true
		fs := flag.NewFlagSet(name, flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		k.define(fs)
		for _, m := range regexp.MustCompile(`--([a-z-]+)`).FindAllStringSubmatch(ex, -1) {
			if fs.Lookup(m[1]) == nil && m[1] != "help" { // every command answers --help
				t.Errorf("README example %q: import %s has no flag --%s", ex, name, m[1])
			}
		}
	}
	for name := range kinds {
		if !seen[name] {
			t.Errorf("the README shows no example of import %s", name)
		}
	}
}

// TestImportLayerRefusals: the generic import takes only a declared layer over a table of its
// own, and sends a layer with an import of its own to it; each refusal comes before the
// database is opened.
func TestImportLayerRefusals(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f.geojson")
	if err := os.WriteFile(file, []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"x"},"geometry":{"type":"Point","coordinates":[16.5,59.6]}}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	env := func(string) string { return "postgres://nobody@127.0.0.1:1/none" }
	for _, tc := range []struct {
		args  []string
		usage bool
		want  string
	}{
		{[]string{file}, true, "usage: lagesbild import layer"},
		{[]string{"--layer", "vulnerable-areas", file}, true, "lagesbild import vulnerable-areas"},
		{[]string{"--layer", "nowhere", file}, true, `"nowhere"`},
		{[]string{"--layer", "places", file}, false, "cannot be imported from a file"},
	} {
		err := runImport(context.Background(), "layer", tc.args, env, io.Discard, io.Discard)
		var u usageError
		if err == nil || errors.As(err, &u) != tc.usage || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("import layer %v = %v, want a usage error %t naming %q", tc.args, err, tc.usage, tc.want)
		}
	}
}
