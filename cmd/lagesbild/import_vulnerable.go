package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/featurefile"
)

// vulnerableUsage is the usage of the kind; the default field names are the catalogue's
// (the vulnerable areas' name and class with their import aliases).
func vulnerableUsage() string {
	l, _ := layers.NewCatalogue().Layer("vulnerable-areas")
	return `usage: lagesbild import vulnerable-areas --year YYYY [--name-field F] [--class-field F]
       [--source TEXT] FILE.geojson|FILE.zip

Imports the police's published boundaries of vulnerable areas for one year's list, replacing
that year's areas (all or nothing). FILE is GeoJSON (CRS84, or EPSG:3006 named by a crs member)
or a zipped Shapefile with a .prj (SWEREF 99 TM or WGS 84). The class is read in the police's
words (utsatt område, riskområde, särskilt utsatt område, or UO/RO/SUO); the name field
defaults to the first of ` + strings.Join(l.ImportNames("name"), "/") + ` the file has, the class field to
the first of ` + strings.Join(l.ImportNames("class"), "/") + `. Invalid outlines are repaired with
ST_MakeValid and reported.`
}

// vulnerableAreasImport is "lagesbild import vulnerable-areas": the police's list of one year.
func vulnerableAreasImport() importKind {
	usage := vulnerableUsage()
	return importKind{name: "vulnerable-areas", usage: usage, define: func(fs *flag.FlagSet) importSteps {
		year := fs.Int("year", 0, "the year of the police's list")
		source := fs.String("source", "", "where the file comes from (default: Polisen and the file name)")
		var f layers.VulnerableAreaFields
		fs.StringVar(&f.Name, "name-field", "", "")
		fs.StringVar(&f.Class, "class-field", "", "")
		var areas []layers.VulnerableArea
		return importSteps{
			check: func(path string) error {
				if *year == 0 {
					return usageError{usage}
				}
				if *source == "" {
					*source = "Polisen, utsatta områden " + strconv.Itoa(*year) + " (" + filepath.Base(path) + ")"
				}
				return nil
			},
			read: func(ctx context.Context, path string) (func(), error) {
				format, err := featurefile.DetectFile(path)
				if err != nil {
					return nil, err
				}
				if format != featurefile.GeoJSON && format != featurefile.Shapefile {
					return nil, usageError{fmt.Sprintf("%s: a %s file; the police publish GeoJSON or a zipped Shapefile\n\n%s", path, format, usage)}
				}
				_, c, err := featurefile.ReadFile(ctx, path, format, featurefile.Options{})
				if err != nil {
					return nil, err
				}
				areas, err = layers.VulnerableAreasFrom(c, f)
				return nil, err
			},
			store: func(ctx context.Context, s *layers.Store, out, _ io.Writer) error {
				sum, err := s.ImportVulnerableAreas(ctx, *year, *source, areas)
				if err != nil {
					return err
				}
				fmt.Fprintf(out, "import vulnerable-areas: %d areas for %d (%d previous removed)\n", sum.Inserted, *year, sum.Removed)
				printRepaired(out, sum.Repaired)
				return nil
			},
		}
	}}
}
