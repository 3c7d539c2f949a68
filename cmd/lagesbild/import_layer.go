package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/featurefile"
)

const importLayerUsage = `usage: lagesbild import layer --layer ID [--replace] FILE (.geojson, .json, .csv, .gpkg or a zipped Shapefile)

Imports the features of FILE into a declared layer that is read from a table of its own
(layers/catalogue.go), all or nothing. Each declared property comes from the file field of its
name or one of its import aliases, case-insensitively; the others keep the table's defaults, and
the rows are real data (illustrative false) unless the file says otherwise. --replace removes the
layer's rows first. Layers with an import of their own (observations, vulnerable-areas) use it.`

// layerImport is "lagesbild import layer": any layer the catalogue declares over a table of its
// own, the mapping from its declaration (layers.LayerRowsFrom), so a new small layer needs no
// import code.
func layerImport() importKind {
	return importKind{name: "layer", usage: importLayerUsage, define: func(fs *flag.FlagSet) importSteps {
		id := fs.String("layer", "", "the layer's collection id")
		replace := fs.Bool("replace", false, "remove the layer's rows first")
		var l *layers.Layer
		var rows *layers.LayerRows
		return importSteps{
			check: func(string) error {
				if *id == "" {
					return usageError{importLayerUsage}
				}
				for _, k := range importKinds() {
					if k.name == *id {
						return usageError{fmt.Sprintf("layer %s has an import of its own: lagesbild import %s …", *id, *id)}
					}
				}
				var err error
				if l, err = layers.NewCatalogue().Layer(*id); err != nil {
					return usageError{fmt.Sprintf("%v\n\n%s", err, importLayerUsage)}
				}
				return nil
			},
			read: func(ctx context.Context, path string) (func(), error) {
				_, c, err := featurefile.ReadFile(ctx, path, "", featurefile.Options{})
				if err != nil {
					return nil, err
				}
				rows, err = layers.LayerRowsFrom(l, c)
				return nil, err
			},
			store: func(ctx context.Context, s *layers.Store, out, _ io.Writer) error {
				sum, err := s.ImportLayer(ctx, rows, *replace)
				if err != nil {
					return err
				}
				var mapped []string
				for i, c := range rows.Columns {
					if i < len(rows.Fields) {
						mapped = append(mapped, c+" ← "+rows.Fields[i])
					}
				}
				fmt.Fprintf(out, "import layer %s: %d features (%d previous removed); fields: %s\n",
					l.ID, sum.Inserted, sum.Removed, strings.Join(mapped, ", "))
				return nil
			},
		}
	}}
}
