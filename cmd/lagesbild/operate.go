package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// proxyFlag reads --trusted-proxy: CIDR ranges (or single addresses), repeatable and
// comma-separated, defaulting to LAGESBILD_TRUSTED_PROXIES.
type proxyFlag struct{ ranges []netip.Prefix }

func (p *proxyFlag) String() string {
	parts := make([]string, len(p.ranges))
	for i, r := range p.ranges {
		parts[i] = r.String()
	}
	return strings.Join(parts, ",")
}

func (p *proxyFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		r, err := netip.ParsePrefix(s)
		if err != nil {
			a, aerr := netip.ParseAddr(s)
			if aerr != nil {
				return fmt.Errorf("%q is neither a CIDR range (10.0.0.0/8) nor an address", s)
			}
			r = netip.PrefixFrom(a, a.BitLen())
		}
		p.ranges = append(p.ranges, r.Masked())
	}
	return nil
}

// operateFlags adds the serve flags of how the server sits in its network — the trusted
// proxies and the metrics address — and returns what reads them after parsing.
func operateFlags(fs *flag.FlagSet, getenv func(string) string) func() ([]netip.Prefix, string, error) {
	proxies := &proxyFlag{}
	fs.Var(proxies, "trusted-proxy", "CIDR range of a reverse proxy in front of the server (repeatable, comma-separated; default "+
		"$LAGESBILD_TRUSTED_PROXIES): X-Forwarded-For is read only from these, else the connection's address is the client's")
	metricsAddr := fs.String("metrics-addr", getenv("LAGESBILD_METRICS_ADDR"),
		"listen address of Prometheus /metrics, e.g. 127.0.0.1:9090 (default: off; never served on --addr)")
	return func() ([]netip.Prefix, string, error) {
		if len(proxies.ranges) == 0 {
			if err := proxies.Set(getenv("LAGESBILD_TRUSTED_PROXIES")); err != nil {
				return nil, "", usageError{"LAGESBILD_TRUSTED_PROXIES: " + err.Error()}
			}
		}
		return proxies.ranges, *metricsAddr, nil
	}
}

// serveMetrics serves reg's /metrics on addr until ctx ends, and returns the function that
// shuts it down. The address is separate from the API's so that it can stay on a private
// interface: the figures describe the load and the data.
func serveMetrics(ctx context.Context, addr string, reg *prometheus.Registry, log *slog.Logger) (func(context.Context) error, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics listen: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, IdleTimeout: time.Minute,
		BaseContext: func(net.Listener) context.Context { return ctx }}
	log.Info("serving metrics", "addr", ln.Addr().String())
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics server stopped", "error", err)
		}
	}()
	return srv.Shutdown, nil
}
