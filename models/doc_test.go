package models

import (
	"os"
	"strings"
	"testing"
)

// TestDocContainsExample checks docs/graphs.md shows Example_train's body verbatim (indented by one
// tab less), so the documented program is the one the tests run.
func TestDocContainsExample(t *testing.T) {
	src, err := os.ReadFile("example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	s := string(src)
	start := strings.Index(s, "func Example_train() {\n")
	if start < 0 {
		t.Fatal("Example_train not found")
	}
	body := s[start+len("func Example_train() {\n"):]
	end := strings.Index(body, "\n\t// Output:")
	if end < 0 {
		t.Fatal("end of Example_train not found")
	}
	var lines []string
	for _, l := range strings.Split(body[:end], "\n") {
		lines = append(lines, strings.TrimPrefix(l, "\t"))
	}
	doc, err := os.ReadFile("../docs/graphs.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), strings.Join(lines, "\n")) {
		t.Error("docs/graphs.md does not contain Example_train's body (see models/example_test.go)")
	}
}
