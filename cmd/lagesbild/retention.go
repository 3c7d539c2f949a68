package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/lagesbild/lagesbild/layers"
)

const retentionUsage = `usage: lagesbild retention [--years N] [--dry-run]

Keeps N whole calendar years of observations (Europe/Stockholm) and drops every older year as a
whole partition: detached without stopping readers, then dropped with its keys; nothing is
deleted row by row. The year that contains the day N years ago is kept entire. Also makes this
year's and next year's partitions, so run it daily (deploy/lagesbild-retention.timer). Caches of
running servers hear of it. The default period, five years, is docs/operations.md's
("Retention"): confirm it with the police's and the municipality's archive rules.`

// retentionCmd is "lagesbild retention": layers.Store.ApplyObservationRetention as the owner
// (serve's role may not drop tables). now is the clock, a parameter for tests.
func retentionCmd(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer, now time.Time) error {
	fs := flag.NewFlagSet("retention", flag.ContinueOnError)
	def := layers.DefaultObservationRetentionYears
	if v := getenv("LAGESBILD_OBSERVATION_RETENTION_YEARS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return usageError{fmt.Sprintf("LAGESBILD_OBSERVATION_RETENTION_YEARS=%q: want a whole number of years, at least 1", v)}
		}
		def = n
	}
	years := fs.Int("years", def, "whole years of observations to keep (default $LAGESBILD_OBSERVATION_RETENTION_YEARS, else 5)")
	dryRun := fs.Bool("dry-run", false, "say what would be dropped, change nothing")
	if err := parseFlags(fs, args, retentionUsage); err != nil {
		return err
	}
	if fs.NArg() > 0 || *years < 1 {
		return usageError{retentionUsage}
	}
	url, err := databaseURL(getenv)
	if err != nil {
		return err
	}
	store, closePool, err := operatorStore(ctx, url)
	if err != nil {
		return err
	}
	defer closePool()
	sum, err := store.ApplyObservationRetention(ctx, *years, now, *dryRun)
	if err != nil {
		return err
	}
	verb := "dropped"
	if *dryRun {
		verb = "would drop"
	}
	for _, d := range sum.Dropped {
		if *dryRun {
			fmt.Fprintf(stdout, "retention: %s %d (about %d rows)\n", verb, d.Year, d.Rows)
			continue
		}
		fmt.Fprintf(stdout, "retention: %s %d (about %d rows, %d keys) in %s\n", verb, d.Year, d.Rows, d.Keys, d.Took.Round(time.Millisecond))
	}
	fmt.Fprintf(stdout, "retention: keeping %d years, from %d on; %d years %s\n", *years, sum.FirstKept, len(sum.Dropped), verb)
	if !*dryRun {
		fmt.Fprintf(stdout, "retention: partitions of %d and %d in place\n", sum.Ensured[0], sum.Ensured[1])
	}
	return nil
}
