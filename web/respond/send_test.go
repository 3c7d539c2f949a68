package respond

import "testing"

func TestETagMatch(t *testing.T) {
	tests := []struct {
		header string
		want   bool
	}{
		{`"abc"`, true}, {`W/"abc"`, true}, {`"x", "abc"`, true}, {`*`, true}, {`"abcd"`, false}, {``, false},
	}
	for _, tt := range tests {
		if got := ETagMatch(tt.header, "abc"); got != tt.want {
			t.Errorf("ETagMatch(%q) = %v, want %v", tt.header, got, tt.want)
		}
	}
}

func TestAcceptsGzip(t *testing.T) {
	tests := map[string]bool{
		"gzip": true, "deflate, gzip": true, "gzip;q=0.5": true, "GZIP": true,
		"gzip;q=0": false, "gzip; q=0.0": false, "identity": false, "": false, "br": false,
	}
	for header, want := range tests {
		if got := AcceptsGzip(header); got != want {
			t.Errorf("AcceptsGzip(%q) = %v, want %v", header, got, want)
		}
	}
}
