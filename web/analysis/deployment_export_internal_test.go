package analysis

import "testing"

// TestICSText: RFC 5545 TEXT has no control characters but HTAB; a bare CR is a line break
// like LF, so a name cannot start a property line of its own in a client that splits on CR.
func TestICSText(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"a\rATTACH:https://evil/x", `a\nATTACH:https://evil/x`},
		{"a\r\nb\nc", `a\nb\nc`},
		{"a;b,c\\d", `a\;b\,c\\d`},
		{"a\x00b\x1bc\x7fd\te", "abcd\te"},
	} {
		if got := icsText(tt.in); got != tt.want {
			t.Errorf("icsText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
