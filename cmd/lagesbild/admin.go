package main

// Operator commands for identity (issue 7): organisations, accounts and API tokens, and the
// serve flags that configure sessions, demo mode and OpenID Connect.
//
//	lagesbild org add CODE NAME KIND
//	lagesbild user add ORG USERNAME --role reader|editor|admin [--password-file FILE]
//	lagesbild user disable|enable USERNAME
//	lagesbild token create --org ORG --scope read,write --expires 30d [--name TEXT]
//	lagesbild token revoke ID
//
// A password is read from --password-file or from standard input (its first line), never
// from a flag value: flag values end up in shell history and in every process listing.

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/auth"
)

const adminUsage = `usage:
  lagesbild org add CODE NAME KIND          KIND: ` + "police, municipality, housing, region, civil_society, public" + `
  lagesbild user add ORG USERNAME --role reader|editor|admin [--password-file FILE]   (else the password is read from stdin)
  lagesbild user disable|enable USERNAME
  lagesbild token create --org ORG --scope read,write --expires 30d [--name TEXT]
  lagesbild token revoke ID`

// adminCmd runs org, user and token commands; stdin supplies a password when no file is named.
func adminCmd(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	if len(args) < 2 {
		return usageError{adminUsage}
	}
	cmd := args[0] + " " + args[1]
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	role := fs.String("role", "", "reader, editor or admin")
	passwordFile := fs.String("password-file", "", "file whose first line is the password (default: standard input)")
	org := fs.String("org", "", "organisation code")
	scope := fs.String("scope", "read", "comma-separated scopes: read, write, admin")
	expires := fs.String("expires", "30d", "lifetime: whole days (30d) or a duration (12h)")
	name := fs.String("name", "", "what the token is for")
	pos, err := parseInterspersed(fs, args[2:])
	if err != nil {
		return usageError{err.Error() + "\n\n" + adminUsage}
	}
	want := map[string]int{"org add": 3, "user add": 2, "user disable": 1, "user enable": 1, "token create": 0, "token revoke": 1}
	n, ok := want[cmd]
	if !ok || len(pos) != n {
		return usageError{adminUsage}
	}
	url, err := databaseURL(getenv)
	if err != nil {
		return err
	}
	store, closeDB, err := operatorStore(ctx, url)
	if err != nil {
		return err
	}
	defer closeDB()

	switch cmd {
	case "org add":
		if err := store.CreateOrganisation(ctx, layers.Organisation{Code: pos[0], Name: pos[1], Kind: pos[2]}); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "organisation %s added\n", pos[0])
	case "user add":
		if *role == "" {
			return usageError{"user add: --role reader|editor|admin is required"}
		}
		pw, err := readPassword(*passwordFile, stdin)
		if err != nil {
			return err
		}
		if err := layers.CheckPassword(pw); err != nil {
			return err
		}
		hash, err := layers.HashPassword(pw, layers.DefaultArgon2())
		if err != nil {
			return err
		}
		id, err := store.CreateUser(ctx, layers.NewUser{Organisation: pos[0], Username: strings.ToLower(pos[1]), Role: *role, PasswordHash: hash})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "user %s (id %d) added to %s as %s\n", strings.ToLower(pos[1]), id, pos[0], *role)
	case "user disable", "user enable":
		if err := store.SetUserDisabled(ctx, pos[0], args[1] == "disable"); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "user %s %sd\n", pos[0], args[1])
	case "token create":
		if *org == "" {
			return usageError{"token create: --org is required"}
		}
		life, err := auth.ParseLifetime(*expires)
		if err != nil {
			return usageError{"token create: --expires " + err.Error()}
		}
		if _, err := store.LookupOrganisation(ctx, *org); err != nil {
			return err
		}
		now := time.Now()
		t, secret, err := store.CreateToken(ctx, layers.TokenSpec{Organisation: *org, Name: *name,
			Scopes: strings.Split(*scope, ","), ExpiresAt: now.Add(life)}, now)
		if err != nil {
			return err
		}
		// The secret goes to stdout alone on its last line, so a script can take it with tail -n 1.
		fmt.Fprintf(stdout, "token %d for %s, scopes %s, expires %s (shown once; store it now):\n%s\n",
			t.ID, t.Organisation, strings.Join(t.Scopes, ","), t.ExpiresAt.Format(time.RFC3339), secret)
	case "token revoke":
		id, err := strconv.ParseInt(pos[0], 10, 64)
		if err != nil || id < 1 {
			return usageError{"token revoke: ID is a positive integer"}
		}
		if err := store.RevokeToken(ctx, id, time.Now()); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "token %d revoked\n", id)
	}
	return nil
}

// parseInterspersed parses flags that may come before, between or after the positional
// arguments (flag.Parse stops at the first positional one).
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// readPassword reads the first line of file, or of stdin when file is empty.
func readPassword(file string, stdin io.Reader) (string, error) {
	r := stdin
	if file != "" {
		f, err := os.Open(file)
		if err != nil {
			return "", fmt.Errorf("password file: %w", err)
		}
		defer f.Close()
		r = f
	}
	line, err := bufio.NewReader(io.LimitReader(r, layers.MaxPasswordLength+2)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", usageError{"no password: give --password-file FILE or the password on standard input"}
	}
	return line, nil
}

// authFlags declares serve's identity flags; the returned function builds the configuration
// after parsing (reading the JWKS, so a wrong path fails at start, not at the first login).
func authFlags(fs *flag.FlagSet, getenv func(string) string) func(ctx context.Context) (auth.Config, error) {
	demo := fs.Bool("demo", false, "accept the demo organisations and accounts of `demo load` (never in production)")
	secure := fs.Bool("cookie-secure", false, "mark the session cookie Secure even over plain HTTP (behind a TLS proxy)")
	idle := fs.Duration("session-idle", 30*time.Minute, "a session ends after this long without a request")
	maxAge := fs.Duration("session-max", 12*time.Hour, "a session ends this long after login, whatever its use")
	issuer := fs.String("oidc-issuer", getenv("LAGESBILD_OIDC_ISSUER"), "OpenID Connect issuer whose bearer JWTs are accepted (iss)")
	audience := fs.String("oidc-audience", getenv("LAGESBILD_OIDC_AUDIENCE"), "audience the JWTs must name (aud)")
	jwks := fs.String("oidc-jwks", getenv("LAGESBILD_OIDC_JWKS"), "the issuer's JWKS: a file path or an https URL")
	orgClaim := fs.String("oidc-org-claim", "org", "claim (dotted path) holding the organisation code")
	rolesClaim := fs.String("oidc-roles-claim", "roles", "claim (dotted path) holding the roles: reader, editor, admin")
	return func(ctx context.Context) (auth.Config, error) {
		cfg := auth.Config{Demo: *demo, CookieSecure: *secure, IdleTimeout: *idle, AbsoluteTimeout: *maxAge}
		if *idle <= 0 || *maxAge <= 0 || *maxAge > 30*24*time.Hour {
			return cfg, usageError{"--session-idle and --session-max must be positive, --session-max at most 720h (the database refuses longer sessions)"}
		}
		if *issuer == "" && *audience == "" && *jwks == "" {
			return cfg, nil
		}
		if *issuer == "" || *audience == "" || *jwks == "" {
			return cfg, usageError{"OpenID Connect needs all of --oidc-issuer, --oidc-audience and --oidc-jwks"}
		}
		keys := auth.NewJWKS(*jwks, nil)
		if err := keys.Load(ctx); err != nil {
			return cfg, err
		}
		cfg.OIDC = &auth.OIDCConfig{Issuer: *issuer, Audience: *audience, Keys: keys, OrgClaim: *orgClaim, RolesClaim: *rolesClaim}
		return cfg, nil
	}
}
