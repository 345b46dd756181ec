// Package docs holds the tests that keep the documentation true: every Go snippet in README.md and
// docs/*.md compiles and runs, and the porting guide's before/after results are reproduced.
package docs

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// snippet is a fenced Go block of a Markdown file.
type snippet struct {
	file string
	line int    // line of the opening fence
	code string // the block's text
}

// goSnippets returns the ```go blocks of the Markdown files.
func goSnippets(t *testing.T, files ...string) []snippet {
	t.Helper()
	var out []snippet
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(b), "\n")
		for i := 0; i < len(lines); i++ {
			if strings.TrimSpace(lines[i]) != "```go" {
				continue
			}
			start := i
			var body []string
			for i++; i < len(lines) && strings.TrimSpace(lines[i]) != "```"; i++ {
				body = append(body, lines[i])
			}
			out = append(out, snippet{file: f, line: start + 1, code: strings.Join(body, "\n") + "\n"})
		}
	}
	return out
}

// markdownFiles are README.md and docs/*.md.
func markdownFiles(t *testing.T) []string {
	t.Helper()
	docs, err := filepath.Glob("*.md")
	if err != nil {
		t.Fatal(err)
	}
	return append([]string{"../README.md"}, docs...)
}

// normLines is s's non-blank lines with leading and trailing white space removed.
func normLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// goSources returns the normalised lines of every .go file of the module: the tests, which run,
// and the packages' own source (for the declarations the docs quote).
func goSources(t *testing.T) [][]string {
	t.Helper()
	var out [][]string
	err := filepath.WalkDir("..", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != ".." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".go") {
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			out = append(out, normLines(string(b)))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// contains reports whether want is a contiguous run of lines in one of srcs.
func contains(srcs [][]string, want []string) bool {
	for _, src := range srcs {
	next:
		for i := 0; i+len(want) <= len(src); i++ {
			for j, w := range want {
				if src[i+j] != w {
					continue next
				}
			}
			return true
		}
	}
	return false
}

// TestSnippets: every Go block in README.md and docs/*.md is either a complete program (it
// starts with "package main"), which TestPrograms builds and runs, or part of the module's code:
// its lines (indentation aside) appear in that order in a test that runs it (most are in this
// package's snippets_test.go and porting_test.go) or, for a declaration the docs quote, in the
// package that declares it.
func TestSnippets(t *testing.T) {
	srcs := goSources(t)
	n := 0
	for _, s := range goSnippets(t, markdownFiles(t)...) {
		if strings.HasPrefix(s.code, "package main\n") {
			continue
		}
		n++
		if !contains(srcs, normLines(s.code)) {
			t.Errorf("%s:%d: this Go block is neither a program nor part of any test:\n%s", s.file, s.line, s.code)
		}
	}
	if n < 10 {
		t.Errorf("only %d snippets found: is the Markdown parsing broken?", n)
	}
}

// TestPrograms builds and runs every complete program in README.md and docs/*.md in a fresh
// module that requires Stheno through a replace directive, exactly as "Add Stheno to your
// project" in README.md tells a user to. A program followed by an "output pattern" comment must
// print output matching it (see outputPattern).
func TestPrograms(t *testing.T) {
	if testing.Short() {
		t.Skip("builds programs: skipped with -short")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	// go runs the commands of README's "Add Stheno to your project" in dir, offline: Stheno's
	// go.sum stands in for the checksum database.
	goCmd := func(dir string, args ...string) ([]byte, error) {
		cmd := exec.Command("go", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS=", "GOPROXY=off", "GOWORK=off")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return out, fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
		}
		return out, nil
	}
	progs := 0
	for _, f := range markdownFiles(t) {
		md, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range goSnippets(t, f) {
			if !strings.HasPrefix(s.code, "package main\n") {
				continue
			}
			progs++
			dir := t.TempDir()
			for name, data := range map[string][]byte{"go.sum": sum, "main.go": []byte(s.code)} {
				if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			var out []byte
			for _, args := range [][]string{
				{"mod", "init", "example.com/user"},
				{"mod", "edit", "-require=github.com/stheno-ml/stheno@v0.0.0", "-replace=github.com/stheno-ml/stheno=" + root},
				{"mod", "tidy"},
				{"run", "."},
			} {
				if out, err = goCmd(dir, args...); err != nil {
					break
				}
			}
			if err != nil {
				t.Errorf("%s:%d: %v", f, s.line, err)
				continue
			}
			if pat := outputPattern(string(md), s.line); pat != "" {
				if !regexp.MustCompile(pat).Match(out) {
					t.Errorf("%s:%d: output\n%s\ndoes not match\n%s", f, s.line, out, pat)
				}
			}
			t.Logf("%s:%d: %s", f, s.line, bytes.TrimSpace(out))
		}
	}
	if progs == 0 {
		t.Error("no programs found")
	}
}

// outputPattern returns the regular expression that a comment
// "<!-- output pattern: REGEXP -->" right after the Go block opening at line (1-based) of md gives
// for the program's whole output (anchored; "\n" ends lines), or "" if there is none.
func outputPattern(md string, line int) string {
	lines := strings.Split(md, "\n")
	i := line // the first line after the opening fence
	for i < len(lines) && strings.TrimSpace(lines[i]) != "```" {
		i++
	}
	for i++; i < len(lines) && strings.TrimSpace(lines[i]) == ""; i++ {
	}
	const pre, post = "<!-- output pattern: ", " -->"
	if i >= len(lines) || !strings.HasPrefix(lines[i], pre) || !strings.HasSuffix(lines[i], post) {
		return ""
	}
	return "^" + strings.TrimSuffix(strings.TrimPrefix(lines[i], pre), post) + "$"
}
