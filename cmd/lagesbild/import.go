package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/lagesbild/lagesbild/layers"
)

const importUsage = `usage: lagesbild import indicators [flags] FILE

Imports indicator values, all or nothing, replacing existing values for the same area,
indicator and year. FILE is JSON-stat 2.0 (as Statistics Sweden's PX-Web API answers with
format json-stat2) or CSV with columns code, indicator, year, value. Area codes must be
districts already loaded (district, DeSO or RegSO codes) and keys in the indicator catalogue.`

// importCmd runs "lagesbild import KIND ...".
func importCmd(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) > 0 && args[0] == "areas" {
		return importAreasCmd(ctx, args[1:], getenv, stdout)
	}
	if len(args) > 0 && args[0] == "vulnerable-areas" {
		return importVulnerableCmd(ctx, args[1:], getenv, stdout)
	}
	if len(args) == 0 || args[0] != "indicators" {
		return usageError{importUsage}
	}
	fs := flag.NewFlagSet("import indicators", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	format := fs.String("format", "", "jsonstat or csv (default: from the file name)")
	areaDim := fs.String("area-dimension", "Region", "JSON-stat: the dimension of area codes")
	timeDim := fs.String("time-dimension", "Tid", "JSON-stat: the dimension of years")
	contentsDim := fs.String("contents-dimension", "", "JSON-stat: the dimension of measures, mapped with --map")
	indicator := fs.String("indicator", "", "JSON-stat: the indicator key when there is no contents dimension")
	var maps multiFlag
	fs.Var(&maps, "map", "JSON-stat: CONTENTSCODE=indicator_key (repeatable)")
	if err := fs.Parse(args[1:]); err != nil {
		return usageError{err.Error() + "\n\n" + importUsage}
	}
	if fs.NArg() != 1 {
		return usageError{importUsage}
	}
	path := fs.Arg(0)
	if *format == "" {
		*format = "csv"
		if strings.EqualFold(filepath.Ext(path), ".json") {
			*format = "jsonstat"
		}
	}
	url, err := databaseURL(getenv)
	if err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var rows []layers.IndicatorRow
	switch *format {
	case "csv":
		rows, err = layers.ParseIndicatorCSV(f)
	case "jsonstat":
		m := layers.JSONStatMapping{AreaDim: *areaDim, TimeDim: *timeDim, ContentsDim: *contentsDim, Indicator: *indicator,
			Indicators: map[string]string{}}
		for _, kv := range maps {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				return usageError{fmt.Sprintf("--map %q: want CONTENTSCODE=indicator_key", kv)}
			}
			m.Indicators[k] = v
		}
		rows, err = layers.ParseJSONStat(f, m)
	default:
		return usageError{fmt.Sprintf("--format %q: use jsonstat or csv", *format)}
	}
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	store, closeDB, err := operatorStore(ctx, url)
	if err != nil {
		return err
	}
	defer closeDB()
	sum, err := store.ImportIndicatorValues(ctx, rows)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	fmt.Fprintf(stdout, "import indicators: %d values (%d new, %d replaced)\n", sum.Rows, sum.Inserted, sum.Updated)
	return nil
}

// multiFlag collects a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }
