package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/featurefile"
)

const partnerUsage = `usage: lagesbild partner upload --org ORG --id ID [--title T] [--share a,b] [--crs EPSG:3006|CRS84] [--x COL --y COL] FILE
       lagesbild partner list`

// partnerCmd runs lagesbild partner upload|list: the operator's way to load a partner layer
// (the same import as PUT /partners/layers/{id}, acting as an admin of --org) and to list
// every partner layer. It connects as the database owner, whom row-level security does not
// restrict; the upload still checks the layer belongs to --org.
func partnerCmd(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 {
		return usageError{partnerUsage}
	}
	if isHelp(args[0]) {
		return helpText{partnerUsage}
	}
	switch args[0] {
	case "upload":
		return partnerUpload(ctx, args[1:], getenv, stdout)
	case "list":
		if len(args) == 2 && isHelp(args[1]) {
			return helpText{"usage: lagesbild partner list   (id, owner, version, features, geometry, sharing, updated, title)"}
		}
		if len(args) != 1 {
			return usageError{partnerUsage}
		}
		url, err := databaseURL(getenv)
		if err != nil {
			return err
		}
		store, closeDB, err := operatorStore(ctx, url)
		if err != nil {
			return err
		}
		defer closeDB()
		ls, err := store.AllPartnerLayers(ctx)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tOWNER\tVERSION\tFEATURES\tGEOMETRY\tSHARED WITH\tUPDATED\tTITLE")
		for _, l := range ls {
			fmt.Fprintf(w, "%s\t%s\t%d\t%d\t%s\t%s\t%s\t%s\n", l.ID, l.Owner, l.Version, l.FeatureCount, l.GeometryType,
				strings.Join(l.SharedWith, ","), l.UpdatedAt.Format("2006-01-02 15:04"), l.Title)
		}
		return w.Flush()
	}
	return usageError{partnerUsage}
}

func partnerUpload(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("partner upload", flag.ContinueOnError)
	org := fs.String("org", "", "owning organisation (code)")
	id := fs.String("id", "", "layer id (a-z, 0-9, -)")
	title := fs.String("title", "", "title (required for a new layer)")
	share := fs.String("share", "", "organisation codes to share with, comma-separated (absent: unchanged on a new version)")
	crsFlag := fs.String("crs", "", "CRS of a file that does not state its own: EPSG:3006 or CRS84")
	x := fs.String("x", "", "CSV: the x (easting or longitude) column")
	y := fs.String("y", "", "CSV: the y (northing or latitude) column")
	maxMB := fs.Int("max-mb", 50, "refuse files larger than this (MiB)")
	maxFeatures := fs.Int("max-features", 100_000, "refuse files with more features")
	if err := parseFlags(fs, args, partnerUsage); err != nil {
		return err
	}
	if fs.NArg() != 1 || *org == "" || *id == "" || *maxMB < 1 || *maxFeatures < 1 {
		return usageError{partnerUsage}
	}
	opt := featurefile.Options{Limits: featurefile.DefaultLimits(), XField: *x, YField: *y}
	opt.Limits.MaxBytes, opt.Limits.MaxFeatures = int64(*maxMB)<<20, *maxFeatures
	switch strings.ToUpper(*crsFlag) {
	case "":
	case "EPSG:3006":
		opt.CRS = 3006
	case "CRS84", "OGC:CRS84", "EPSG:4326":
		opt.CRS = 4326
	default:
		return usageError{fmt.Sprintf("--crs %q: use EPSG:3006 or CRS84", *crsFlag)}
	}
	path := fs.Arg(0)
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if st.Size() > opt.Limits.MaxBytes {
		return fmt.Errorf("%s: %d bytes, more than --max-mb %d", path, st.Size(), *maxMB)
	}
	body, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	format, err := featurefile.Detect("", filepath.Base(path), body[:min(len(body), 512)])
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	fc, err := featurefile.Read(format, body, opt)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	url, err := databaseURL(getenv)
	if err != nil {
		return err
	}
	store, closeDB, err := operatorStore(ctx, url)
	if err != nil {
		return err
	}
	defer closeDB()
	o, err := store.LookupOrganisation(ctx, *org)
	if err != nil {
		return err
	}
	meta := layers.PartnerUpload{ID: *id, Title: *title, Filename: filepath.Base(path), Format: string(format)}
	if hasFlag(fs, "share") {
		meta.SharedWith = []string{}
		for _, c := range strings.Split(*share, ",") {
			if c = strings.TrimSpace(c); c != "" {
				meta.SharedWith = append(meta.SharedWith, c)
			}
		}
	}
	rep, err := store.UploadPartnerLayer(layers.ActingAs(ctx, o.Code, o.Kind, "admin"), meta, fc)
	if errors.Is(err, layers.ErrNotOwner) {
		return fmt.Errorf("partner layer %s: %w (it belongs to another organisation)", *id, err)
	}
	if err != nil {
		return err
	}
	what := "new version"
	if rep.Created {
		what = "new layer"
	}
	fmt.Fprintf(stdout, "partner layer %s (%s): version %d, %d features (%s, %s), owner %s, shared with %s\n", rep.Layer.ID, what,
		rep.Layer.Version, rep.Features, rep.Layer.GeometryType, rep.CRS, rep.Layer.Owner, strings.Join(rep.Layer.SharedWith, ","))
	printRepaired(stdout, rep.Repaired)
	return nil
}

// hasFlag says whether name was given on the command line (an empty --share is a choice).
func hasFlag(fs *flag.FlagSet, name string) bool {
	found := false
	fs.Visit(func(f *flag.Flag) { found = found || f.Name == name })
	return found
}
