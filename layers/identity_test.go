package layers_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/layerstest"
)

var cheap = layers.Argon2Params{Memory: 1024, Time: 1, Threads: 1}

func TestPasswordHashing(t *testing.T) {
	hash, err := layers.HashPassword("rätt lösenord 123", cheap)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Errorf("PHC string %q", hash)
	}
	again, _ := layers.HashPassword("rätt lösenord 123", cheap)
	if again == hash {
		t.Error("two hashes of one password are equal: no random salt")
	}
	parts := strings.Split(hash, "$")
	tests := []struct {
		name, pw, hash string
		ok, err        bool
	}{
		{"right", "rätt lösenord 123", hash, true, false},
		{"wrong", "rätt lösenord 124", hash, false, false},
		{"empty", "", hash, false, false},
		{"argon2i", "x", strings.Replace(hash, "argon2id", "argon2i", 1), false, true},
		{"huge memory", "x", strings.Join([]string{"", parts[1], parts[2], "m=4194304,t=1,p=1", parts[4], parts[5]}, "$"), false, true},
		{"huge time", "x", strings.Join([]string{"", parts[1], parts[2], "m=1024,t=1000,p=1", parts[4], parts[5]}, "$"), false, true},
		{"bad salt", "x", strings.Join([]string{"", parts[1], parts[2], parts[3], "!!", parts[5]}, "$"), false, true},
		{"short key", "x", strings.Join([]string{"", parts[1], parts[2], parts[3], parts[4], "AAAA"}, "$"), false, true},
		{"not PHC", "x", "plain", false, true},
	}
	for _, tt := range tests {
		ok, err := layers.VerifyPassword(tt.pw, tt.hash)
		if ok != tt.ok || (err != nil) != tt.err {
			t.Errorf("%s: VerifyPassword = %v, %v; want %v, error %v", tt.name, ok, err, tt.ok, tt.err)
		}
	}
	for pw, want := range map[string]bool{"elva tecken": false, "tolv tecken!": true, "åäöåäöåäöåäö": true, strings.Repeat("x", 1025): false} {
		if got := layers.CheckPassword(pw) == nil; got != want {
			t.Errorf("CheckPassword(%d runes) ok = %v, want %v", len([]rune(pw)), got, want)
		}
	}
}

func TestRolesAndScopes(t *testing.T) {
	tests := []struct {
		role          string
		roles, scopes []string
	}{
		{"reader", []string{"reader"}, []string{"read"}},
		{"editor", []string{"reader", "editor"}, []string{"read", "write"}},
		{"admin", []string{"reader", "editor", "admin"}, []string{"read", "write", "admin"}},
		{"boss", nil, []string{}},
	}
	for _, tt := range tests {
		roles := layers.RolesOf(tt.role)
		if got := layers.ScopesOf(roles); !slices.Equal(roles, tt.roles) || !slices.Equal(got, tt.scopes) {
			t.Errorf("%s: roles %v scopes %v, want %v %v", tt.role, roles, got, tt.roles, tt.scopes)
		}
	}
	if p := layers.PrincipalFrom(context.Background()); !p.IsAnonymous() || p.HasScope("read") {
		t.Errorf("principal of a bare context: %+v", p)
	}
}

func TestSecrets(t *testing.T) {
	a, ha, err := layers.NewSecret(layers.TokenPrefix)
	if err != nil {
		t.Fatal(err)
	}
	b, hb, _ := layers.NewSecret(layers.TokenPrefix)
	if a == b || string(ha) == string(hb) || len(a) != len(layers.TokenPrefix)+43 || !strings.HasPrefix(a, "lgb_") {
		t.Errorf("secrets %q %q", a, b)
	}
	if string(layers.HashSecret(a)) != string(ha) || len(ha) != 32 {
		t.Error("HashSecret does not reproduce the hash")
	}
}

func TestSessionsInStore(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	s := layers.NewStore(db.Pool)
	org := fmt.Sprintf("ses%d", time.Now().UnixNano()%1_000_000_000)
	t.Cleanup(func() {
		_, _ = db.Pool.Exec(context.Background(), `DELETE FROM users WHERE organisation = $1`, org)
		_, _ = db.Pool.Exec(context.Background(), `DELETE FROM organisations WHERE code = $1`, org)
	})
	if err := s.CreateOrganisation(ctx, layers.Organisation{Code: org, Name: "Test", Kind: "region"}); err != nil {
		t.Fatal(err)
	}
	hash, _ := layers.HashPassword("tolv tecken!", cheap)
	id, err := s.CreateUser(ctx, layers.NewUser{Organisation: org, Username: org + ".user", Role: "editor", PasswordHash: hash})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateUser(ctx, layers.NewUser{Organisation: org, Username: org + ".user", Role: "editor", PasswordHash: hash}); !errors.Is(err, layers.ErrConflict) {
		t.Errorf("duplicate account: %v", err)
	}
	var inv *layers.InvalidError
	if _, err := s.CreateUser(ctx, layers.NewUser{Organisation: org, Username: "Ä bad name", Role: "editor", PasswordHash: hash}); !errors.As(err, &inv) {
		t.Errorf("bad account name: %v", err)
	}
	_, sh, _ := layers.NewSecret("")
	t0 := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	if _, err := s.CreateSession(ctx, sh, id, t0, 30*time.Minute, 12*time.Hour); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		at    time.Duration
		alive bool
	}{{10 * time.Second, true}, {29 * time.Minute, true}, {58 * time.Minute, true}, {89 * time.Minute, false}} {
		a, _, err := s.TouchSession(ctx, sh, t0.Add(tt.at), 30*time.Minute)
		if alive := err == nil; alive != tt.alive || (alive && (a.ID != id || a.Role != "editor" || a.OrgKind != "region")) {
			t.Errorf("session at +%v: %+v, %v; want alive %v", tt.at, a, err, tt.alive)
		}
	}
	// The demo load refuses to take over an account that is not a demo one.
	if _, err := db.Pool.Exec(ctx, `UPDATE users SET username = 'civil.lasare' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	// The demo data's partner layer brings its organisations (mimer, vasteras, polisen) into
	// the test database; the refused load must add none and change none.
	demoOrgs := func() (n int64, names string) {
		t.Helper()
		if err := db.Pool.QueryRow(ctx, `SELECT count(*), coalesce(string_agg(code || ' ' || name || ' ' || kind, ', ' ORDER BY code), '')
			FROM organisations WHERE demo`).Scan(&n, &names); err != nil {
			t.Fatal(err)
		}
		return n, names
	}
	before, beforeNames := demoOrgs()
	if _, err := s.LoadDemoIdentity(ctx, cheap); !errors.Is(err, layers.ErrConflict) {
		t.Errorf("demo load over a real account: %v, want a conflict", err)
	}
	if after, afterNames := demoOrgs(); after != before || afterNames != beforeNames {
		t.Errorf("a refused demo load changed the demo organisations from %q to %q", beforeNames, afterNames)
	}
}
