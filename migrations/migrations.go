// Package migrations holds the versioned SQL schema of Lägesbild, embedded in the binary.
//
// Files are named NNN_description.sql and applied in order by jackc/tern, each in its own
// transaction, and recorded in the schema_version table; a file is never edited once it
// has landed, a change is a new file.
package migrations

import "embed"

// FS holds the migration files.
//
//go:embed *.sql
var FS embed.FS
