package layers

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Work is the kind of work a request does, which decides how long each of its statements may
// run (PostgreSQL's statement_timeout): a map tile or a page of items should take
// milliseconds, an analysis reads much more, an upload writes a whole layer.
type Work int

const (
	// WorkMap is the default: tiles, items, collections, small reads and writes.
	WorkMap Work = iota
	// WorkAnalysis: hotspots, priority, deployment plans, follow-up, the report.
	WorkAnalysis
	// WorkImport: a partner layer upload.
	WorkImport
)

func (w Work) String() string {
	switch w {
	case WorkAnalysis:
		return "analysis"
	case WorkImport:
		return "import"
	}
	return "map"
}

type workKey struct{}

// WithWork returns ctx marked as doing work w; statements run with it get w's timeout.
func WithWork(ctx context.Context, w Work) context.Context {
	return context.WithValue(ctx, workKey{}, w)
}

// WorkFrom returns the kind of work of ctx (WorkMap when unmarked).
func WorkFrom(ctx context.Context) Work {
	w, _ := ctx.Value(workKey{}).(Work)
	return w
}

// StatementTimeouts are the statement_timeout of each kind of work; 0: none.
type StatementTimeouts struct {
	Map, Analysis, Import time.Duration
}

// The server's defaults. The operator's commands (imports, migrations, accounts) connect
// without UseStatementTimeouts and have none.
const (
	DefaultMapStatementTimeout      = 10 * time.Second
	DefaultAnalysisStatementTimeout = 30 * time.Second
	DefaultImportStatementTimeout   = 5 * time.Minute
)

// DefaultStatementTimeouts returns the server's defaults.
func DefaultStatementTimeouts() StatementTimeouts {
	return StatementTimeouts{Map: DefaultMapStatementTimeout, Analysis: DefaultAnalysisStatementTimeout, Import: DefaultImportStatementTimeout}
}

func (t StatementTimeouts) of(w Work) time.Duration {
	switch w {
	case WorkAnalysis:
		return t.Analysis
	case WorkImport:
		return t.Import
	}
	return t.Map
}

// timeoutKey is where a connection remembers the statement_timeout in force on it.
const timeoutKey = "lagesbild.statement_timeout"

// UseStatementTimeouts makes every statement on cfg's pool run under the statement_timeout of
// its context's kind of work (WithWork). A new connection starts with the map timeout (a
// startup parameter, no round trip); acquiring a connection for another kind sets the
// session's timeout first, one round trip only when the kind differs from the connection's
// last one. A statement that runs past its timeout fails with SQLSTATE 57014, which
// IsTimeout recognises.
func UseStatementTimeouts(cfg *pgxpool.Config, t StatementTimeouts) {
	cfg.ConnConfig.RuntimeParams["statement_timeout"] = strconv.FormatInt(t.Map.Milliseconds(), 10)
	prev := cfg.PrepareConn
	cfg.PrepareConn = func(ctx context.Context, c *pgx.Conn) (bool, error) {
		if prev != nil {
			if ok, err := prev(ctx, c); !ok || err != nil {
				return ok, err
			}
		}
		want := t.of(WorkFrom(ctx)).Milliseconds()
		data := c.PgConn().CustomData()
		have, seen := data[timeoutKey].(int64)
		if !seen {
			have = t.Map.Milliseconds()
		}
		if have == want {
			return true, nil
		}
		if _, err := c.Exec(ctx, "SELECT set_config('statement_timeout', $1, false)", strconv.FormatInt(want, 10)); err != nil {
			return false, fmt.Errorf("set statement_timeout: %w", err) // the session's state is unknown: drop it
		}
		data[timeoutKey] = want
		return true, nil
	}
}

// IsTimeout reports whether err is a statement cancelled by its statement_timeout (or by a
// cancel request) rather than a failure of the statement itself.
func IsTimeout(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "57014"
}
