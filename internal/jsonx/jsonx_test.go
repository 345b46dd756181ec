package jsonx

import (
	"strings"
	"testing"
)

func TestDecodeStrict(t *testing.T) {
	type rec struct {
		A int `json:"a"`
	}
	var r rec
	if err := DecodeStrict([]byte(` {"a": 3} `+"\n"), &r); err != nil || r.A != 3 {
		t.Fatalf("valid: %+v, %v", r, err)
	}
	for in, want := range map[string]string{
		`{"a": 1, "b": 2}`:  `unknown field "b"`,
		`{"a": 1} {"a": 2}`: "data after the JSON object",
		`{"a": 1`:           "unexpected EOF",
		``:                  "EOF",
		`{"a": "x"}`:        "cannot unmarshal string",
	} {
		if err := DecodeStrict([]byte(in), &rec{}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want one containing %q", in, err, want)
		}
	}
}
