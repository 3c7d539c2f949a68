package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/layerstest"
)

// TestAdminCommandsRoundTrip drives org add, user add (stdin and file), user disable and
// token create/revoke through run and adminCmd, and checks the database and the credentials.
func TestAdminCommandsRoundTrip(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	store := layers.NewStore(db.Pool)
	org := fmt.Sprintf("cli%d", time.Now().UnixNano()%1_000_000_000)
	t.Cleanup(func() {
		for _, q := range []string{`DELETE FROM api_tokens WHERE organisation = $1`, `DELETE FROM users WHERE organisation = $1`, `DELETE FROM organisations WHERE code = $1`} {
			_, _ = db.Pool.Exec(context.Background(), q, org)
		}
	})
	admin := func(stdin string, args ...string) (string, error) {
		var out bytes.Buffer
		err := adminCmd(ctx, args, env(db.URL), strings.NewReader(stdin), &out)
		return out.String(), err
	}

	if _, err := admin("", "org", "add", org, "Mimer CLI-test", "housing"); err != nil {
		t.Fatal(err)
	}
	if _, err := admin("", "org", "add", org, "again", "housing"); !errors.Is(err, layers.ErrConflict) {
		t.Errorf("org add twice: %v, want a conflict", err)
	}
	var inv *layers.InvalidError
	if _, err := admin("", "org", "add", org+"x", "Bad kind", "church"); !errors.As(err, &inv) || inv.Param != "kind" {
		t.Errorf("org add with a bad kind: %v", err)
	}

	// Password on stdin, first line only.
	out, err := admin("a long enough password\nsecond line\n", "user", "add", org, "Mimer.Admin", "--role", "admin")
	if err != nil || !strings.Contains(out, "mimer.admin") {
		t.Fatalf("user add from stdin: %q, %v", out, err)
	}
	acct, err := store.AccountByName(ctx, "mimer.admin")
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := layers.VerifyPassword("a long enough password", acct.PasswordHash); !ok || err != nil || acct.Role != "admin" || acct.Organisation != org {
		t.Errorf("stored account %+v: password ok %v, %v", acct, ok, err)
	}
	if !strings.HasPrefix(acct.PasswordHash, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q is not argon2id with the default parameters", acct.PasswordHash)
	}
	// Password from a file, through run with flags before the positional arguments.
	file := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(file, []byte("another good password\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := run(ctx, []string{"user", "add", "--role", "reader", "--password-file", file, org, "mimer.lasare2"}, env(db.URL), &buf, &buf); err != nil {
		t.Fatalf("user add --password-file: %v %s", err, buf.String())
	}
	acct, err = store.AccountByName(ctx, "mimer.lasare2")
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := layers.VerifyPassword("another good password", acct.PasswordHash); !ok {
		t.Error("password from the file does not verify (CRLF not trimmed?)")
	}
	for _, tt := range []struct {
		stdin string
		args  []string
	}{
		{"short\n", []string{"user", "add", org, "mimer.kort", "--role", "reader"}},
		{"", []string{"user", "add", org, "mimer.tom", "--role", "reader"}},
		{"a long enough password\n", []string{"user", "add", org, "mimer.x", "--role", "boss"}},
		{"a long enough password\n", []string{"user", "add", org, "mimer.y"}},
		{"a long enough password\n", []string{"user", "add", "no-such-org", "mimer.z", "--role", "reader"}},
		{"a long enough password\n", []string{"user", "add", org, "mimer.admin", "--role", "reader"}},
	} {
		if _, err := admin(tt.stdin, tt.args...); err == nil {
			t.Errorf("%q with stdin %q succeeded", tt.args, tt.stdin)
		}
	}
	if n := countRows(t, `SELECT count(*) FROM users WHERE organisation = $1`, org); n != 2 {
		t.Errorf("%d users in %s, want 2", n, org)
	}

	// token create prints the secret alone on its last line; it works until revoked.
	out, err = admin("", "token", "create", "--org", org, "--scope", "read,write", "--expires", "30d", "--name", "nightly import")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	secret := lines[len(lines)-1]
	p, demo, err := store.TokenPrincipal(ctx, secret, time.Now())
	if err != nil || demo || p.Organisation != org || strings.Join(p.Scopes, ",") != "read,write" {
		t.Fatalf("token from the CLI: %+v demo %v err %v (output %q)", p, demo, err, out)
	}
	if _, _, err := store.TokenPrincipal(ctx, secret, time.Now().Add(30*24*time.Hour+time.Minute)); !errors.Is(err, layers.ErrNotFound) {
		t.Errorf("token after 30 days: %v, want not found", err)
	}
	if _, err := admin("", "token", "revoke", strconv.FormatInt(p.TokenID, 10)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := store.TokenPrincipal(ctx, secret, time.Now()); !errors.Is(err, layers.ErrNotFound) {
		t.Errorf("revoked token: %v, want not found", err)
	}
	for _, args := range [][]string{
		{"token", "create", "--org", org, "--scope", "read,delete"},
		{"token", "create", "--org", org, "--expires", "forever"},
		{"token", "create", "--scope", "read"},
		{"token", "create", "--org", "no-such-org"},
		{"token", "revoke", "abc"},
		{"token", "revoke", "999999999"},
	} {
		if _, err := admin("", args...); err == nil {
			t.Errorf("%q succeeded", args)
		}
	}

	// Disabling stops the account's logins (checked in web) and revokes its tokens.
	tok, userSecret, err := store.CreateToken(ctx, layers.TokenSpec{Organisation: org, UserID: acct.ID, Scopes: []string{"read"}, ExpiresAt: time.Now().Add(time.Hour)}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin("", "user", "disable", "mimer.lasare2"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := store.TokenPrincipal(ctx, userSecret, time.Now()); !errors.Is(err, layers.ErrNotFound) {
		t.Errorf("token %d of a disabled account: %v, want not found", tok.ID, err)
	}
	if _, err := admin("", "user", "enable", "mimer.lasare2"); err != nil {
		t.Fatal(err)
	}
	// Enabling the account again revives none of its old credentials (issue 12, finding 4).
	if _, _, err := store.TokenPrincipal(ctx, userSecret, time.Now()); !errors.Is(err, layers.ErrNotFound) {
		t.Errorf("token %d after enabling again: %v, want not found", tok.ID, err)
	}
}

func TestAdminUsageErrors(t *testing.T) {
	for _, args := range [][]string{{"org"}, {"org", "add", "only-code"}, {"user", "frob", "x"}, {"token", "create", "--bogus"}, {"token", "revoke"}} {
		var out bytes.Buffer
		err := run(context.Background(), args, env("postgres://unused"), &out, &out)
		var u usageError
		if !errors.As(err, &u) {
			t.Errorf("run(%q) = %v, want a usage error", args, err)
		}
	}
}

// TestDemoLoadCreatesDemoAccounts: demo load writes the demo identities, marked demo.
func TestDemoLoadCreatesDemoAccounts(t *testing.T) {
	db := layerstest.Require(t, testDB)
	var out bytes.Buffer
	if err := run(context.Background(), []string{"demo", "load"}, env(db.URL), &out, &out); err != nil {
		t.Fatalf("demo load: %v\n%s", err, out.String())
	}
	if n := countRows(t, `SELECT count(*) FROM users u JOIN organisations o ON o.code = u.organisation WHERE u.demo AND o.demo`); n != int64(len(layers.DemoAccounts)) {
		t.Errorf("%d demo accounts, want %d", n, len(layers.DemoAccounts))
	}
	if !strings.Contains(out.String(), "--demo") {
		t.Errorf("demo load does not say the accounts need --demo: %s", out.String())
	}
}

func countRows(t *testing.T, sql string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := testDB.Pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// TestAdminLists: org list, user list and token list show what the other commands made — the
// demo's organisations and accounts, a new token with its state — and never a secret.
func TestAdminLists(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	if _, err := layers.NewStore(db.Pool).LoadDemoIdentity(ctx, layers.DefaultArgon2()); err != nil { // as make run does
		t.Fatal(err)
	}
	list := func(args ...string) string {
		t.Helper()
		var out bytes.Buffer
		if err := adminCmd(ctx, args, env(db.URL), strings.NewReader(""), &out); err != nil {
			t.Fatalf("%s: %v", strings.Join(args, " "), err)
		}
		return out.String()
	}
	orgs := list("org", "list")
	for _, o := range layers.DemoOrganisations {
		if !regexp.MustCompile(`(?m)^` + o.Code + `\s+` + o.Kind + `\s+\d+\s+yes\s`).MatchString(orgs) {
			t.Errorf("org list has no line for demo organisation %s (%s):\n%s", o.Code, o.Kind, orgs)
		}
	}
	users := list("user", "list", "--org", "polisen")
	if !strings.Contains(users, "polis.lasare") || strings.Contains(users, "kommun.admin") || strings.Contains(users, "argon2") {
		t.Errorf("user list --org polisen:\n%s", users)
	}
	created := list("token", "create", "--org", "polisen", "--scope", "read", "--name", "list test")
	lines := strings.Split(strings.TrimSpace(created), "\n")
	secret := lines[len(lines)-1]
	id := regexp.MustCompile(`^token (\d+) `).FindStringSubmatch(created)
	if id == nil {
		t.Fatalf("token create: %s", created)
	}
	list("token", "revoke", id[1])
	tokens := list("token", "list", "--org", "polisen")
	if !regexp.MustCompile(`(?m)^` + id[1] + `\s+polisen\s+-\s+read\s+revoked\s.*list test$`).MatchString(tokens) {
		t.Errorf("token list has no revoked line for token %s:\n%s", id[1], tokens)
	}
	if strings.Contains(tokens, secret) {
		t.Error("token list shows a token's secret")
	}
}
