package hotspot

import "testing"

func TestBinClass(t *testing.T) {
	want := map[int]string{3: "hot_99", 2: "hot_95", 1: "hot_90", 0: "not_significant", -1: "cold_90", -2: "cold_95", -3: "cold_99"}
	for bin, name := range want {
		if got := BinClass(bin); got != name {
			t.Errorf("BinClass(%d) = %q, want %q", bin, got, name)
		}
	}
}
