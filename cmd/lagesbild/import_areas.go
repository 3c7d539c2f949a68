package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/lagesbild/lagesbild/layers"
)

const importAreasUsage = `usage: lagesbild import areas --level deso|regso [--layer NAME] [--code-field F]
       [--name-field F] [--parent-field F] [--population-field F] FILE.gpkg

Imports Statistics Sweden's DeSO or RegSO boundaries (or any GeoPackage layer of polygons in
SWEREF 99 TM, EPSG:3006) into the districts, all or nothing, replacing districts with the same
code. Other CRSs are refused; reproject with ogr2ogr -t_srs EPSG:3006. Invalid outlines are
repaired with ST_MakeValid and reported. Code and name fields default to SCB's names
(desokod/deso, regsokod and regso); parents and population are set only when named, and
parents must already be stored or be in the same file.`

// areasImport is "lagesbild import areas": DeSO or RegSO boundaries from a GeoPackage.
func areasImport() importKind {
	return importKind{name: "areas", usage: importAreasUsage, define: func(fs *flag.FlagSet) importSteps {
		level := fs.String("level", "", "deso or regso")
		layer := fs.String("layer", "", "the layer (default: the only feature layer)")
		var f layers.AreaFields
		fs.StringVar(&f.Code, "code-field", "", "")
		fs.StringVar(&f.Name, "name-field", "", "")
		fs.StringVar(&f.Parent, "parent-field", "", "")
		fs.StringVar(&f.Population, "population-field", "", "")
		var areas []layers.Area
		return importSteps{
			check: func(path string) error {
				if *level != "deso" && *level != "regso" {
					return usageError{importAreasUsage}
				}
				if !strings.EqualFold(filepath.Ext(path), ".gpkg") {
					return usageError{fmt.Sprintf("%s: not a .gpkg file\n\n%s", path, importAreasUsage)}
				}
				return nil
			},
			read: func(ctx context.Context, path string) (_ func(), err error) {
				areas, err = layers.ReadGeoPackageAreas(ctx, path, *level, *layer, f)
				return nil, err
			},
			store: func(ctx context.Context, s *layers.Store, out, _ io.Writer) error {
				sum, err := s.ImportAreas(ctx, *level, areas)
				if err != nil {
					return err
				}
				fmt.Fprintf(out, "import areas: %d %s areas (%d new, %d replaced)\n", len(areas), *level, sum.Inserted, sum.Replaced)
				printRepaired(out, sum.Repaired)
				return nil
			},
		}
	}}
}
