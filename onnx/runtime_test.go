package onnx

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The runtime tests use ONNX Runtime through Node (npm onnxruntime-node) and the ONNX checker
// of python3-onnx. They skip when these are not installed, unless STHENO_ONNX_REQUIRED=1 (as
// .ci/onnx.sh sets it), when a missing tool is a failure.
//
//	STHENO_ORT_DIR  a directory holding node_modules/onnxruntime-node (default: the first of
//	                ../.ci/ort, $HOME/.cache/stheno/ort that has it)
//	STHENO_PYTHON   a Python with the onnx package (default /usr/bin/python3, then python3)

// unavailable skips the test, or fails it when STHENO_ONNX_REQUIRED=1.
func unavailable(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("STHENO_ONNX_REQUIRED") == "1" {
		t.Fatalf("STHENO_ONNX_REQUIRED=1 but "+format, args...)
	}
	t.Skipf(format+" (run .ci/onnx.sh to install it)", args...)
}

// ortDir returns the directory holding node_modules/onnxruntime-node, skipping if there is none.
func ortDir(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		unavailable(t, "node is not installed, so ONNX Runtime (npm onnxruntime-node) cannot run")
	}
	var dirs []string
	if d := os.Getenv("STHENO_ORT_DIR"); d != "" {
		dirs = []string{d}
	} else {
		dirs = []string{filepath.Join("..", ".ci", "ort")}
		if h, err := os.UserHomeDir(); err == nil {
			dirs = append(dirs, filepath.Join(h, ".cache", "stheno", "ort"))
		}
	}
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "node_modules", "onnxruntime-node", "package.json")); err == nil {
			abs, err := filepath.Abs(d)
			if err != nil {
				t.Fatal(err)
			}
			return abs
		}
	}
	unavailable(t, "ONNX Runtime is not installed: no node_modules/onnxruntime-node in %s", strings.Join(dirs, " or "))
	return ""
}

// ortJob is one run of a model in ONNX Runtime.
type ortJob struct {
	Model string    `json:"model"`
	Dtype string    `json:"dtype"`
	Dims  []int     `json:"dims"`
	Data  []float64 `json:"data"`
}

// ortResult is the output of one run.
type ortResult struct {
	Dims []int     `json:"dims"`
	Type string    `json:"type"`
	Data []float64 `json:"data"`
}

// runORT runs jobs in ONNX Runtime (one Node process) and returns their outputs, or ONNX
// Runtime's error.
func runORT(t *testing.T, dir string, jobs []ortJob) ([]ortResult, error) {
	t.Helper()
	in, err := json.Marshal(jobs)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("node", filepath.Join("testdata", "ort.js"))
	cmd.Env = append(os.Environ(), "NODE_PATH="+filepath.Join(dir, "node_modules"))
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("ONNX Runtime: %v: %s", err, stderr.String())
	}
	var res []ortResult
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("ONNX Runtime output: %v", err)
	}
	if len(res) != len(jobs) {
		t.Fatalf("ONNX Runtime returned %d results for %d runs", len(res), len(jobs))
	}
	return res, nil
}

// python returns a Python that can import onnx, skipping if there is none.
func python(t *testing.T) string {
	t.Helper()
	cands := []string{"/usr/bin/python3", "python3"}
	if p := os.Getenv("STHENO_PYTHON"); p != "" {
		cands = []string{p}
	}
	for _, p := range cands {
		if exec.Command(p, "-c", "import onnx").Run() == nil {
			return p
		}
	}
	unavailable(t, "no Python with the onnx package (Debian: python3-onnx) among %v", cands)
	return ""
}

// checkerScript validates each file named on the command line with the ONNX checker, including
// its strict shape inference, and prints one line per file.
const checkerScript = `
import sys, onnx
for path in sys.argv[1:]:
    m = onnx.load(path)
    onnx.checker.check_model(m, full_check=True)
    onnx.shape_inference.infer_shapes(m, check_type=True, strict_mode=True)
    print("ok", onnx.__version__, path)
`

// checkONNX validates files with python3-onnx's checker.
func checkONNX(t *testing.T, py string, files ...string) {
	t.Helper()
	out, err := exec.Command(py, append([]string{"-c", checkerScript}, files...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("onnx.checker: %v\n%s", err, out)
	}
	t.Logf("%s", bytes.TrimSpace(out))
}
