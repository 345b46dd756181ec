package ops

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/stheno-ml/stheno/internal/golden"
	"github.com/stheno-ml/stheno/internal/num"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Tests of the defects of issue 8 that concern ops, one test per defect.

// emptyFloat returns a zero-size float tensor of dtype T.
func emptyFloat[T num.Float](shape ...int) *tensor.Dense {
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking([]T{}))
}

// Issue 8, defect 10: an empty batch (N = 0) gives what PyTorch gives —
// NaN for Mean, 0 for Sum, an empty tensor for None — and an empty
// gradient, on both machines, for every loss; Softmax and LogSoftmax give
// an empty result.
func TestEmptyBatch(t *testing.T) {
	t.Run("float32", testEmptyBatch[float32])
	t.Run("float64", testEmptyBatch[float64])
}

func testEmptyBatch[T num.Float](t *testing.T) {
	idx := func() *tensor.Dense { return tensor.New(tensor.WithShape(0), tensor.WithBacking([]int64{})) }
	losses := []struct {
		name    string
		build   func(x, y *G.Node, opts ...LossOpt) (*G.Node, error)
		target  func() *tensor.Dense
		noneOut tensor.Shape
	}{
		{"CrossEntropy/index", CrossEntropy, idx, tensor.Shape{0}},
		{"CrossEntropy/prob", CrossEntropy, func() *tensor.Dense { return emptyFloat[T](0, 3) }, tensor.Shape{0}},
		{"NLL", NLL, idx, tensor.Shape{0}},
		{"BCE", BCE, func() *tensor.Dense { return emptyFloat[T](0, 3) }, tensor.Shape{0, 3}},
		{"BCEWithLogits", BCEWithLogits, func() *tensor.Dense { return emptyFloat[T](0, 3) }, tensor.Shape{0, 3}},
	}
	for _, l := range losses {
		for _, red := range []Reduction{Mean, Sum, None} {
			for _, lisp := range []bool{false, true} {
				name := fmt.Sprintf("%s/%v/lisp=%v", l.name, red, lisp)
				g := G.NewGraph()
				x := G.NodeFromAny(g, emptyFloat[T](0, 3), G.WithName("x"))
				y := G.NodeFromAny(g, l.target(), G.WithName("y"))
				loss, err := l.build(x, y, WithReduction(red))
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				var grads G.Nodes
				var vm G.VM
				switch {
				case red == None:
					vm = G.NewTapeMachine(g) // no scalar cost to differentiate
				case lisp:
					vm = G.NewLispMachine(g)
				default:
					if grads, err = G.Grad(loss, x); err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					vm = G.NewTapeMachine(g)
				}
				if err := vm.RunAll(); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				vm.Close()
				out := loss.Value()
				switch red {
				case Mean:
					if v := valueFloats(out); len(v) != 1 || !math.IsNaN(v[0]) {
						t.Errorf("%s: loss %v, want NaN", name, v)
					}
				case Sum:
					if v := valueFloats(out); len(v) != 1 || v[0] != 0 {
						t.Errorf("%s: loss %v, want 0", name, v)
					}
				case None:
					if !num.SameShape(out.Shape(), l.noneOut) {
						t.Errorf("%s: output shape %v, want %v", name, out.Shape(), l.noneOut)
					}
				}
				if red == None {
					continue
				}
				var gv G.Value
				if lisp {
					if gv, err = x.Grad(); err != nil {
						t.Fatalf("%s: %v", name, err)
					}
				} else {
					gv = grads[0].Value()
				}
				if !num.SameShape(gv.Shape(), tensor.Shape{0, 3}) {
					t.Errorf("%s: gradient shape %v, want (0, 3)", name, gv.Shape())
				}
			}
		}
	}
	for _, log := range []bool{false, true} {
		for _, shape := range []tensor.Shape{{0, 3}, {2, 0}} {
			g := G.NewGraph()
			x := G.NodeFromAny(g, emptyFloat[T](shape...), G.WithName("x"))
			f := Softmax
			if log {
				f = LogSoftmax
			}
			y, err := f(x, 1)
			if err != nil {
				t.Fatalf("log=%v %v: %v", log, shape, err)
			}
			runGraph(t, g)
			if !num.SameShape(y.Value().Shape(), shape) {
				t.Errorf("log=%v: softmax of %v has shape %v", log, shape, y.Value().Shape())
			}
			op := y.Op()
			dx, err := backwardOf(op, 0).Do(y.Value(), y.Value())
			if err != nil || !num.SameShape(dx.Shape(), shape) {
				t.Errorf("log=%v %v: backward %v, %v", log, shape, dx, err)
			}
		}
	}
}

// Issue 8, defect 15: zero-size inputs are handled or rejected when the
// graph is built, never a panic in the VM: a zero spatial dimension gives
// an empty batch of positions, zero classes is a build-time error.
func TestZeroSizeInputs(t *testing.T) {
	g := G.NewGraph()
	x := G.NodeFromAny(g, emptyFloat[float64](2, 3, 0), G.WithName("x"))
	y := G.NodeFromAny(g, tensor.New(tensor.WithShape(2, 0), tensor.WithBacking([]int{})), G.WithName("y"))
	sum := G.Must(CrossEntropy(x, y, WithReduction(Sum)))
	none := G.Must(CrossEntropy(x, y, WithReduction(None)))
	if _, err := G.Grad(sum, x); err != nil {
		t.Fatal(err)
	}
	runGraph(t, g)
	if v := valueFloats(sum.Value()); v[0] != 0 {
		t.Errorf("spatial size 0, Sum: %v, want 0", v)
	}
	if !num.SameShape(none.Value().Shape(), tensor.Shape{2, 0}) {
		t.Errorf("spatial size 0, None: shape %v, want (2, 0)", none.Value().Shape())
	}

	g = G.NewGraph()
	x = G.NodeFromAny(g, emptyFloat[float64](4, 0), G.WithName("x"))
	y = G.NodeFromAny(g, tensor.New(tensor.WithBacking([]int{0, 0, 0, 0})), G.WithName("y"))
	for name, f := range map[string]func(x, y *G.Node, o ...LossOpt) (*G.Node, error){"CrossEntropy": CrossEntropy, "NLL": NLL} {
		if _, err := f(x, y); err == nil || !strings.Contains(err.Error(), "input (4, 0) has no classes") {
			t.Errorf("%s with 0 classes: error %v", name, err)
		}
	}
}

// Issue 8, defect 11: shapes are compared as PyTorch does, not by element
// count: a class-index target (N, 1), a weight (1, C) and a pos_weight that
// does not broadcast to the input are errors; pos_weight (1, C) and
// (N, C) broadcast and give PyTorch's value.
func TestShapesStrict(t *testing.T) {
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float64, G.WithShape(3, 4), G.WithName("x"))
	y31 := G.NewMatrix(g, tensor.Int, G.WithShape(3, 1), G.WithName("y31"))
	w14 := tensor.New(tensor.WithShape(1, 4), tensor.WithBacking([]float64{1, 2, 3, 4}))
	y := G.NewVector(g, tensor.Int, G.WithShape(3), G.WithName("y"))
	p41 := G.NewMatrix(g, tensor.Float64, G.WithShape(4, 3), G.WithName("p43"))
	x24 := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 4), G.WithName("x24"))
	t24 := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 4), G.WithName("t24"))
	pw22 := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{1, 2, 3, 4}))
	pw314 := tensor.New(tensor.WithShape(3, 1, 4), tensor.WithBacking(make([]float64, 12)))
	for _, c := range []struct {
		name string
		err  error
		want string
	}{
		{"CE target (N, 1)", second(CrossEntropy(x, y31)), "class-index target has shape (3, 1), want (3)"},
		{"NLL target (N, 1)", second(NLL(x, y31)), "class-index target has shape (3, 1), want (3)"},
		{"CE weight (1, C)", second(CrossEntropy(x, y, WithWeight(w14))), "weight has shape (1, 4), want (4)"},
		{"CE prob target transposed", second(CrossEntropy(x, p41)), "probability target has shape (4, 3)"},
		{"BCE target (4, 3)", second(BCE(x, p41)), "target has shape (4, 3), want the input's shape (3, 4)"},
		{"BCEWithLogits pos_weight (2, 2)", second(BCEWithLogits(x24, t24, WithPosWeight(pw22))), "pos_weight: shape (2, 2) does not broadcast to (2, 4)"},
		{"BCEWithLogits pos_weight (3, 1, 4)", second(BCEWithLogits(x24, t24, WithPosWeight(pw314))), "pos_weight: shape (3, 1, 4) does not broadcast to (2, 4)"},
	} {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to contain %q", c.name, c.err, c.want)
		}
	}
	// pos_weight of shapes (1, 4) and (2, 4) broadcast as in PyTorch:
	// binary_cross_entropy_with_logits(zeros(2,4), ones(2,4),
	// pos_weight=[[1,2,3,4]]) = mean(pw) log 2 = 2.5 log 2
	for _, ps := range [][]int{{1, 4}, {2, 4}} {
		g := G.NewGraph()
		xv := tensor.New(tensor.WithShape(2, 4), tensor.WithBacking(make([]float64, 8)))
		yv := tensor.New(tensor.WithShape(2, 4), tensor.WithBacking([]float64{1, 1, 1, 1, 1, 1, 1, 1}))
		pwd := []float64{1, 2, 3, 4, 1, 2, 3, 4}[:ps[0]*ps[1]]
		l := G.Must(BCEWithLogits(G.NodeFromAny(g, xv, G.WithName("x")), G.NodeFromAny(g, yv, G.WithName("y")),
			WithPosWeight(tensor.New(tensor.WithShape(ps...), tensor.WithBacking(pwd)))))
		runGraph(t, g)
		if got, want := valueFloats(l.Value())[0], 2.5*math.Ln2; math.Abs(got-want) > 1e-15 {
			t.Errorf("pos_weight %v: loss %v, want %v", ps, got, want)
		}
	}
}

func second(_ *G.Node, err error) error { return err }

// Issue 8, item 4: an option that does not apply is an error, also when it
// depends on the target: WithIgnoreIndex with probability targets (which
// PyTorch silently ignores).
func TestInapplicableOption(t *testing.T) {
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float64, G.WithShape(3, 4), G.WithName("x"))
	p := G.NewMatrix(g, tensor.Float64, G.WithShape(3, 4), G.WithName("p"))
	_, err := CrossEntropy(x, p, WithIgnoreIndex(1))
	if want := "ops: CrossEntropy: option WithIgnoreIndex does not apply to probability targets"; err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
	if _, err := CrossEntropy(x, p, WithLabelSmoothing(0.1), WithWeight(tensor.New(tensor.WithBacking([]float64{1, 2, 3, 4})))); err != nil {
		t.Errorf("smoothing and weight with probability targets: %v", err)
	}
}

// Issue 8, defect 12: on a LispMachine, the gradient of a loss applied
// directly to a leaf is the same on every run (RunAll, Reset, RunAll, ...)
// and equal to the TapeMachine's; a leaf used by two losses gets the sum.
//
// Why it accumulated: Gorgonia 0.9.18's LispMachine never clears a leaf's
// gradient, and its Reset makes the next RunAll execute only the last node
// (the cost), whose DoDiff adds into the leaf's gradient once more per run.
// Gorgonia's own ops do the same when they are that last node (Sum(x)
// gives 1, 2, 3); they only seem not to when they sit below the cost,
// because they are then not run again at all.
func TestLispSameEveryRun(t *testing.T) {
	t.Run("float32", testLispSameEveryRun[float32])
	t.Run("float64", testLispSameEveryRun[float64])
}

func testLispSameEveryRun[T num.Float](t *testing.T) {
	dt := num.Dtype[T]()
	xd := []float64{0.1, 0.2, 0.6, 0.3, 0.8, 0.4}
	idx := tensor.New(tensor.WithBacking([]int{0, 2}))
	prob := floatTensor(dt, []int{2, 3}, []float64{0, 1, 0.5, 1, 0.25, 0})
	for _, c := range []struct {
		name  string
		build func(x, y *G.Node) (*G.Node, error)
		y     *tensor.Dense
	}{
		{"CrossEntropy", func(x, y *G.Node) (*G.Node, error) { return CrossEntropy(x, y) }, idx},
		{"NLL", func(x, y *G.Node) (*G.Node, error) { return NLL(x, y, WithReduction(Sum)) }, idx},
		{"BCE", func(x, y *G.Node) (*G.Node, error) { return BCE(x, y) }, prob},
		{"BCEWithLogits", func(x, y *G.Node) (*G.Node, error) { return BCEWithLogits(x, y) }, prob},
	} {
		graph := func() (*G.ExprGraph, *G.Node, *G.Node) {
			g := G.NewGraph()
			x := G.NodeFromAny(g, floatTensor(dt, []int{2, 3}, xd), G.WithName("x"))
			y := G.NodeFromAny(g, c.y, G.WithName("y"))
			l, err := c.build(x, y)
			if err != nil {
				t.Fatal(err)
			}
			return g, x, l
		}
		g, x, l := graph()
		grads, err := G.Grad(l, x)
		if err != nil {
			t.Fatal(err)
		}
		runGraph(t, g)
		want := valueFloats(grads[0].Value())

		g, x, _ = graph()
		vm := G.NewLispMachine(g)
		for run := 0; run < 3; run++ {
			if err := vm.RunAll(); err != nil {
				t.Fatal(err)
			}
			gv, err := x.Grad()
			if err != nil {
				t.Fatal(err)
			}
			rtol, atol := golden.Tol(dt)
			if i := golden.Diff(valueFloats(gv), want, rtol, atol); i >= 0 {
				t.Errorf("%s: run %d: gradient %v, want %v (TapeMachine)", c.name, run, valueFloats(gv), want)
			}
			vm.Reset()
		}
		vm.Close()
	}

	// a leaf used twice: by two losses (summed) and twice by one node
	g := G.NewGraph()
	x := G.NodeFromAny(g, floatTensor(dt, []int{2, 3}, xd), G.WithName("x"))
	y := G.NodeFromAny(g, idx, G.WithName("y"))
	a := G.Must(CrossEntropy(x, y))
	b := G.Must(CrossEntropy(x, y, WithReduction(Sum)))
	G.Must(G.Add(a, b))
	vm := G.NewLispMachine(g)
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	gv, _ := x.Grad()
	got := valueFloats(gv)
	vm.Close()
	// d(mean + sum)/dx = (1/2 + 1)(softmax - onehot)
	for r, tg := range []int{0, 2} {
		row := xd[r*3 : r*3+3]
		m := math.Max(row[0], math.Max(row[1], row[2]))
		var s float64
		for _, v := range row {
			s += math.Exp(v - m)
		}
		for k, v := range row {
			w := math.Exp(v-m) / s
			if k == tg {
				w--
			}
			if d := got[r*3+k] - 1.5*w; math.Abs(d) > 1e-6 {
				t.Errorf("shared leaf: grad[%d][%d] = %v, want %v", r, k, got[r*3+k], 1.5*w)
			}
		}
	}
}
