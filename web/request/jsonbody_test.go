package request

import (
	"errors"
	"testing"

	"github.com/lagesbild/lagesbild/layers"
)

func TestCheckJSONStrings(t *testing.T) {
	tests := []struct {
		name, body, param string // param "" = accepted
	}{
		{"plain", `{"name":"Rå","weights":{"a":1},"targets":[{"name":"x"}]}`, ""},
		{"escaped non-ASCII", `{"name":"R\u00e5"}`, ""},
		{"NUL in a value", `{"name_sv":"a\u0000b"}`, "name_sv"},
		{"NUL in a map key", `{"weights":{"a\u0000":1}}`, "weights"},
		{"NUL in an array element's field", `{"targets":[{"name":"ok"},{"id":"t","name":"\u0000"}]}`, "targets[1].name"},
		{"NUL in a string array", `{"include":["a","b\u0000"]}`, "include[1]"},
		{"NUL in a nested value", `{"sensitivity":{"draws":5,"label":"\u0000"}}`, "sensitivity.label"},
		{"invalid UTF-8 in a value", "{\"rationale\":\"a\xffb\"}", "rationale"},
		{"invalid UTF-8 in a top-level key", "{\"\xc3\":1}", "body"},
		{"NUL after nested containers", `{"a":[[1,2],{"b":[]}],"c":"\u0000"}`, "c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkJSONStrings([]byte(tt.body))
			var inv *layers.InvalidError
			switch {
			case tt.param == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.param != "" && !errors.As(err, &inv):
				t.Errorf("got %v, want a 400 naming %s", err, tt.param)
			case tt.param != "" && inv.Param != tt.param:
				t.Errorf("names %q, want %q (%v)", inv.Param, tt.param, err)
			}
		})
	}
}
