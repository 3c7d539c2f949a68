// Package input is the one invalid-input error of the geo packages. A computation that
// refuses its input says which input (the field) and why, so that whoever called it — the
// web layer, for a request — can tell its user what to fix without knowing the package.
// Every geo package returns *Error for invalid input and states in its doc comments which
// inputs it refuses; none declares an error of its own for it.
package input

import (
	"errors"
	"fmt"
)

// ErrInvalid is wrapped by every *Error: errors.Is(err, input.ErrInvalid) says that a geo
// computation refused its input.
var ErrInvalid = errors.New("invalid input")

// Error names the input at fault and says why it is refused. Field is the caller's name for
// the input where the computation knows it (a request parameter such as "band" or
// "weights", or a JSON path such as "targets.side"), else the computation's own name for it;
// a caller that knows better renames it with Named. The text (Error) is written for the
// caller to read: "invalid <field>: <reason>".
type Error struct {
	Field  string
	Reason string
	// Err, when not nil, is an error the reason wraps (a more particular kind, such as
	// forecast.ErrTooLarge); errors.Is and errors.As look through it.
	Err error
}

func (e *Error) Error() string { return "invalid " + e.Field + ": " + e.Reason }

// Unwrap makes errors.Is(err, ErrInvalid) true, and lets errors.Is and errors.As reach Err.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrInvalid}
	}
	return []error{ErrInvalid, e.Err}
}

// Invalid returns an *Error for field, its reason formatted as fmt.Errorf does: an error the
// format wraps with %w becomes Err.
func Invalid(field, format string, args ...any) error {
	w := fmt.Errorf(format, args...)
	e := &Error{Field: field, Reason: w.Error()}
	switch w.(type) {
	case interface{ Unwrap() error }, interface{ Unwrap() []error }:
		e.Err = w
	}
	return e
}

// FieldOf returns the field of the invalid input err holds, and whether it holds one.
func FieldOf(err error) (string, bool) {
	var e *Error
	if !errors.As(err, &e) {
		return "", false
	}
	return e.Field, true
}

// Named returns err with field as the input at fault when err is an invalid input (holds an
// *Error): a computation that passes part of its input on to another names it as its own
// caller knows it. The reason stays the innermost *Error's; the text of any wrapping around
// it is dropped, since the field now says where. Other errors, and a field of "", return err
// unchanged.
func Named(field string, err error) error {
	var e *Error
	if field == "" || !errors.As(err, &e) || e.Field == field && e == err {
		return err
	}
	return &Error{Field: field, Reason: e.Reason, Err: e.Err}
}
