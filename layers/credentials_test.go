package layers_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/layerstest"
)

// credentialsFixture is an organisation with an editor account, removed after the test.
func credentialsFixture(t *testing.T, db *layerstest.DB) (org string, userID int64, username string) {
	t.Helper()
	ctx := context.Background()
	s := layers.NewStore(db.Pool)
	org = fmt.Sprintf("cred%d", time.Now().UnixNano()%1_000_000_000)
	username = org + ".editor"
	t.Cleanup(func() {
		for _, q := range []string{`DELETE FROM api_tokens WHERE organisation = $1`, `DELETE FROM users WHERE organisation = $1`, `DELETE FROM organisations WHERE code = $1`} {
			_, _ = db.Pool.Exec(context.Background(), q, org)
		}
	})
	if err := s.CreateOrganisation(ctx, layers.Organisation{Code: org, Name: "Test", Kind: "police"}); err != nil {
		t.Fatal(err)
	}
	hash, _ := layers.HashPassword("tolv tecken!", cheap)
	id, err := s.CreateUser(ctx, layers.NewUser{Organisation: org, Username: username, Role: "editor", PasswordHash: hash})
	if err != nil {
		t.Fatal(err)
	}
	return org, id, username
}

// TestTokenLineageInStore (issue 12, finding 3): a token mints no token that outlives or
// out-scopes it, and revoking it revokes what it minted.
func TestTokenLineageInStore(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	org, userID, _ := credentialsFixture(t, db)
	op := layers.NewStore(db.Pool)
	app := layers.NewStore(db.AppPool)
	now := time.Now()
	_, parentSecret, err := op.CreateToken(ctx, layers.TokenSpec{Organisation: org, UserID: userID, Scopes: []string{"read", "write"},
		ExpiresAt: now.Add(time.Minute)}, now)
	if err != nil {
		t.Fatal(err)
	}
	p, _, err := app.TokenPrincipal(ctx, parentSecret, now)
	if err != nil {
		t.Fatal(err)
	}
	as := layers.WithPrincipal(ctx, p)
	var inv *layers.InvalidError
	if _, _, err := app.MintToken(as, layers.MintSpec{Owner: layers.OwnerSelf, Scopes: []string{"read"}, ExpiresAt: now.Add(366 * 24 * time.Hour)}, now); !errors.As(err, &inv) || inv.Param != "expires_in" {
		t.Errorf("a one-minute token minted a 366-day one: %v", err)
	}
	if _, _, err := app.MintToken(as, layers.MintSpec{Owner: layers.OwnerSelf, Scopes: []string{"read", "admin"}, ExpiresAt: now.Add(time.Second)}, now); !errors.As(err, &inv) || inv.Param != "scopes" {
		t.Errorf("a read-write token minted an admin one: %v", err)
	}
	if _, _, err := app.MintToken(as, layers.MintSpec{Owner: layers.OwnerOrganisation, Scopes: []string{"read"}, ExpiresAt: now.Add(time.Second)}, now); !errors.As(err, &inv) || inv.Param != "owner" {
		t.Errorf("a non-admin token minted an organisation's token: %v", err)
	}
	child, childSecret, err := app.MintToken(as, layers.MintSpec{Owner: layers.OwnerSelf, Scopes: []string{"read"}, ExpiresAt: now.Add(time.Minute)}, now)
	if err != nil {
		t.Fatal(err)
	}
	if child.ParentID == nil || *child.ParentID != p.TokenID || child.CreatedVia == nil || *child.CreatedVia != "token" {
		t.Errorf("child lineage %+v", child)
	}
	if err := op.RevokeToken(ctx, p.TokenID, now); err != nil {
		t.Fatal(err)
	}
	if _, _, err := app.TokenPrincipal(ctx, childSecret, now); !errors.Is(err, layers.ErrNotFound) {
		t.Errorf("child of a revoked token: %v, want not found", err)
	}
	// A principal without a credential of its own (ActingAs, a JWT) mints nothing.
	if _, _, err := app.MintToken(layers.ActingAs(ctx, org, "police", "admin"), layers.MintSpec{Owner: layers.OwnerOrganisation,
		Scopes: []string{"read"}, ExpiresAt: now.Add(time.Minute)}, now); !errors.Is(err, layers.ErrNotFound) {
		t.Errorf("minted without a credential: %v", err)
	}
}

// TestDisableEndsCredentialsInStore (issue 12, finding 4): disabling an account ends its
// sessions and tokens for good; enabling it revives none.
func TestDisableEndsCredentialsInStore(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	org, userID, username := credentialsFixture(t, db)
	op := layers.NewStore(db.Pool)
	app := layers.NewStore(db.AppPool)
	now := time.Now()
	_, sh, _ := layers.NewSecret("")
	if _, err := app.CreateSession(ctx, sh, userID, now, time.Hour, 2*time.Hour); err != nil {
		t.Fatal(err)
	}
	_, secret, err := op.CreateToken(ctx, layers.TokenSpec{Organisation: org, UserID: userID, Scopes: []string{"read"}, ExpiresAt: now.Add(time.Hour)}, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := op.SetUserDisabled(ctx, username, true); err != nil {
		t.Fatal(err)
	}
	if err := op.SetUserDisabled(ctx, username, false); err != nil {
		t.Fatal(err)
	}
	if _, _, err := app.TouchSession(ctx, sh, now, time.Hour); !errors.Is(err, layers.ErrNotFound) {
		t.Errorf("session after disable and enable: %v, want not found", err)
	}
	if _, _, err := app.TokenPrincipal(ctx, secret, now); !errors.Is(err, layers.ErrNotFound) {
		t.Errorf("token after disable and enable: %v, want not found", err)
	}
}

// TestRevokeRacesMint: tokens minted while their parent is being revoked are revoked with it
// (the lineage trigger locks the parent row, so a child is either refused or seen by the
// cascade); none is left alive under a revoked parent.
func TestRevokeRacesMint(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	org, userID, _ := credentialsFixture(t, db)
	op := layers.NewStore(db.Pool)
	app := layers.NewStore(db.AppPool)
	for round := 0; round < 5; round++ {
		now := time.Now()
		_, secret, err := op.CreateToken(ctx, layers.TokenSpec{Organisation: org, UserID: userID, Scopes: []string{"read"}, ExpiresAt: now.Add(time.Hour)}, now)
		if err != nil {
			t.Fatal(err)
		}
		p, _, err := app.TokenPrincipal(ctx, secret, now)
		if err != nil {
			t.Fatal(err)
		}
		as := layers.WithPrincipal(ctx, p)
		errs := make(chan error, 9)
		for i := 0; i < 8; i++ {
			go func() {
				_, _, err := app.MintToken(as, layers.MintSpec{Owner: layers.OwnerSelf, Scopes: []string{"read"}, ExpiresAt: now.Add(time.Minute)}, now)
				if errors.Is(err, layers.ErrNotFound) { // refused: the parent was revoked first
					err = nil
				}
				errs <- err
			}()
		}
		go func() { errs <- op.RevokeToken(ctx, p.TokenID, now) }()
		for i := 0; i < 9; i++ {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		var alive int
		if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM api_tokens WHERE parent_id = $1 AND revoked_at IS NULL`, p.TokenID).Scan(&alive); err != nil {
			t.Fatal(err)
		}
		if alive != 0 {
			t.Fatalf("round %d: %d children alive under a revoked parent", round, alive)
		}
	}
}
