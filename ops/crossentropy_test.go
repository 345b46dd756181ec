package ops

import (
	"github.com/stheno-ml/stheno/internal/golden"
	"github.com/stheno-ml/stheno/internal/num"
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestComposedLossOverflows shows the loss Gorgonia users compose,
// Neg(Mean(HadamardProd(Log(SoftMax(x)), onehot))), going NaN/±Inf on one
// large logit outside row 0 (Gorgonia 0.9.18; logged, so that the test
// keeps passing the day Gorgonia fixes it), while CrossEntropy stays
// finite and exact.
func TestComposedLossOverflows(t *testing.T) {
	for _, tc := range []struct {
		dt  tensor.Dtype
		big float64
	}{{tensor.Float64, 1000}, {tensor.Float32, 100}} {
		logits := []float64{0.5, -1, 2, 0.25, 1, 0, -2, 3, tc.big, 0, 1, -1}
		labels := []int{2, 3, 1}
		onehot := make([]float64, 12)
		for i, l := range labels {
			onehot[i*4+l] = 1
		}
		g := G.NewGraph()
		x := G.NodeFromAny(g, floatTensor(tc.dt, []int{3, 4}, logits), G.WithName("x"))
		oh := G.NodeFromAny(g, floatTensor(tc.dt, []int{3, 4}, onehot), G.WithName("onehot"))
		y := G.NodeFromAny(g, tensor.New(tensor.WithBacking(labels)), G.WithName("y"))
		sm := G.Must(G.SoftMax(x))
		composed := G.Must(G.Neg(G.Must(G.Mean(G.Must(G.HadamardProd(G.Must(G.Log(sm)), oh))))))
		ours, err := CrossEntropy(x, y, WithReduction(Sum))
		if err != nil {
			t.Fatal(err)
		}
		vm := G.NewTapeMachine(g)
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		vm.Close()
		c := valueFloats(composed.Value())[0]
		// exact: Σ_rows lse(row) - x[label], lse by max shift in float64
		var want float64
		for r, l := range labels {
			row := logits[r*4 : r*4+4]
			m := math.Inf(-1)
			for _, v := range row {
				m = math.Max(m, v)
			}
			var s float64
			for _, v := range row {
				s += math.Exp(v - m)
			}
			want += m + math.Log(s) - row[l]
		}
		got := valueFloats(ours.Value())[0]
		rtol, _ := golden.Tol(tc.dt)
		if math.IsNaN(got) || math.IsInf(got, 0) || math.Abs(got-want) > rtol*want {
			t.Errorf("%v: CrossEntropy = %v, want %v", tc.dt, got, want)
		}
		// Documentation, not a requirement: Gorgonia 0.9.18's composed loss
		// overflows. If a later Gorgonia computes it, it must agree: it is
		// the mean of -onehot·log p over all N·C elements, Σ CE / (N·C).
		if math.IsNaN(c) || math.IsInf(c, 0) {
			t.Logf("%v: Gorgonia's composed loss is %v on this input (CrossEntropy: %v)", tc.dt, c, got)
		} else if composedWant := want / float64(len(logits)); math.Abs(c-composedWant) > 1e-3*composedWant {
			t.Errorf("%v: Gorgonia's composed loss is finite (%v) but not Σ CE / (N·C) = %v", tc.dt, c, composedWant)
		}
	}
}

// TestNoMerge checks that ops differing only in configuration are not
// merged by Gorgonia's node deduplication (their hashes differ).
func TestNoMerge(t *testing.T) {
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 3), G.WithName("x"))
	y := G.NewVector(g, tensor.Int, G.WithShape(2), G.WithName("y"))
	p := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 3), G.WithName("p"))
	w1 := tensor.New(tensor.WithBacking([]float64{1, 2, 3}))
	w2 := tensor.New(tensor.WithBacking([]float64{1, 2, 4}))
	nodes := []*G.Node{
		G.Must(Softmax(x, 1)), G.Must(LogSoftmax(x, 1)), G.Must(Softmax(x, 0)), G.Must(LogSoftmax(x, 0)),
		G.Must(CrossEntropy(x, y)), G.Must(CrossEntropy(x, y, WithReduction(Sum))),
		G.Must(CrossEntropy(x, y, WithIgnoreIndex(1))), G.Must(CrossEntropy(x, y, WithLabelSmoothing(0.1))),
		G.Must(CrossEntropy(x, y, WithLabelSmoothing(0.2))), G.Must(CrossEntropy(x, y, WithWeight(w1))),
		G.Must(CrossEntropy(x, y, WithWeight(w2))), G.Must(NLL(x, y)), G.Must(CrossEntropy(x, p)),
		G.Must(BCE(x, p)), G.Must(BCEWithLogits(x, p)), G.Must(BCEWithLogits(x, p, WithPosWeight(w1))),
		G.Must(BCEWithLogits(x, p, WithWeight(w1))), G.Must(BCEWithLogits(x, p, WithWeight(w2))),
	}
	seen := map[*G.Node]int{}
	for i, n := range nodes {
		if j, ok := seen[n]; ok {
			t.Errorf("node %d (%v) merged with node %d (%v)", i, n.Op(), j, nodes[j].Op())
		}
		seen[n] = i
	}
	// identical configurations may be merged, and that is harmless
	a, b := G.Must(Softmax(x, -1)), G.Must(Softmax(x, 1))
	if a.Op().Hashcode() != b.Op().Hashcode() {
		t.Errorf("Softmax(x, -1) and Softmax(x, 1) should hash alike")
	}
}

// TestZeroAllocs checks that after the first run the ops' Do allocate
// nothing, forward and backward.
func TestZeroAllocs(t *testing.T) {
	t.Run("float32", testZeroAllocs[float32])
	t.Run("float64", testZeroAllocs[float64])
}

func testZeroAllocs[T num.Float](t *testing.T) {
	dt := num.Dtype[T]()
	g := G.NewGraph()
	xv := floatTensor(dt, []int{8, 10}, make([]float64, 80))
	x := G.NodeFromAny(g, xv, G.WithName("x"))
	yv := tensor.New(tensor.WithBacking([]int64{0, 1, 2, 3, 4, 5, 6, 7}))
	y := G.NodeFromAny(g, yv, G.WithName("y"))
	for _, build := range []func() (*G.Node, error){
		func() (*G.Node, error) { return CrossEntropy(x, y, WithLabelSmoothing(0.1)) },
		func() (*G.Node, error) { return NLL(x, y, WithReduction(None)) },
		func() (*G.Node, error) { return Softmax(x, -1) },
	} {
		n, err := build()
		if err != nil {
			t.Fatal(err)
		}
		op := n.Op()
		in := []G.Value{xv, yv}
		if op.Arity() == 1 {
			in = in[:1]
		}
		out, err := op.Do(in...)
		if err != nil {
			t.Fatal(err)
		}
		gop := backwardOf(op, 0)
		gin := []G.Value{xv, yv, out, out}
		if op.Arity() == 1 {
			gin = []G.Value{out, out}
		}
		if _, err := gop.Do(gin...); err != nil {
			t.Fatal(err)
		}
		allocs := testing.AllocsPerRun(20, func() {
			op.Do(in...)
			gop.Do(gin...)
		})
		if allocs != 0 {
			t.Errorf("%v %v: %v allocations per forward+backward", dt, op, allocs)
		}
	}
}

// The output gradient of a reduced loss may come as a scalar value or as a
// one-element tensor; both work, and scale the input gradient.
func TestScalarGradientForms(t *testing.T) {
	g := G.NewGraph()
	xv := floatTensor(tensor.Float64, []int{2, 3}, []float64{1, 2, 3, 3, 2, 1})
	yv := tensor.New(tensor.WithBacking([]int{0, 0}))
	x := G.NodeFromAny(g, xv, G.WithName("x"))
	y := G.NodeFromAny(g, yv, G.WithName("y"))
	op := G.Must(CrossEntropy(x, y)).Op()
	out, err := op.Do(xv, yv)
	if err != nil {
		t.Fatal(err)
	}
	g1, err := backwardOf(op, 0).Do(xv, yv, out, G.NewF64(2))
	if err != nil {
		t.Fatal(err)
	}
	a := valueFloats(g1)
	g2, err := backwardOf(op, 0).Do(xv, yv, out, tensor.New(tensor.FromScalar(2.0)))
	if err != nil {
		t.Fatal(err)
	}
	b := valueFloats(g2)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("grad[%d]: %v with a scalar, %v with a tensor", i, a[i], b[i])
		}
	}
	// row 0: 2 * (softmax - onehot) / 2
	e := []float64{math.Exp(1), math.Exp(2), math.Exp(3)}
	s := e[0] + e[1] + e[2]
	if want := e[0]/s - 1; math.Abs(a[0]-want) > 1e-15 {
		t.Errorf("grad[0] = %v, want %v", a[0], want)
	}
}

// NaN or +Inf logits give a NaN loss (as in PyTorch), not an error or a
// panic; -Inf logits are just impossible classes.
func TestCrossEntropyNonFinite(t *testing.T) {
	t.Run("float32", testCrossEntropyNonFinite[float32])
	t.Run("float64", testCrossEntropyNonFinite[float64])
}

func testCrossEntropyNonFinite[T num.Float](t *testing.T) {
	dt := num.Dtype[T]()
	for _, tc := range []struct {
		bad     float64
		wantNaN bool
	}{{math.NaN(), true}, {math.Inf(1), true}, {math.Inf(-1), false}} {
		g := G.NewGraph()
		x := G.NodeFromAny(g, floatTensor(dt, []int{2, 3}, []float64{1, 2, 3, 0, tc.bad, 0}), G.WithName("x"))
		y := G.NodeFromAny(g, tensor.New(tensor.WithBacking([]int{0, 0})), G.WithName("y"))
		loss := G.Must(CrossEntropy(x, y, WithReduction(None)))
		runGraph(t, g)
		l := valueFloats(loss.Value())
		row0 := math.Log(math.Exp(1)+math.Exp(2)+math.Exp(3)) - 1
		rtol, _ := golden.Tol(dt)
		if math.Abs(l[0]-row0) > rtol*row0 {
			t.Errorf("%v bad=%v: row 0 loss %v, want %v", dt, tc.bad, l[0], row0)
		}
		if got := math.IsNaN(l[1]); got != tc.wantNaN {
			t.Errorf("%v bad=%v: row 1 loss %v", dt, tc.bad, l[1])
		}
		if !tc.wantNaN && math.Abs(l[1]-math.Ln2) > rtol {
			t.Errorf("%v bad=-Inf: row 1 loss %v, want log 2", dt, l[1])
		}
	}
}
