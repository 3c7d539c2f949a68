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

const importIndicatorsUsage = `usage: lagesbild import indicators [flags] FILE

Imports indicator values, all or nothing, replacing existing values for the same area,
indicator and year. FILE is JSON-stat 2.0 (as Statistics Sweden's PX-Web API answers with
format json-stat2) or CSV with columns code, indicator, year, value. Area codes must be
districts already loaded (district, DeSO or RegSO codes) and keys in the indicator catalogue.`

// indicatorsImport is "lagesbild import indicators": JSON-stat or CSV tables of values.
func indicatorsImport() importKind {
	return importKind{name: "indicators", usage: importIndicatorsUsage, define: func(fs *flag.FlagSet) importSteps {
		format := fs.String("format", "", "jsonstat or csv (default: from the file name)")
		m := layers.JSONStatMapping{Indicators: map[string]string{}}
		fs.StringVar(&m.AreaDim, "area-dimension", "Region", "JSON-stat: the dimension of area codes")
		fs.StringVar(&m.TimeDim, "time-dimension", "Tid", "JSON-stat: the dimension of years")
		fs.StringVar(&m.ContentsDim, "contents-dimension", "", "JSON-stat: the dimension of measures, mapped with --map")
		fs.StringVar(&m.Indicator, "indicator", "", "JSON-stat: the indicator key when there is no contents dimension")
		var maps multiFlag
		fs.Var(&maps, "map", "JSON-stat: CONTENTSCODE=indicator_key (repeatable)")
		var rows []layers.IndicatorRow
		return importSteps{
			check: func(path string) error {
				if *format == "" {
					*format = "csv"
					if strings.EqualFold(filepath.Ext(path), ".json") {
						*format = "jsonstat"
					}
				}
				if *format != "csv" && *format != "jsonstat" {
					return usageError{fmt.Sprintf("--format %q: use jsonstat or csv", *format)}
				}
				for _, kv := range maps {
					k, v, ok := strings.Cut(kv, "=")
					if !ok {
						return usageError{fmt.Sprintf("--map %q: want CONTENTSCODE=indicator_key", kv)}
					}
					m.Indicators[k] = v
				}
				return nil
			},
			read: func(_ context.Context, path string) (func(), error) {
				f, err := os.Open(path)
				if err != nil {
					return nil, err
				}
				defer f.Close()
				if *format == "csv" {
					rows, err = layers.ParseIndicatorCSV(f)
				} else {
					rows, err = layers.ParseJSONStat(f, m)
				}
				return nil, err
			},
			store: func(ctx context.Context, s *layers.Store, out, _ io.Writer) error {
				sum, err := s.ImportIndicatorValues(ctx, rows)
				if err != nil {
					return err
				}
				fmt.Fprintf(out, "import indicators: %d values (%d new, %d replaced)\n", sum.Rows, sum.Inserted, sum.Updated)
				return nil
			},
		}
	}}
}
