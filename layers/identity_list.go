package layers

// Listings of organisations, accounts and API tokens for the operator's commands (`lagesbild
// org list`, `user list`, `token list`). They read as the connecting role — the owner, whom
// row-level security does not restrict — so they show everything; the server never calls them.

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// OrganisationListing is an organisation with the number of its accounts.
type OrganisationListing struct {
	Organisation
	Accounts int
}

// Organisations lists every organisation by code.
func (s *Store) Organisations(ctx context.Context) ([]OrganisationListing, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT o.code, o.name, o.kind, o.demo, count(u.id)
		FROM organisations o LEFT JOIN users u ON u.organisation = o.code
		GROUP BY o.code ORDER BY o.code`)
	if err != nil {
		return nil, fmt.Errorf("list organisations: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (OrganisationListing, error) {
		var o OrganisationListing
		err := r.Scan(&o.Code, &o.Name, &o.Kind, &o.Demo, &o.Accounts)
		return o, err
	})
	if err != nil {
		return nil, fmt.Errorf("list organisations: %w", err)
	}
	return out, nil
}

// UserListing is an account as the operator sees it (never its password hash).
type UserListing struct {
	ID           int64
	Organisation string
	Username     string
	Role         string
	Disabled     bool
	Demo         bool
	CreatedAt    time.Time
}

// Users lists the accounts of organisation org ("" for every organisation) by organisation
// and name.
func (s *Store) Users(ctx context.Context, org string) ([]UserListing, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT id, organisation, username, role, disabled, demo, created_at FROM users
		WHERE $1 = '' OR organisation = $1 ORDER BY organisation, username`, org)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[UserListing])
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return out, nil
}

// Tokens lists the API tokens of organisation org ("" for every organisation), newest first,
// revoked and expired ones included (their ids stay meaningful); never a secret or a hash.
func (s *Store) Tokens(ctx context.Context, org string) ([]APIToken, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT t.id, t.organisation, coalesce(u.username, ''), t.name, t.scopes, t.created_at, t.expires_at, t.revoked_at,
		       t.last_used_at, t.parent_id, t.created_via
		FROM api_tokens t LEFT JOIN users u ON u.id = t.user_id
		WHERE $1 = '' OR t.organisation = $1 ORDER BY t.id DESC`, org)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (APIToken, error) {
		var t APIToken
		err := r.Scan(&t.ID, &t.Organisation, &t.Account, &t.Name, &t.Scopes, &t.CreatedAt, &t.ExpiresAt, &t.RevokedAt,
			&t.LastUsedAt, &t.ParentID, &t.CreatedVia)
		return t, err
	})
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	return out, nil
}
