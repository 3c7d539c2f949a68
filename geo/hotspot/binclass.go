package hotspot

// BinClass names a Gi_Bin (Bin) as the legends and answers do: hot_99, hot_95, hot_90 for
// 3, 2, 1, cold_99, cold_95, cold_90 for -3, -2, -1, and not_significant for 0. bin must be
// in [-3, 3].
func BinClass(bin int) string {
	switch {
	case bin > 0:
		return "hot_" + [...]string{"", "90", "95", "99"}[bin]
	case bin < 0:
		return "cold_" + [...]string{"", "90", "95", "99"}[-bin]
	}
	return "not_significant"
}
