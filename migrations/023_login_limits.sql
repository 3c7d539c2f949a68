-- Login limits shared by every server process (issue 16): the counts of failed logins that
-- web/auth's limiter keeps per account and client address, per address and per account, and
-- the marks of places an account has logged in from. They were in each process's memory, so
-- ten wrong passwords spread over three processes behind a load balancer counted as three or
-- four in each; here they count as ten, whichever process answers.
--
-- A key is 17 bytes or more (the kind, 16 bytes of SHA-256 of the account name, the client
-- address's /64 or IPv4 address), never the name itself. A row is forgotten at expires_at; the
-- limiter deletes forgotten rows and, beyond its bound, the least recently used ones (used_at).
-- The table is logged, not UNLOGGED: a crash or a failover to a standby must not hand an
-- attacker fresh allowances.

CREATE TABLE login_limits (
  key        bytea PRIMARY KEY,
  fails      integer NOT NULL CHECK (fails >= 0),
  last_at    timestamptz NOT NULL,
  next_at    timestamptz NOT NULL,
  used_at    timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX login_limits_expires_at ON login_limits (expires_at);
CREATE INDEX login_limits_used_at ON login_limits (used_at);

COMMENT ON TABLE login_limits IS 'Failed-login counts of web/auth''s limiter, shared by every server process (hashed account names, client addresses).';

-- The server keeps the counts; the default privileges of migration 009 already let it read them.
GRANT INSERT, UPDATE, DELETE ON login_limits TO lagesbild_app;
