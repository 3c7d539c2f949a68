package main

// Operator commands for identity (issue 7): organisations, accounts and API tokens, and the
// serve flags that configure sessions, demo mode and OpenID Connect.
//
//	lagesbild org add CODE NAME KIND
//	lagesbild org list
//	lagesbild user add ORG USERNAME --role reader|editor|admin [--password-file FILE]
//	lagesbild user disable|enable USERNAME
//	lagesbild user list [--org ORG]
//	lagesbild token create --org ORG --scope read,write --expires 30d [--name TEXT]
//	lagesbild token revoke ID
//	lagesbild token list [--org ORG]
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
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/auth"
)

const adminUsage = `usage:
  lagesbild org add CODE NAME KIND          KIND: ` + "police, municipality, housing, region, civil_society, public" + `
  lagesbild org list
  lagesbild user add ORG USERNAME --role reader|editor|admin [--password-file FILE]   (else the password is read from stdin)
  lagesbild user disable|enable USERNAME
  lagesbild user list [--org ORG]
  lagesbild token create --org ORG --scope read,write --expires 30d [--name TEXT]
  lagesbild token revoke ID
  lagesbild token list [--org ORG]

lagesbild org|user|token SUBCOMMAND --help shows one subcommand's flags.`

// adminSpec is one org, user or token subcommand: its usage line, how many positional
// arguments it takes, and which of the shared flags it reads.
type adminSpec struct {
	usage string
	args  int
	flags []string
}

func adminSpecs() map[string]adminSpec {
	return map[string]adminSpec{
		"org add":      {"usage: lagesbild org add CODE NAME KIND   (KIND: police, municipality, housing, region, civil_society, public)", 3, nil},
		"org list":     {"usage: lagesbild org list   (code, kind, accounts, demo, name)", 0, nil},
		"user add":     {"usage: lagesbild user add ORG USERNAME --role reader|editor|admin [--password-file FILE]\n(without --password-file the password is the first line of standard input; never a flag value)", 2, []string{"role", "password-file"}},
		"user disable": {"usage: lagesbild user disable USERNAME   (its sessions and tokens stop working)", 1, nil},
		"user enable":  {"usage: lagesbild user enable USERNAME", 1, nil},
		"user list":    {"usage: lagesbild user list [--org ORG]   (id, organisation, account, role, state)", 0, []string{"org"}},
		"token create": {"usage: lagesbild token create --org ORG --scope read,write --expires 30d [--name TEXT]\n(the secret is printed once, alone on the last line)", 0, []string{"org", "scope", "expires", "name"}},
		"token revoke": {"usage: lagesbild token revoke ID   (ID as token create or token list printed it)", 1, nil},
		"token list":   {"usage: lagesbild token list [--org ORG]   (id, organisation, account, name, scopes, expiry, last use, state; never a secret)", 0, []string{"org"}},
	}
}

// adminCmd runs org, user and token commands; stdin supplies a password when no file is named.
func adminCmd(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	if len(args) < 2 {
		return usageError{adminUsage}
	}
	if isHelp(args[1]) {
		return helpText{adminUsage}
	}
	cmd := args[0] + " " + args[1]
	spec, ok := adminSpecs()[cmd]
	if !ok {
		return usageError{fmt.Sprintf("unknown command %q\n\n%s", cmd, adminUsage)}
	}
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	role := fs.String("role", "", "reader, editor or admin")
	passwordFile := fs.String("password-file", "", "file whose first line is the password (default: standard input)")
	org := fs.String("org", "", "organisation code")
	scope := fs.String("scope", "read", "comma-separated scopes: read, write, admin")
	expires := fs.String("expires", "30d", "lifetime: whole days (30d) or a duration (12h)")
	name := fs.String("name", "", "what the token is for")
	pos, err := parseInterspersed(fs, args[2:])
	switch {
	case errors.Is(err, flag.ErrHelp):
		if len(spec.flags) == 0 {
			return helpText{spec.usage}
		}
		return helpText{spec.usage + flagList(fs, spec.flags...)}
	case err != nil:
		return usageError{err.Error() + "\n\n" + spec.usage}
	case len(pos) != spec.args:
		return usageError{spec.usage}
	}
	var foreign []string
	fs.Visit(func(f *flag.Flag) {
		if !slices.Contains(spec.flags, f.Name) {
			foreign = append(foreign, "--"+f.Name)
		}
	})
	if len(foreign) > 0 {
		return usageError{fmt.Sprintf("%s takes no %s\n\n%s", cmd, strings.Join(foreign, ", "), spec.usage)}
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

	switch args[0] {
	case "org":
		return orgCmd(ctx, store, args[1], pos, stdout)
	case "user":
		return userCmd(ctx, store, args[1], pos, userFlags{role: *role, passwordFile: *passwordFile, org: *org}, stdin, stdout)
	}
	return tokenCmd(ctx, store, args[1], pos, tokenFlags{org: *org, scope: *scope, expires: *expires, name: *name}, stdout)
}

func orgCmd(ctx context.Context, store *layers.Store, sub string, pos []string, stdout io.Writer) error {
	if sub == "add" {
		if err := store.CreateOrganisation(ctx, layers.Organisation{Code: pos[0], Name: pos[1], Kind: pos[2]}); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "organisation %s added\n", pos[0])
		return nil
	}
	orgs, err := store.Organisations(ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "CODE\tKIND\tACCOUNTS\tDEMO\tNAME")
	for _, o := range orgs {
		fmt.Fprintf(w, "%s\t%s\t%d\t%s\t%s\n", o.Code, o.Kind, o.Accounts, yesNo(o.Demo), o.Name)
	}
	return w.Flush()
}

type userFlags struct{ role, passwordFile, org string }

func userCmd(ctx context.Context, store *layers.Store, sub string, pos []string, f userFlags, stdin io.Reader, stdout io.Writer) error {
	switch sub {
	case "add":
		if f.role == "" {
			return usageError{"user add: --role reader|editor|admin is required"}
		}
		pw, err := readPassword(f.passwordFile, stdin)
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
		id, err := store.CreateUser(ctx, layers.NewUser{Organisation: pos[0], Username: strings.ToLower(pos[1]), Role: f.role, PasswordHash: hash})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "user %s (id %d) added to %s as %s\n", strings.ToLower(pos[1]), id, pos[0], f.role)
		return nil
	case "disable", "enable":
		if err := store.SetUserDisabled(ctx, pos[0], sub == "disable"); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "user %s %sd\n", pos[0], sub)
		return nil
	}
	us, err := store.Users(ctx, f.org)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tORGANISATION\tACCOUNT\tROLE\tSTATE\tDEMO\tCREATED")
	for _, u := range us {
		state := "active"
		if u.Disabled {
			state = "disabled"
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", u.ID, u.Organisation, u.Username, u.Role, state, yesNo(u.Demo),
			u.CreatedAt.Format("2006-01-02 15:04"))
	}
	return w.Flush()
}

type tokenFlags struct{ org, scope, expires, name string }

func tokenCmd(ctx context.Context, store *layers.Store, sub string, pos []string, f tokenFlags, stdout io.Writer) error {
	switch sub {
	case "create":
		if f.org == "" {
			return usageError{"token create: --org is required"}
		}
		life, err := auth.ParseLifetime(f.expires)
		if err != nil {
			return usageError{"token create: --expires " + err.Error()}
		}
		if _, err := store.LookupOrganisation(ctx, f.org); err != nil {
			return err
		}
		now := time.Now()
		t, secret, err := store.CreateToken(ctx, layers.TokenSpec{Organisation: f.org, Name: f.name,
			Scopes: strings.Split(f.scope, ","), ExpiresAt: now.Add(life)}, now)
		if err != nil {
			return err
		}
		// The secret goes to stdout alone on its last line, so a script can take it with tail -n 1.
		fmt.Fprintf(stdout, "token %d for %s, scopes %s, expires %s (shown once; store it now):\n%s\n",
			t.ID, t.Organisation, strings.Join(t.Scopes, ","), t.ExpiresAt.Format(time.RFC3339), secret)
		return nil
	case "revoke":
		id, err := strconv.ParseInt(pos[0], 10, 64)
		if err != nil || id < 1 {
			return usageError{"token revoke: ID is a positive integer"}
		}
		if err := store.RevokeToken(ctx, id, time.Now()); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "token %d revoked\n", id)
		return nil
	}
	ts, err := store.Tokens(ctx, f.org)
	if err != nil {
		return err
	}
	now := time.Now()
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tORGANISATION\tACCOUNT\tSCOPES\tSTATE\tEXPIRES\tLAST USED\tNAME")
	for _, t := range ts {
		state := "active"
		switch {
		case t.RevokedAt != nil:
			state = "revoked"
		case !t.ExpiresAt.After(now):
			state = "expired"
		}
		used := "never"
		if t.LastUsedAt != nil {
			used = t.LastUsedAt.Format("2006-01-02 15:04")
		}
		account := t.Account
		if account == "" {
			account = "-"
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Organisation, account, strings.Join(t.Scopes, ","), state,
			t.ExpiresAt.Format("2006-01-02 15:04"), used, t.Name)
	}
	return w.Flush()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
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

// cacheTokens gives cfg a cache of API tokens' principals, trusted while store's change
// listener is connected, and returns changed extended to feed it the notifications.
func cacheTokens(cfg *auth.Config, store *layers.Store, changed func(table string)) func(table string) {
	tokens := auth.NewTokenCache(store.Listening, 0)
	cfg.Tokens = tokens
	return func(table string) {
		tokens.Changed(table)
		changed(table)
	}
}
