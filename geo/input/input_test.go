package input_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/lagesbild/lagesbild/geo/input"
)

var errTooLarge = errors.New("too large")

// TestInvalid: an invalid input, however deep it is wrapped, is ErrInvalid, is an *Error
// with its field and reason, and reaches an error its reason wraps; other errors are none
// of these.
func TestInvalid(t *testing.T) {
	err := fmt.Errorf("analysis: %w", input.Invalid("history", "%d weeks; at most %d: %w", 600, 520, errTooLarge))
	var e *input.Error
	if !errors.As(err, &e) || e.Field != "history" || e.Reason != "600 weeks; at most 520: too large" {
		t.Fatalf("errors.As: %+v, want the history's *Error", e)
	}
	if !errors.Is(err, input.ErrInvalid) || !errors.Is(err, errTooLarge) {
		t.Errorf("%v: errors.Is ErrInvalid %v, errTooLarge %v; want both", err, errors.Is(err, input.ErrInvalid), errors.Is(err, errTooLarge))
	}
	if got, want := e.Error(), "invalid history: 600 weeks; at most 520: too large"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	plain := input.Invalid("band", "%v is not positive", -1.0)
	if errors.Is(plain, errTooLarge) || errors.Unwrap(plain) != nil {
		t.Errorf("%v wraps more than ErrInvalid", plain)
	}
	if f, ok := input.FieldOf(err); !ok || f != "history" {
		t.Errorf("FieldOf: %q, %v; want history", f, ok)
	}
	if other := errors.New("disk full"); errors.Is(other, input.ErrInvalid) || errors.As(other, &e) {
		t.Errorf("%v counts as invalid input", other)
	}
	if f, ok := input.FieldOf(errors.New("disk full")); ok {
		t.Errorf("FieldOf(another error) = %q, true", f)
	}
}

// TestNamed: Named gives an invalid input the caller's name for the field and leaves every
// other error as it is.
func TestNamed(t *testing.T) {
	inner := fmt.Errorf("hotspot: cell 4: %w", input.Invalid("values", "value 3 is NaN"))
	var e *input.Error
	if err := input.Named("band", inner); !errors.As(err, &e) || e.Field != "band" || err.Error() != "invalid band: value 3 is NaN" {
		t.Errorf("Named(band): %v, want invalid band: value 3 is NaN", err)
	}
	if err := input.Named("", inner); err != inner {
		t.Errorf("Named(\"\") changed the error to %v", err)
	}
	other := errors.New("disk full")
	if err := input.Named("band", other); err != other {
		t.Errorf("Named changed another error to %v", err)
	}
}

func ExampleInvalid() {
	err := fmt.Errorf("kde: %w", input.Invalid("bandwidth", "%v must be positive", 0.0))
	var e *input.Error
	fmt.Println(errors.Is(err, input.ErrInvalid), errors.As(err, &e), e.Field)
	fmt.Println(e)
	// Output:
	// true true bandwidth
	// invalid bandwidth: 0 must be positive
}
