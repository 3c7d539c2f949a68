package layers

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/puddle/v2"

	"github.com/lagesbild/lagesbild/layers/featurefile"
)

// The kinds of error the web layer answers in its own way (web/problem.go). Errors wrap one
// with %w; Kind also recognises what PostgreSQL and the pool report.
var (
	// ErrNotFound is wrapped by errors for a collection or feature that does not exist.
	ErrNotFound = errors.New("not found")

	// ErrForbidden is wrapped by errors for something the caller is known to be and may not
	// do (a write its organisation or role does not allow). The web layer answers 403; the
	// error's text is shown to the caller, so it must not describe rows the caller may not read.
	ErrForbidden = errors.New("forbidden")

	// ErrConflict is wrapped by errors for a write that clashes with what is stored (a
	// scenario id already taken, a built-in scenario deleted). The web layer answers 409.
	ErrConflict = errors.New("conflict")

	// ErrTooLarge is wrapped by errors for input over a limit the caller can stay under (an
	// upload's bytes, features or nesting): the web layer answers 413. It is the file
	// reader's own (layers/featurefile sits below layers and makes most of these refusals).
	ErrTooLarge = featurefile.ErrTooLarge

	// ErrUnavailable is wrapped by errors that say the database cannot answer now (down,
	// restarting, out of connections, or too slow): nothing is wrong with the request, and
	// the same request may succeed later. The web layer answers 503 with Retry-After.
	ErrUnavailable = errors.New("database unavailable")
)

// Kind returns the kind err belongs to — ErrNotFound, ErrForbidden, ErrConflict,
// ErrVersionMismatch, ErrTooLarge or ErrUnavailable — or nil when it is none of them (a bug, for the web
// layer: 500). An error wrapping a kind is of that kind. Beyond that, Kind reads what the
// database said, because those errors come from every query and cannot all be wrapped where
// they arise:
//   - SQLSTATE 42501 (insufficient_privilege, which includes "new row violates row-level
//     security policy"): ErrForbidden;
//   - the server going away or refusing connections (class 08, 57P01–57P03 shutdown and
//     start-up, class 53 out of resources such as too_many_connections), a failed connect,
//     a closed pool or a broken connection: ErrUnavailable;
//   - work the server gave up on and that may succeed when tried again (57014 query_canceled
//     by statement_timeout, 55P03 lock_not_available, 40001 serialization_failure, 40P01
//     deadlock_detected, 25006 read_only_sql_transaction during a fail-over): ErrUnavailable.
//
// A client that went away (context.Canceled) is not a kind: the caller checks for it first.
func Kind(err error) error {
	for _, k := range []error{ErrNotFound, ErrForbidden, ErrConflict, ErrVersionMismatch, ErrTooLarge, ErrUnavailable} {
		if errors.Is(err, k) {
			return k
		}
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch code := pgErr.Code; {
		case code == "42501":
			return ErrForbidden
		case strings.HasPrefix(code, "08"), strings.HasPrefix(code, "53"), code == "57P01", code == "57P02", code == "57P03",
			code == "57014", code == "55P03", code == "40001", code == "40P01", code == "25006":
			return ErrUnavailable
		}
		return nil
	}
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	switch {
	case errors.As(err, &connectErr), errors.Is(err, puddle.ErrClosedPool), errors.Is(err, pgconn.ErrConnClosed),
		pgconn.SafeToRetry(err): // only pgconn's errors say so: nothing reached the server
		return ErrUnavailable
	case errors.As(err, &netErr) && !netErr.Timeout(), errors.Is(err, io.ErrUnexpectedEOF):
		// A connection the server dropped mid-query. (A timeout is left out: reading a slow
		// client's body times out the same way, and the database's own timeouts are 57014 or
		// context.DeadlineExceeded.)
		return ErrUnavailable
	}
	return nil
}

// InvalidError says which input was wrong and why. The web layer answers it with 400 and
// names Param in the problem document, with Code and Values beside the English Reason.
type InvalidError struct {
	Param  string // the query parameter or field at fault
	Reason string // in English, for people reading the API's answers
	// Code is one of ReasonCodes: the reason as a word a client words itself, in its reader's
	// language (the page does, in Swedish). Empty means CodeInvalid.
	Code string
	// Values are the figures the wording needs, by name (min, max, value, format …; see the
	// codes), as JSON numbers or strings.
	Values map[string]any
}

func (e *InvalidError) Error() string { return fmt.Sprintf("invalid %s: %s", e.Param, e.Reason) }

// Invalid returns an *InvalidError for param whose reason has no code (CodeInvalid).
func Invalid(param, format string, args ...any) error {
	return &InvalidError{Param: param, Reason: fmt.Sprintf(format, args...)}
}

// InvalidCode returns an *InvalidError for param with a reason code (one of ReasonCodes) and
// the values its wording needs, beside the English reason.
func InvalidCode(param, code string, values map[string]any, format string, args ...any) error {
	return &InvalidError{Param: param, Reason: fmt.Sprintf(format, args...), Code: code, Values: values}
}

// The reason codes of an *InvalidError (and of a file the reader refused, web/problem.go). A
// code is a promise to clients: it keeps its meaning and its values; new reasons get new codes.
const (
	CodeInvalid     = "invalid"      // not classified: the English reason is all there is
	CodeRequired    = "required"     // missing or empty
	CodeOutOfRange  = "out_of_range" // values: min and/or max (numbers, or dates as YYYY-MM-DD)
	CodeTooLong     = "too_long"     // values: max (characters)
	CodeTooMany     = "too_many"     // values: max (items)
	CodeTooLarge    = "too_large"    // more work than one request may ask for: ask for less
	CodeNotOneOf    = "not_one_of"   // values: value (a choice not offered)
	CodeUnknown     = "unknown"      // values: value (an id, organisation or key that does not exist)
	CodeDuplicate   = "duplicate"    // values: value (given twice)
	CodeFormat      = "format"       // values: format, one of the Format* below
	CodeBefore      = "before"       // values: other (the field it must not come before)
	CodeFuture      = "future"       // a time after now where only the past makes sense
	CodeFileEmpty   = "file_empty"   // an uploaded file without features
	CodeFileFeature = "file_feature" // values: feature or line (numbers), field: a part of the file it cannot read
	CodeLooksSWEREF = "looks_sweref" // values: feature: coordinates read as CRS84 that look like SWEREF 99 TM
	CodeUnsupported = "unsupported"  // values: value (a CRS or format not supported)
)

// The formats of CodeFormat.
const (
	FormatDate     = "date"      // YYYY-MM-DD
	FormatTime     = "time"      // RFC 3339
	FormatMonday   = "monday"    // a Monday as YYYY-MM-DD
	FormatNumber   = "number"    // a finite number
	FormatInteger  = "integer"   // a whole number
	FormatText     = "text"      // a string without NUL
	FormatList     = "list"      // an array of strings
	FormatBoolean  = "boolean"   // true or false
	FormatLayerID  = "layer_id"  // 2–63 characters a–z, 0–9 and -, starting with a letter
	FormatUnitCode = "unit_code" // capitals, digits and hyphens with at least one digit, at most 16; never a name
)

// ReasonCodes lists every reason code, for clients' translation tables and their tests.
func ReasonCodes() []string {
	return []string{CodeInvalid, CodeRequired, CodeOutOfRange, CodeTooLong, CodeTooMany, CodeTooLarge, CodeNotOneOf, CodeUnknown,
		CodeDuplicate, CodeFormat, CodeBefore, CodeFuture, CodeFileEmpty, CodeFileFeature, CodeLooksSWEREF, CodeUnsupported}
}

// ReasonFormats lists every format of CodeFormat.
func ReasonFormats() []string {
	return []string{FormatDate, FormatTime, FormatMonday, FormatNumber, FormatInteger, FormatText, FormatList,
		FormatBoolean, FormatLayerID, FormatUnitCode}
}
