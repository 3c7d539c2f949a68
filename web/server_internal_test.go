package web

import "testing"

// TestMethodLabelBounded: any token is a valid method to net/http, and each new value of the
// latency histogram's method label would be a series kept for the life of the process.
func TestMethodLabelBounded(t *testing.T) {
	for m, want := range map[string]string{"GET": "GET", "DELETE": "DELETE", "OPTIONS": "OPTIONS", "X-RANDOM-1": "other", "get": "other"} {
		if got := methodLabel(m); got != want {
			t.Errorf("methodLabel(%q) = %q, want %q", m, got, want)
		}
	}
}
