package layers

import (
	"errors"
	"fmt"
)

// ErrNotFound is wrapped by errors for a collection or feature that does not exist.
var ErrNotFound = errors.New("not found")

// ErrForbidden is wrapped by errors for something the caller is known to be and may not do
// (a write its organisation or role does not allow). The web layer answers 403; the error's
// text is shown to the caller, so it must not describe rows the caller may not read.
var ErrForbidden = errors.New("forbidden")

// InvalidError says which input was wrong and why. The web layer answers it with 400 and
// names Param in the problem document.
type InvalidError struct {
	Param  string // the query parameter or field at fault
	Reason string
}

func (e *InvalidError) Error() string { return fmt.Sprintf("invalid %s: %s", e.Param, e.Reason) }

// Invalid returns an *InvalidError for param.
func Invalid(param, format string, args ...any) error {
	return &InvalidError{Param: param, Reason: fmt.Sprintf(format, args...)}
}
