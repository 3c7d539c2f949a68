package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/layerstest"
)

// help runs path --help (or -h) as a newcomer would, without a database.
func help(t *testing.T, path []string, flag string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	args := append(append([]string(nil), path...), flag)
	if err := run(context.Background(), args, func(string) string { return "" }, &out, &errOut); err != nil {
		t.Errorf("lagesbild %s: %v, want its help and exit status 0", strings.Join(args, " "), err)
	}
	if !strings.Contains(out.String(), "usage") {
		t.Errorf("lagesbild %s printed no usage on standard output: %q (stderr %q)", strings.Join(args, " "), out.String(), errOut.String())
	}
	return out.String()
}

// TestHelpEverywhere: every command and subcommand answers --help and -h with its usage on
// standard output and exit status 0 (issue 14, point 12).
func TestHelpEverywhere(t *testing.T) {
	for _, path := range commandPaths() {
		for _, flag := range []string{"--help", "-h"} {
			help(t, path, flag)
		}
	}
}

// readmeCommands are the lagesbild command lines README.md shows: lines of its code blocks
// (continuations joined, comments cut) and inline code spans (which may wrap).
func readmeCommands(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.ReplaceAll(string(b), "\\\n", " ")
	var out []string
	inBlock := false
	var prose strings.Builder
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			inBlock = !inBlock
			continue
		}
		if !inBlock {
			prose.WriteString(line + "\n")
			continue
		}
		if i := strings.Index(line, " #"); i >= 0 {
			line = line[:i]
		}
		if i := strings.Index(line, "lagesbild "); i >= 0 {
			out = append(out, line[i:])
		}
	}
	for _, m := range regexp.MustCompile("(?s)`([^`]+)`").FindAllStringSubmatch(prose.String(), -1) {
		if i := strings.Index(m[1], "lagesbild "); i >= 0 {
			out = append(out, strings.ReplaceAll(m[1][i:], "\n", " "))
		}
	}
	return out
}

// commandOf is the command path a README command line runs: the longest of commandPaths
// its words start with.
func commandOf(line string) []string {
	words := strings.Fields(strings.TrimPrefix(line, "lagesbild "))
	var best []string
	for _, p := range commandPaths() {
		if len(p) <= len(words) && len(p) > len(best) && strings.Join(words[:len(p)], " ") == strings.Join(p, " ") {
			best = p
		}
	}
	return best
}

// TestReadmeFlagsInHelp: every flag README.md gives a lagesbild command is listed by that
// command's --help, so a newcomer can learn the command from the command.
func TestReadmeFlagsInHelp(t *testing.T) {
	flagRE := regexp.MustCompile(`(?:^|[\s\[])--([a-z][a-z0-9-]*)`)
	seen := 0
	for _, line := range readmeCommands(t) {
		path := commandOf(line)
		if path == nil {
			continue
		}
		text := help(t, path, "--help")
		for _, m := range flagRE.FindAllStringSubmatch(line, -1) {
			if m[1] == "help" {
				continue // TestHelpEverywhere
			}
			seen++
			if !regexp.MustCompile(`--` + regexp.QuoteMeta(m[1]) + `\b`).MatchString(text) {
				t.Errorf("README: %q uses --%s, which lagesbild %s --help does not list", line, m[1], strings.Join(path, " "))
			}
		}
	}
	if seen < 20 {
		t.Errorf("found only %d flags in README's commands: the README parsing is broken", seen)
	}
}

// shellWords splits a command line as sh would for the simple lines README shows: words,
// double-quoted strings, and a "< FILE" redirection, returned on its own.
func shellWords(line string) (words []string, stdin string) {
	var cur strings.Builder
	quoted, inWord, redirect := false, false, false
	flush := func() {
		if !inWord {
			return
		}
		if redirect {
			stdin, redirect = cur.String(), false
		} else {
			words = append(words, cur.String())
		}
		cur.Reset()
		inWord = false
	}
	for _, r := range line {
		switch {
		case r == '"':
			quoted, inWord = !quoted, true
		case (r == ' ' || r == '\t') && !quoted:
			flush()
		case r == '<' && !quoted:
			flush()
			redirect = true
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	flush()
	return words, stdin
}

// TestReadmeOperatorExamples runs README's operator examples (org, user, token) in order on
// the test database, which holds what `make run` loads: they must work as written, with no
// "already exists" from a name the demo made (issue 14, point 12). `token revoke` revokes the
// token the example before created (README says to use the id create printed).
func TestReadmeOperatorExamples(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	if _, err := layers.NewStore(db.Pool).LoadDemoIdentity(ctx, layers.DefaultArgon2()); err != nil { // as make run does
		t.Fatal(err)
	}
	dir := t.TempDir()
	ran := 0
	var lastToken string
	for _, line := range readmeCommands(t) {
		path := commandOf(line)
		if len(path) != 2 || (path[0] != "org" && path[0] != "user" && path[0] != "token") {
			continue
		}
		words, stdinFile := shellWords(line)
		words = words[1:] // "lagesbild"
		stdin := ""
		if stdinFile != "" {
			stdin = "ett-långt-lösenord-för-readme\n"
			_ = os.WriteFile(dir+"/"+stdinFile, []byte(stdin), 0o600)
		}
		if path[1] == "revoke" && lastToken != "" {
			words[len(words)-1] = lastToken
		}
		var out bytes.Buffer
		var h helpText
		if err := adminCmd(ctx, words, env(db.URL), strings.NewReader(stdin), &out); err != nil && !errors.As(err, &h) {
			t.Errorf("README example %q: %v", line, err)
			continue
		}
		ran++
		if m := regexp.MustCompile(`^token (\d+) for`).FindStringSubmatch(out.String()); m != nil {
			lastToken = m[1]
		}
	}
	if ran < 5 {
		t.Errorf("ran %d of README's operator examples, want at least 5 (org add, user add, disable, token create, revoke)", ran)
	}
}

// TestServeBanner: what serve prints once it listens — the last thing `make run` shows — is
// the map's address and, in demo mode, every demo account with the password.
func TestServeBanner(t *testing.T) {
	var out bytes.Buffer
	printBanner(&out, "127.0.0.1:8080", "", true)
	text := out.String()
	for _, want := range []string{"http://127.0.0.1:8080/karta/", layers.DemoPassword} {
		if !strings.Contains(text, want) {
			t.Errorf("banner lacks %q:\n%s", want, text)
		}
	}
	for _, u := range layers.DemoAccounts {
		if !regexp.MustCompile(`(?m)^\s+` + regexp.QuoteMeta(u.Username) + `\s+` + u.Role + `\s`).MatchString(text) {
			t.Errorf("banner lacks the demo account %s (%s):\n%s", u.Username, u.Role, text)
		}
	}
	out.Reset()
	printBanner(&out, "127.0.0.1:8080", "https://lagesbild.example.se/", false)
	if !strings.Contains(out.String(), "https://lagesbild.example.se/karta/") || strings.Contains(out.String(), layers.DemoPassword) {
		t.Errorf("banner without --demo, with a base URL:\n%s", out.String())
	}
}

// TestCommandPathsComplete: the commands the top-level usage lists and the paths
// TestHelpEverywhere walks are the same set of commands, so a new command is walked too.
func TestCommandPathsComplete(t *testing.T) {
	walked := map[string]bool{}
	for _, p := range commandPaths() {
		walked[p[0]] = true
	}
	listed := map[string]bool{"help": true}
	for _, line := range strings.Split(usage, "\n") {
		if !strings.HasPrefix(line, "  ") || strings.HasPrefix(line, "   ") {
			continue
		}
		for _, w := range strings.Split(strings.Fields(line)[0]+" "+strings.Join(strings.Fields(line)[1:], " "), ", ") {
			if f := strings.Fields(w); len(f) > 0 && regexp.MustCompile(`^[a-z]+$`).MatchString(f[0]) {
				listed[f[0]] = true
				break
			}
		}
	}
	for _, line := range strings.Split(usage, "\n") {
		if strings.HasPrefix(line, "  org, user, token") {
			listed["user"], listed["token"] = true, true
		}
	}
	for c := range listed {
		if !walked[c] {
			t.Errorf("usage lists %q, which commandPaths does not walk", c)
		}
	}
	for c := range walked {
		if !listed[c] {
			t.Errorf("commandPaths walks %q, which usage does not list", c)
		}
	}
}
