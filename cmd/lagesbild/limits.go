package main

import (
	"flag"

	"github.com/lagesbild/lagesbild/web"
)

// limitFlags declares serve's connection bounds (web.Limits); the returned function, called
// after fs.Parse, checks and returns them. Go raises the soft limit of open files to the hard one at start (since
// Go 1.19), so the bound on connections, not the file limit, is what a flood meets first;
// keep --max-connections well below `ulimit -Hn`, leaving room for database connections
// and files.
func limitFlags(fs *flag.FlagSet) func() (web.Limits, error) {
	l := web.DefaultLimits()
	fs.IntVar(&l.MaxConnections, "max-connections", l.MaxConnections, "most open client connections; more wait to be accepted (0: no bound)")
	fs.IntVar(&l.MaxConnectionsPerIP, "max-connections-per-ip", l.MaxConnectionsPerIP,
		"most open connections from one address, more are answered 503 (0: no bound; behind a reverse proxy, raise it above the proxy's pool)")
	fs.DurationVar(&l.BodyTimeout, "body-timeout", l.BodyTimeout, "longest time to receive a request body after its headers")
	fs.DurationVar(&l.UploadTimeout, "upload-timeout", l.UploadTimeout, "longest time to receive a partner layer upload")
	fs.DurationVar(&l.ReadHeaderTimeout, "header-timeout", l.ReadHeaderTimeout, "longest time to receive a request's headers")
	fs.DurationVar(&l.IdleTimeout, "idle-timeout", l.IdleTimeout, "how long an idle keep-alive connection is kept")
	return func() (web.Limits, error) {
		for _, f := range []struct {
			name string
			bad  bool
		}{
			{"max-connections", l.MaxConnections < 0}, {"max-connections-per-ip", l.MaxConnectionsPerIP < 0},
			{"body-timeout", l.BodyTimeout < 0}, {"upload-timeout", l.UploadTimeout < 0},
			{"header-timeout", l.ReadHeaderTimeout < 0}, {"idle-timeout", l.IdleTimeout < 0},
		} {
			if f.bad {
				return l, usageError{"--" + f.name + " must be 0 or more"}
			}
		}
		return l, nil
	}
}
