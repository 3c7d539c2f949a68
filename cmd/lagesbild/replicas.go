package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/lagesbild/lagesbild/layers"
)

// urlsFlag is a repeatable URL flag (--read-database-url).
type urlsFlag struct{ urls []string }

func (u *urlsFlag) String() string { return strings.Join(u.urls, " ") }

func (u *urlsFlag) Set(v string) error {
	if v = strings.TrimSpace(v); v == "" {
		return fmt.Errorf("empty URL")
	}
	u.urls = append(u.urls, v)
	return nil
}

// openReplicas makes one pool per standby URL, with the session settings and statement
// timeouts of the primary's pool. A standby need not answer yet: the Store's watcher puts it
// in use when it does (layers/replicas.go), so a standby that is down never stops the server.
func openReplicas(ctx context.Context, urls []string, maxConns int32, timeouts layers.StatementTimeouts) ([]*pgxpool.Pool, error) {
	var pools []*pgxpool.Pool
	for _, url := range urls {
		cfg, err := pgxpool.ParseConfig(url)
		if err != nil {
			for _, p := range pools {
				p.Close()
			}
			return nil, usageError{fmt.Sprintf("--read-database-url: %v", err)}
		}
		layers.ConfigurePool(cfg)
		if maxConns > 0 {
			cfg.MaxConns = maxConns
		}
		layers.UseStatementTimeouts(cfg, timeouts)
		p, err := pgxpool.NewWithConfig(ctx, cfg)
		if err != nil {
			for _, p := range pools {
				p.Close()
			}
			return nil, fmt.Errorf("read replica: %w", err)
		}
		pools = append(pools, p)
	}
	return pools, nil
}

// replicaCollectors are the metrics of the read routing: per standby whether it is in use,
// its replay position and the reads it answered, and the routed reads the primary answered.
func replicaCollectors(store *layers.Store) []prometheus.Collector {
	status := store.Replicas()
	if len(status) == 0 {
		return nil
	}
	cs := []prometheus.Collector{prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "lagesbild_routed_reads_primary_total", Help: "Reads that may lag which the primary answered (no standby had replayed enough, or none was in use)."},
		func() float64 { return float64(store.PrimaryReads()) })}
	for i, r := range status {
		labels := prometheus.Labels{"replica": r.Name}
		get := func() layers.ReplicaStatus { return store.Replicas()[i] }
		cs = append(cs,
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "lagesbild_replica_in_use", ConstLabels: labels,
				Help: "1 while the standby takes reads; 0 while it is down, not in recovery or lagging beyond --replica-max-lag."},
				func() float64 {
					if get().InUse {
						return 1
					}
					return 0
				}),
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "lagesbild_replica_replayed_bytes", ConstLabels: labels,
				Help: "The standby's replay position as a WAL byte offset (compare with the primary's to see the lag)."},
				func() float64 { return float64(get().Replayed) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "lagesbild_replica_reads_total", ConstLabels: labels,
				Help: "Reads the standby answered."},
				func() float64 { return float64(get().Reads) }))
	}
	return cs
}
