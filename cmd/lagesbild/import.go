package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/lagesbild/lagesbild/layers"
)

// importKind is one kind of `lagesbild import KIND [flags] FILE`. Every kind goes through
// runImport: flags parsed the same way, the file read before the database is opened (so a
// bad file costs no connection), the operator's Store opened, the file stored all or
// nothing, and the result printed.
type importKind struct {
	name  string
	usage string
	// define declares the kind's flags on fs and returns the steps, run once they are parsed.
	define func(fs *flag.FlagSet) importSteps
}

// importSteps are what a kind does with its parsed flags and FILE.
type importSteps struct {
	// check refuses flags and a file name that do not fit, with a usageError; nil accepts.
	check func(path string) error
	// read reads and checks the file and returns the function that closes what it keeps open
	// (nil when nothing).
	read func(ctx context.Context, path string) (func(), error)
	// store writes what read read and prints the result to out; progress goes to stderr.
	store func(ctx context.Context, s *layers.Store, out, stderr io.Writer) error
}

// importKinds are the kinds, in the order the usage lists them.
func importKinds() []importKind {
	return []importKind{observationsImport(), areasImport(), vulnerableAreasImport(), indicatorsImport(), layerImport()}
}

// importUsageAll lists every kind's usage.
func importUsageAll() string {
	var b strings.Builder
	for i, k := range importKinds() {
		if i > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString(k.usage)
	}
	return b.String()
}

// importCmd runs "lagesbild import KIND ...".
func importCmd(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 {
		return usageError{importUsageAll()}
	}
	if isHelp(args[0]) {
		return helpText{importUsageAll() + "\n\nlagesbild import KIND --help shows one kind's flags."}
	}
	return runImport(ctx, args[0], args[1:], getenv, stdout, io.Discard)
}

// importObservationsCmd runs "lagesbild import observations ..." with a progress line on
// stderr.
func importObservationsCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return runImport(ctx, "observations", args, getenv, stdout, stderr)
}

// runImport runs the import of kind name: the one code path of every kind.
func runImport(ctx context.Context, name string, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var kind *importKind
	for _, k := range importKinds() {
		if k.name == name {
			kind = &k
		}
	}
	if kind == nil {
		return usageError{fmt.Sprintf("unknown import %q\n\n%s", name, importUsageAll())}
	}
	fs := flag.NewFlagSet("import "+name, flag.ContinueOnError)
	steps := kind.define(fs)
	if err := parseFlags(fs, args, kind.usage); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{kind.usage}
	}
	path := fs.Arg(0)
	if steps.check != nil {
		if err := steps.check(path); err != nil {
			return err
		}
	}
	url, err := databaseURL(getenv)
	if err != nil {
		return err
	}
	closeFile, err := steps.read(ctx, path)
	if err != nil {
		return pathError(path, err)
	}
	if closeFile != nil {
		defer closeFile()
	}
	store, closeDB, err := operatorStore(ctx, url)
	if err != nil {
		return err
	}
	defer closeDB()
	if err := steps.store(ctx, store, stdout, stderr); err != nil {
		return pathError(path, err)
	}
	return nil
}

// pathError names the file in err, unless err names it already (an error opening it) or
// is a usage error.
func pathError(path string, err error) error {
	var pe *fs.PathError
	var u usageError
	if errors.As(err, &pe) || errors.As(err, &u) {
		return err
	}
	return fmt.Errorf("%s: %w", path, err)
}

// multiFlag collects a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }
