package trend

import (
	"math"
	"testing"

	"github.com/lagesbild/lagesbild/geo/input"
)

func TestMannKendall(t *testing.T) {
	tests := []struct {
		name string
		ys   []float64
		want Result
	}{
		// S = 10 (all 10 pairs rise); VarS = 5·4·15/18; Z = (10 − 1)/√VarS; tau 1.
		{"rising", []float64{1, 2, 3, 4, 5}, Result{S: 10, VarS: 300.0 / 18, Z: 9 / math.Sqrt(300.0/18), Tau: 1}},
		{"falling", []float64{5, 4, 3, 2, 1}, Result{S: -10, VarS: 300.0 / 18, Z: -9 / math.Sqrt(300.0/18), Tau: -1}},
		// One pair of ties (2, 2): S = 5; VarS = (4·3·13 − 2·1·9)/18; tau-b = 5/√(6·5).
		{"ties", []float64{1, 2, 2, 3}, Result{S: 5, VarS: 138.0 / 18, Z: 4 / math.Sqrt(138.0/18), Tau: 5 / math.Sqrt(30)}},
		{"constant", []float64{7, 7, 7, 7}, Result{S: 0, VarS: 0, Z: 0, Tau: 0}},
		// S = +1 −1 +1 … : 1 3 2 → pairs (1,3)+ (1,2)+ (3,2)− = 1; Z = 0 after continuity correction.
		{"no trend", []float64{1, 3, 2}, Result{S: 1, VarS: 3 * 2 * 11 / 18.0, Z: 0, Tau: 1.0 / 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := MannKendall(tt.ys)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			want.P = math.Erfc(math.Abs(want.Z) / math.Sqrt2)
			for _, f := range []struct {
				name      string
				got, want float64
			}{{"S", got.S, want.S}, {"VarS", got.VarS, want.VarS}, {"Z", got.Z, want.Z}, {"P", got.P, want.P}, {"Tau", got.Tau, want.Tau}} {
				if math.Abs(f.got-f.want) > 1e-12 {
					t.Errorf("%s = %v, want %v", f.name, f.got, f.want)
				}
			}
		})
	}
	for _, bad := range [][]float64{nil, {1, 2}, {1, math.NaN(), 3}, {1, math.Inf(1), 2}} {
		if _, err := MannKendall(bad); !isInvalid(err, "values") {
			t.Errorf("MannKendall(%v): err = %v, want invalid values", bad, err)
		}
	}
}

// isInvalid says whether err is an invalid input of field (and so also input.ErrInvalid).
func isInvalid(err error, field string) bool {
	f, ok := input.FieldOf(err)
	return ok && f == field
}
