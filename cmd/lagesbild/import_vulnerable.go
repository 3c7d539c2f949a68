package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/featurefile"
)

const importVulnerableUsage = `usage: lagesbild import vulnerable-areas --year YYYY [--name-field F] [--class-field F]
       [--source TEXT] FILE.geojson|FILE.zip

Imports the police's published boundaries of vulnerable areas for one year's list, replacing
that year's areas (all or nothing). FILE is GeoJSON (CRS84, or EPSG:3006 named by a crs member)
or a zipped Shapefile with a .prj (SWEREF 99 TM or WGS 84). The class is read in the police's
words (utsatt område, riskområde, särskilt utsatt område, or UO/RO/SUO); name and class fields
default to name/namn/omrade and class/klass/kategori/typ. Invalid outlines are repaired with
ST_MakeValid and reported.`

// importVulnerableCmd runs "lagesbild import vulnerable-areas ...".
func importVulnerableCmd(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("import vulnerable-areas", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	year := fs.Int("year", 0, "the year of the police's list")
	source := fs.String("source", "", "where the file comes from (default: Polisen and the file name)")
	var f layers.VulnerableAreaFields
	fs.StringVar(&f.Name, "name-field", "", "")
	fs.StringVar(&f.Class, "class-field", "", "")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error() + "\n\n" + importVulnerableUsage}
	}
	if fs.NArg() != 1 || *year == 0 {
		return usageError{importVulnerableUsage}
	}
	path := fs.Arg(0)
	url, err := databaseURL(getenv)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	format, err := featurefile.Detect("", path, data[:min(len(data), 512)])
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if format != featurefile.GeoJSON && format != featurefile.Shapefile {
		return usageError{fmt.Sprintf("%s: a %s file; the police publish GeoJSON or a zipped Shapefile\n\n%s", path, format, importVulnerableUsage)}
	}
	c, err := featurefile.Read(format, data, featurefile.Options{})
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	areas, err := layers.VulnerableAreasFrom(c, f)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if *source == "" {
		*source = "Polisen, utsatta områden " + strconv.Itoa(*year) + " (" + filepath.Base(path) + ")"
	}
	store, closeDB, err := operatorStore(ctx, url)
	if err != nil {
		return err
	}
	defer closeDB()
	sum, err := store.ImportVulnerableAreas(ctx, *year, *source, areas)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	fmt.Fprintf(stdout, "import vulnerable-areas: %d areas for %d (%d previous removed)\n", sum.Inserted, *year, sum.Removed)
	printRepaired(stdout, sum.Repaired)
	return nil
}
