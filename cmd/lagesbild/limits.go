package main

import (
	"flag"
	"time"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web"
)

// serveLimits are serve's bounds on connections, time and concurrent analyses.
type serveLimits struct {
	Conn       web.Limits
	Statements layers.StatementTimeouts
	// Request and Analysis are the deadlines of map requests and of analyses.
	Request, Analysis time.Duration
	MaxAnalyses       int
	QueueWait         time.Duration
}

// limitFlags declares serve's bounds; the returned function, called after fs.Parse, checks and
// returns them. Go raises the soft limit of open files to the hard one at start (since Go
// 1.19), so the bound on connections, not the file limit, is what a flood meets first; keep
// --max-connections well below `ulimit -Hn`, leaving room for database connections and files.
func limitFlags(fs *flag.FlagSet) func() (serveLimits, error) {
	l := serveLimits{Conn: web.DefaultLimits(), Statements: layers.DefaultStatementTimeouts(),
		Request: web.DefaultRequestTimeout, Analysis: web.DefaultAnalysisTimeout,
		MaxAnalyses: web.DefaultMaxAnalyses(), QueueWait: web.DefaultAnalysisQueueWait}
	c := &l.Conn
	fs.IntVar(&c.MaxConnections, "max-connections", c.MaxConnections, "most open client connections; more wait to be accepted (0: no bound)")
	fs.IntVar(&c.MaxConnectionsPerIP, "max-connections-per-ip", c.MaxConnectionsPerIP,
		"most open connections from one address, more are answered 503 (0: no bound; behind a reverse proxy, raise it above the proxy's pool)")
	fs.DurationVar(&c.BodyTimeout, "body-timeout", c.BodyTimeout, "longest time to receive a request body after its headers")
	fs.DurationVar(&c.UploadTimeout, "upload-timeout", c.UploadTimeout, "longest time to receive a partner layer upload")
	fs.DurationVar(&c.ReadHeaderTimeout, "header-timeout", c.ReadHeaderTimeout, "longest time to receive a request's headers")
	fs.DurationVar(&c.IdleTimeout, "idle-timeout", c.IdleTimeout, "how long an idle keep-alive connection is kept")
	fs.DurationVar(&l.Request, "request-timeout", l.Request, "deadline of a map, items or other short request (503 past it)")
	fs.DurationVar(&l.Analysis, "analysis-timeout", l.Analysis, "deadline of an analysis request (503 past it)")
	fs.IntVar(&l.MaxAnalyses, "max-analyses", l.MaxAnalyses, "analyses computing at once; more wait --analysis-queue-wait, then 503")
	fs.DurationVar(&l.QueueWait, "analysis-queue-wait", l.QueueWait, "how long an analysis waits for a slot before a 503")
	fs.DurationVar(&l.Statements.Map, "statement-timeout", l.Statements.Map, "statement_timeout of map, items and other short work (0: none)")
	fs.DurationVar(&l.Statements.Analysis, "analysis-statement-timeout", l.Statements.Analysis, "statement_timeout of an analysis' statements (0: none)")
	fs.DurationVar(&l.Statements.Import, "upload-statement-timeout", l.Statements.Import, "statement_timeout of a partner layer upload's statements (0: none)")
	return func() (serveLimits, error) {
		for _, f := range []struct {
			name string
			bad  bool
		}{
			{"max-connections", c.MaxConnections < 0}, {"max-connections-per-ip", c.MaxConnectionsPerIP < 0},
			{"body-timeout", c.BodyTimeout < 0}, {"upload-timeout", c.UploadTimeout < 0},
			{"header-timeout", c.ReadHeaderTimeout < 0}, {"idle-timeout", c.IdleTimeout < 0},
			{"request-timeout", l.Request <= 0}, {"analysis-timeout", l.Analysis <= 0},
			{"max-analyses", l.MaxAnalyses < 1}, {"analysis-queue-wait", l.QueueWait <= 0},
			{"statement-timeout", l.Statements.Map < 0}, {"analysis-statement-timeout", l.Statements.Analysis < 0},
			{"upload-statement-timeout", l.Statements.Import < 0},
		} {
			if f.bad {
				return l, usageError{"--" + f.name + " is out of range"}
			}
		}
		return l, nil
	}
}
