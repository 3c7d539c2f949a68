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

// importAreasCmd runs "lagesbild import areas ...".
func importAreasCmd(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("import areas", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	level := fs.String("level", "", "deso or regso")
	layer := fs.String("layer", "", "the layer (default: the only feature layer)")
	var f layers.AreaFields
	fs.StringVar(&f.Code, "code-field", "", "")
	fs.StringVar(&f.Name, "name-field", "", "")
	fs.StringVar(&f.Parent, "parent-field", "", "")
	fs.StringVar(&f.Population, "population-field", "", "")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error() + "\n\n" + importAreasUsage}
	}
	if fs.NArg() != 1 || (*level != "deso" && *level != "regso") {
		return usageError{importAreasUsage}
	}
	path := fs.Arg(0)
	if !strings.EqualFold(filepath.Ext(path), ".gpkg") {
		return usageError{fmt.Sprintf("%s: not a .gpkg file\n\n%s", path, importAreasUsage)}
	}
	url, err := databaseURL(getenv)
	if err != nil {
		return err
	}
	areas, err := layers.ReadGeoPackageAreas(ctx, path, *level, *layer, f)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	store, closeDB, err := operatorStore(ctx, url)
	if err != nil {
		return err
	}
	defer closeDB()
	sum, err := store.ImportAreas(ctx, *level, areas)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	fmt.Fprintf(stdout, "import areas: %d %s areas (%d new, %d replaced)\n", len(areas), *level, sum.Inserted, sum.Replaced)
	printRepaired(stdout, sum.Repaired)
	return nil
}
