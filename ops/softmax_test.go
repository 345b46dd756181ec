package ops

import (
	"github.com/stheno-ml/stheno/internal/golden"
	"github.com/stheno-ml/stheno/internal/num"
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// runGraph runs g once on a TapeMachine.
func runGraph(t *testing.T, g *G.ExprGraph) {
	t.Helper()
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
}

// Every row is shifted by its own max: a row of huge logits below row 0
// gives exact probabilities, and rows sum to 1.
func TestSoftmaxLargeLogitsEveryRow(t *testing.T) {
	t.Run("float32", testSoftmaxLargeLogitsEveryRow[float32])
	t.Run("float64", testSoftmaxLargeLogitsEveryRow[float64])
}

func testSoftmaxLargeLogitsEveryRow[T num.Float](t *testing.T) {
	dt := num.Dtype[T]()
	g := G.NewGraph()
	x := G.NodeFromAny(g, floatTensor(dt, []int{3, 3}, []float64{
		0, 0, 0,
		1e4, 1e4, 0,
		-1e4, 0, -1e4,
	}), G.WithName("x"))
	p := G.Must(Softmax(x, -1))
	lp := G.Must(LogSoftmax(x, 1))
	runGraph(t, g)
	third := 1.0 / 3
	wantP := []float64{third, third, third, 0.5, 0.5, 0, 0, 1, 0}
	wantLP := []float64{-math.Log(3), -math.Log(3), -math.Log(3), -math.Ln2, -math.Ln2, -1e4 - math.Ln2, -1e4, 0, -1e4}
	rtol, atol := golden.Tol(dt)
	if i := golden.Diff(valueFloats(p.Value()), wantP, rtol, atol); i >= 0 {
		t.Errorf("%v: softmax[%d]: got %v, want %v", dt, i, valueFloats(p.Value()), wantP)
	}
	if i := golden.Diff(valueFloats(lp.Value()), wantLP, rtol, atol); i >= 0 {
		t.Errorf("%v: log_softmax[%d]: got %v, want %v", dt, i, valueFloats(lp.Value()), wantLP)
	}
}

// A negative axis counts from the end; axis 0 of a matrix normalises
// columns.
func TestSoftmaxAxes(t *testing.T) {
	g := G.NewGraph()
	x := G.NodeFromAny(g, floatTensor(tensor.Float64, []int{2, 2}, []float64{0, math.Log(3), math.Log(3), 0}), G.WithName("x"))
	cols := G.Must(Softmax(x, 0))
	colsNeg := G.Must(Softmax(x, -2))
	rows := G.Must(Softmax(x, -1))
	runGraph(t, g)
	want := []float64{0.25, 0.75, 0.75, 0.25}
	for name, n := range map[string]*G.Node{"axis 0": cols, "axis -2": colsNeg} {
		if i := golden.Diff(valueFloats(n.Value()), want, 1e-15, 0); i >= 0 {
			t.Errorf("%s[%d]: got %v, want %v", name, i, valueFloats(n.Value()), want)
		}
	}
	if i := golden.Diff(valueFloats(rows.Value()), []float64{0.25, 0.75, 0.75, 0.25}, 1e-15, 0); i >= 0 {
		t.Errorf("axis -1[%d]: got %v", i, valueFloats(rows.Value()))
	}
}
