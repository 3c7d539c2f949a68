package layers

import (
	"errors"
	"fmt"
)

// ErrNotFound is wrapped by errors for a collection or feature that does not exist.
var ErrNotFound = errors.New("not found")

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
