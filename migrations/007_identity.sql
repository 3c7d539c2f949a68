-- Identity (issue 7, first part): organisations, their user accounts, browser sessions and
-- API tokens. Authorisation (row-level security), partner overlays and the audit log come in
-- later migrations and build on these tables.
--
-- No personal data beyond account names: a user is an organisation, an account name, a role
-- and a password hash. Secrets (session ids, API tokens) are random and stored only as their
-- SHA-256, so a copy of the database gives no usable credential; for 256-bit random secrets a
-- plain hash is enough (no dictionary to attack), unlike passwords, which get argon2id.

-- kind says what an organisation is; authorisation will key on it (police data stays with
-- the police). demo marks the demo load's organisations and users: a server refuses them
-- unless started with --demo, so a demo account left in a real database opens nothing.
CREATE TABLE organisations (
    code       text PRIMARY KEY CHECK (code ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
    name       text NOT NULL CHECK (name <> ''),
    kind       text NOT NULL CHECK (kind IN ('police', 'municipality', 'housing', 'region', 'civil_society', 'public')),
    demo       boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- One role per account; roles are ordered (admin ⊃ editor ⊃ reader). password_hash is a PHC
-- string ($argon2id$v=19$m=…,t=…,p=…$salt$hash), so parameters can be raised later without
-- invalidating stored hashes. Account names are unique across organisations: login asks for
-- the name and the password only.
CREATE TABLE users (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation  text NOT NULL REFERENCES organisations (code),
    username      text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._-]{1,63}$'),
    role          text NOT NULL CHECK (role IN ('reader', 'editor', 'admin')),
    password_hash text NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    disabled      boolean NOT NULL DEFAULT false,
    demo          boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX users_organisation ON users (organisation);

-- A browser session. The cookie holds the random secret; id_hash is its SHA-256. A session
-- ends at expires_at (absolute) or when idle_expires_at passes without a request (each
-- request moves it forward); expired rows are deleted opportunistically.
CREATE TABLE sessions (
    id_hash         bytea PRIMARY KEY CHECK (length(id_hash) = 32),
    user_id         bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at      timestamptz NOT NULL,
    last_seen       timestamptz NOT NULL,
    idle_expires_at timestamptz NOT NULL,
    expires_at      timestamptz NOT NULL,
    CHECK (expires_at > created_at)
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- An API token for machine access. The secret ("lgb_" + 43 characters of base64url, 256
-- bits) is shown once at creation; token_hash is its SHA-256. A token acts for its
-- organisation with its scopes only; when it was made by (or for) a user, disabling that user
-- stops the token too. Revoked tokens are kept (revoked_at) so the id stays meaningful.
CREATE TABLE api_tokens (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash   bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    organisation text NOT NULL REFERENCES organisations (code),
    user_id      bigint REFERENCES users (id) ON DELETE CASCADE,
    name         text NOT NULL DEFAULT '',
    scopes       text[] NOT NULL CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['read', 'write', 'admin']::text[]),
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL CHECK (expires_at > created_at),
    revoked_at   timestamptz,
    last_used_at timestamptz
);
CREATE INDEX api_tokens_organisation ON api_tokens (organisation);
