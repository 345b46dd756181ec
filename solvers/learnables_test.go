package solvers_test

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/stheno-ml/stheno/ops"
	"github.com/stheno-ml/stheno/solvers"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// program is a plain Gorgonia program shaped like one of Gorgonia's own
// examples: its graph, the loss, the data nodes, and the parameters a
// person would list for the solver (in the order they would write them).
type program struct {
	g      *G.ExprGraph
	loss   *G.Node
	inputs G.Nodes
	params G.Nodes
	// lispExtra are the data nodes that the LispMachine rule keeps without
	// Inputs: those a differentiable op consumes (not the targets of a
	// Stheno loss, which has no target gradient).
	lispExtra []string
}

// det returns n deterministic values in [-1, 1) from a seed.
func det(n, seed int) []float64 {
	out := make([]float64, n)
	x := uint32(seed*2654435761 + 1)
	for i := range out {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		out[i] = float64(x%2000)/1000 - 1
	}
	return out
}

func backing(dt tensor.Dtype, v []float64) interface{} {
	if dt == tensor.Float32 {
		out := make([]float32, len(v))
		for i := range v {
			out[i] = float32(v[i])
		}
		return out
	}
	return append([]float64(nil), v...)
}

func dense(dt tensor.Dtype, seed int, scale float64, shape ...int) *tensor.Dense {
	n := tensor.Shape(shape).TotalSize()
	v := det(n, seed)
	for i := range v {
		v[i] *= scale
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(backing(dt, v)))
}

func param(g *G.ExprGraph, dt tensor.Dtype, name string, seed int, shape ...int) *G.Node {
	return G.NewTensor(g, dt, len(shape), G.WithShape(shape...), G.WithName(name), G.WithValue(dense(dt, seed, 0.5, shape...)))
}

// mlpProgram is Gorgonia's MNIST-style MLP with biases: two dense layers,
// ReLU, Stheno's cross-entropy on class indices, an L2 penalty with a
// constant factor (as in Gorgonia's logistic regression), a Read of the
// predictions.
func mlpProgram(dt tensor.Dtype) program {
	const bs, in, hid, out = 6, 4, 5, 3
	g := G.NewGraph()
	x := G.NewMatrix(g, dt, G.WithShape(bs, in), G.WithName("x"), G.WithValue(dense(dt, 1, 1, bs, in)))
	y := G.NewVector(g, tensor.Int, G.WithShape(bs), G.WithName("y"),
		G.WithValue(tensor.New(tensor.WithShape(bs), tensor.WithBacking([]int{0, 2, 1, 1, 0, 2}))))
	w0 := param(g, dt, "w0", 2, in, hid)
	b0 := param(g, dt, "b0", 3, hid)
	w1 := param(g, dt, "w1", 4, hid, out)
	b1 := param(g, dt, "b1", 5, out)
	h := G.Must(G.BroadcastAdd(G.Must(G.Mul(x, w0)), b0, nil, []byte{0}))
	h = G.Must(G.Rectify(h))
	logits := G.Must(G.BroadcastAdd(G.Must(G.Mul(h, w1)), b1, nil, []byte{0}))
	ce := G.Must(ops.CrossEntropy(logits, y))
	l2 := G.Must(G.Mul(G.NewConstant(castScalar(dt, 1e-3), G.WithName("l2reg")), G.Must(G.Sum(G.Must(G.Square(w0))))))
	loss := G.Must(G.Add(ce, l2))
	var pred G.Value
	G.Read(logits, &pred)
	return program{g: g, loss: loss, inputs: G.Nodes{x, y}, params: G.Nodes{w0, b0, w1, b1}, lispExtra: []string{"x"}}
}

func castScalar(dt tensor.Dtype, v float64) interface{} {
	if dt == tensor.Float32 {
		return float32(v)
	}
	return v
}

// convProgram is Gorgonia's convnet example in small: two convolutions
// (no biases, as there), ReLU, max pooling, a dense layer and a
// cross-entropy on probability targets written by hand as there
// (mean of −y·log softmax).
func convProgram(dt tensor.Dtype) program {
	const bs = 2
	g := G.NewGraph()
	x := G.NewTensor(g, dt, 4, G.WithShape(bs, 1, 6, 6), G.WithName("x"), G.WithValue(dense(dt, 11, 1, bs, 1, 6, 6)))
	yv := make([]float64, bs*3)
	yv[1], yv[3] = 1, 1
	y := G.NewMatrix(g, dt, G.WithShape(bs, 3), G.WithName("y"), G.WithValue(tensor.New(tensor.WithShape(bs, 3), tensor.WithBacking(backing(dt, yv)))))
	w0 := param(g, dt, "w0", 12, 2, 1, 3, 3)
	w1 := param(g, dt, "w1", 13, 2, 2, 3, 3)
	w2 := param(g, dt, "w2", 14, 2*3*3, 3)
	c := G.Must(G.Conv2d(x, w0, tensor.Shape{3, 3}, []int{1, 1}, []int{1, 1}, []int{1, 1}))
	c = G.Must(G.Rectify(c))
	c = G.Must(G.Conv2d(c, w1, tensor.Shape{3, 3}, []int{1, 1}, []int{1, 1}, []int{1, 1}))
	c = G.Must(G.Rectify(c))
	c = G.Must(G.MaxPool2D(c, tensor.Shape{2, 2}, []int{0, 0}, []int{2, 2}))
	flat := G.Must(G.Reshape(c, tensor.Shape{bs, 2 * 3 * 3}))
	logp := G.Must(ops.LogSoftmax(G.Must(G.Mul(flat, w2)), 1))
	loss := G.Must(G.Neg(G.Must(G.Mean(G.Must(G.HadamardProd(logp, y))))))
	return program{g: g, loss: loss, inputs: G.Nodes{x, y}, params: G.Nodes{w0, w1, w2}, lispExtra: []string{"x", "y"}}
}

// regressionProgram is Gorgonia's iris example: data bound at
// construction (NodeFromAny), one parameter vector, a hand-written mean
// squared error.
func regressionProgram(dt tensor.Dtype) program {
	const n, f = 12, 4
	g := G.NewGraph()
	X := G.NodeFromAny(g, dense(dt, 21, 1, n, f), G.WithName("x"))
	Y := G.NodeFromAny(g, dense(dt, 22, 1, n), G.WithName("y"))
	theta := G.NewVector(g, dt, G.WithName("theta"), G.WithShape(f), G.WithValue(dense(dt, 23, 0.5, f)))
	pred := G.Must(G.Mul(X, theta))
	loss := G.Must(G.Mean(G.Must(G.Square(G.Must(G.Sub(pred, Y))))))
	return program{g: g, loss: loss, inputs: G.Nodes{X, Y}, params: G.Nodes{theta}, lispExtra: []string{"x", "y"}}
}

var programs = map[string]func(tensor.Dtype) program{
	"mlp":        mlpProgram,
	"convnet":    convProgram,
	"regression": regressionProgram,
}

func names(ns G.Nodes) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.Name()
	}
	return out
}

func sortedNames(ns G.Nodes) []string {
	out := names(ns)
	sort.Strings(out)
	return out
}

// TestLearnables checks that the walk finds exactly the parameters a
// person would list — no input, target, constant, intermediate or loss —
// before gorgonia.Grad (with the data declared), after it (without), and
// under the LispMachine rule without Inputs (where only the data a
// differentiable op consumes is kept).
func TestLearnables(t *testing.T) {
	for name, build := range programs {
		t.Run(name, func(t *testing.T) {
			p := build(tensor.Float64)
			want := sortedNames(p.params)

			got, err := solvers.Learnables(p.g, solvers.Inputs(p.inputs...))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(names(got), want) {
				t.Errorf("before Grad with Inputs: %v, want %v", names(got), want)
			}

			noInputs, err := solvers.Learnables(p.g)
			if err != nil {
				t.Fatal(err)
			}
			wantLisp := append(append([]string(nil), want...), p.lispExtra...)
			sort.Strings(wantLisp)
			if !reflect.DeepEqual(sortedNames(noInputs), wantLisp) {
				t.Errorf("before Grad without Inputs: %v, want %v", names(noInputs), wantLisp)
			}

			if _, err := G.Grad(p.loss, p.params...); err != nil {
				t.Fatal(err)
			}
			after, err := solvers.Learnables(p.g)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(names(after), want) {
				t.Errorf("after Grad: %v, want %v", names(after), want)
			}
			for i := range after {
				if after[i] != got[i] {
					t.Errorf("node %d differs before and after Grad", i)
				}
			}
		})
	}
}

// TestLearnablesOrder checks the order by name with ties broken by node
// ID, whatever order the nodes were made in.
func TestLearnablesOrder(t *testing.T) {
	g := G.NewGraph()
	var ns G.Nodes
	for i, n := range []string{"c", "a", "b", "a"} {
		// Equal names need different shapes: Gorgonia merges equal nodes.
		v := tensor.New(tensor.WithShape(i+1), tensor.WithBacking(make([]float64, i+1)))
		ns = append(ns, G.NewVector(g, tensor.Float64, G.WithShape(i+1), G.WithName(n), G.WithValue(v)))
	}
	sum := G.Must(G.Sum(ns[0]))
	for _, n := range ns[1:] {
		sum = G.Must(G.Add(sum, G.Must(G.Sum(n))))
	}
	got, err := solvers.Learnables(g)
	if err != nil {
		t.Fatal(err)
	}
	want := G.Nodes{ns[1], ns[3], ns[2], ns[0]}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("order %v (ids %v), want %v", names(got), got, want)
	}
}

// TestLearnablesNonDifferentiable: a leaf that only feeds a comparison or
// a Read is not learnable; an unused leaf is not either.
func TestLearnablesNonDifferentiable(t *testing.T) {
	g := G.NewGraph()
	w := G.NewVector(g, tensor.Float64, G.WithShape(3), G.WithName("w"), G.WithValue(tensor.New(tensor.WithBacking([]float64{1, 2, 3}))))
	c := G.NewVector(g, tensor.Float64, G.WithShape(3), G.WithName("c"), G.WithValue(tensor.New(tensor.WithBacking([]float64{1, 2, 3}))))
	r := G.NewVector(g, tensor.Float64, G.WithShape(3), G.WithName("r"), G.WithValue(tensor.New(tensor.WithBacking([]float64{1, 2, 3}))))
	G.NewScalar(g, tensor.Float64, G.WithName("unused"), G.WithValue(1.0))
	G.Must(G.Sum(w))
	G.Must(G.Gt(c, G.NewConstant(0.5), false))
	var v G.Value
	G.Read(r, &v)
	got, err := solvers.Learnables(g)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(names(got), []string{"w"}) {
		t.Errorf("learnables %v, want [w]", names(got))
	}
}

func TestLearnablesFreeze(t *testing.T) {
	p := mlpProgram(tensor.Float64)
	got, err := solvers.Learnables(p.g, solvers.Inputs(p.inputs...), solvers.Freeze(p.params[0]))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(names(got), []string{"b0", "b1", "w1"}) {
		t.Errorf("Freeze(w0): %v", names(got))
	}
	got, err = solvers.Learnables(p.g, solvers.Inputs(p.inputs...), solvers.FreezeMatching(func(n string) bool { return strings.HasPrefix(n, "b") }))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(names(got), []string{"w0", "w1"}) {
		t.Errorf("FreezeMatching(b*): %v", names(got))
	}
}

func TestLearnablesErrors(t *testing.T) {
	p := mlpProgram(tensor.Float64)
	other := G.NewScalar(G.NewGraph(), tensor.Float64, G.WithName("elsewhere"))
	var l2 *G.Node
	for _, n := range p.g.AllNodes() {
		if n.Name() == "l2reg" {
			l2 = n
		}
	}
	cases := []struct {
		name string
		opts []solvers.LearnOption
		want string
	}{
		{"freeze input", []solvers.LearnOption{solvers.Inputs(p.inputs...), solvers.Freeze(p.inputs[0])}, `"x" has no gradient`},
		{"freeze target", []solvers.LearnOption{solvers.Freeze(p.inputs[1])}, `"y" has no gradient`},
		{"freeze constant", []solvers.LearnOption{solvers.Freeze(l2)}, `"l2reg" has no gradient`},
		{"freeze loss", []solvers.LearnOption{solvers.Freeze(p.loss)}, `has no gradient`},
		{"other graph", []solvers.LearnOption{solvers.Freeze(other)}, `"elsewhere" is not in the graph`},
		{"matcher freezes nothing", []solvers.LearnOption{solvers.FreezeMatching(func(n string) bool { return n == "nope" })}, "freezes no learnable"},
		{"nil matcher", []solvers.LearnOption{solvers.FreezeMatching(nil)}, "must not be nil"},
		{"nil node", []solvers.LearnOption{solvers.Freeze(nil)}, "node 0 is nil"},
		{"zero option", []solvers.LearnOption{{}}, "zero LearnOption"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := solvers.Learnables(p.g, c.opts...)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err %v, want one containing %q", err, c.want)
			}
		})
	}
	if _, err := solvers.Learnables(nil); err == nil {
		t.Error("nil graph: no error")
	}
}

// machine makes the VM of a run: "tape" (Grad then TapeMachine), "dual"
// (Grad then TapeMachine with BindDualValues) or "lisp".
func machine(t *testing.T, p program, kind string) G.VM {
	t.Helper()
	switch kind {
	case "tape", "dual":
		if _, err := G.Grad(p.loss, p.params...); err != nil {
			t.Fatal(err)
		}
		if kind == "dual" {
			return G.NewTapeMachine(p.g, G.BindDualValues(p.params...))
		}
		return G.NewTapeMachine(p.g)
	}
	return G.NewLispMachine(p.g)
}

func bits(ns G.Nodes) [][]uint64 {
	out := make([][]uint64, len(ns))
	for i, n := range ns {
		switch d := n.Value().Data().(type) {
		case []float64:
			for _, x := range d {
				out[i] = append(out[i], math.Float64bits(x))
			}
		case []float32:
			for _, x := range d {
				out[i] = append(out[i], uint64(math.Float32bits(x)))
			}
		case float64:
			out[i] = append(out[i], math.Float64bits(d))
		case float32:
			out[i] = append(out[i], uint64(math.Float32bits(d)))
		}
	}
	return out
}

// TestStepperMatchesHandLoop trains each program with Stepper and with the
// hand-written loop of Gorgonia's examples (a LispMachine re-created per
// step there, the usual workaround for its Reset) and requires the same
// weights and losses bit for bit, on every VM and dtype.
func TestStepperMatchesHandLoop(t *testing.T) {
	const steps = 8
	for pname, build := range programs {
		for _, vmk := range []string{"tape", "dual", "lisp"} {
			for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
				t.Run(fmt.Sprintf("%s/%s/%v", pname, vmk, dt), func(t *testing.T) {
					if pname == "convnet" && vmk == "lisp" {
						// Gorgonia 0.9.18's LispMachine fails to differentiate
						// Reshape after MaxPool2D (shape mismatch in its DoDiff),
						// with or without the Stepper.
						t.Skip("Gorgonia 0.9.18 LispMachine cannot differentiate this convnet")
					}
					newAdam := func() solvers.Solver {
						s, err := solvers.NewAdam(solvers.WithLearnRate(0.05), solvers.WithWeightDecay(1e-3))
						if err != nil {
							t.Fatal(err)
						}
						return s
					}
					// By hand.
					hp := build(dt)
					hs := newAdam()
					hvm := machine(t, hp, vmk)
					var hand []float64
					for i := 0; i < steps; i++ {
						if vmk == "lisp" && i > 0 {
							hvm = G.NewLispMachine(hp.g)
						}
						if err := hvm.RunAll(); err != nil {
							t.Fatal(err)
						}
						hand = append(hand, lossValue(hp.loss))
						if err := hs.Step(G.NodesToValueGrads(hp.params)); err != nil {
							t.Fatal(err)
						}
						hvm.Reset()
					}
					// With the Stepper, which also finds the learnables.
					sp := build(dt)
					ss := newAdam()
					svm := machine(t, sp, vmk)
					var opts []solvers.LearnOption
					if vmk == "lisp" {
						opts = append(opts, solvers.Inputs(sp.inputs...))
					}
					st, err := solvers.NewStepper(sp.g, svm, ss, opts...)
					if err != nil {
						t.Fatal(err)
					}
					if got, want := names(st.Learnables()), sortedNames(sp.params); !reflect.DeepEqual(got, want) {
						t.Fatalf("Stepper learnables %v, want %v", got, want)
					}
					for i := 0; i < steps; i++ {
						l, err := st.StepLoss(sp.loss)
						if err != nil {
							t.Fatal(err)
						}
						if math.Float64bits(l) != math.Float64bits(hand[i]) {
							t.Fatalf("step %d: loss %v, hand loop %v", i, l, hand[i])
						}
					}
					if !(hand[steps-1] < hand[0]) {
						t.Errorf("loss did not drop: %v", hand)
					}
					if !reflect.DeepEqual(bits(sp.params), bits(hp.params)) {
						t.Errorf("weights differ from the hand-written loop")
					}
				})
			}
		}
	}
}

// TestStepperFreeze: frozen nodes keep their bits while the others train,
// on both VMs; under the LispMachine the frozen node's gradient does not
// accumulate across runs.
func TestStepperFreeze(t *testing.T) {
	for _, vmk := range []string{"tape", "lisp"} {
		t.Run(vmk, func(t *testing.T) {
			p := mlpProgram(tensor.Float64)
			vm := machine(t, p, vmk)
			s, err := solvers.NewSGD(solvers.WithLearnRate(0.1))
			if err != nil {
				t.Fatal(err)
			}
			w0 := p.params[0]
			st, err := solvers.NewStepper(p.g, vm, s, solvers.Inputs(p.inputs...), solvers.Freeze(w0),
				solvers.FreezeMatching(func(n string) bool { return n == "b0" }))
			if err != nil {
				t.Fatal(err)
			}
			before := bits(p.params)
			for i := 0; i < 3; i++ {
				if err := st.Step(); err != nil {
					t.Fatal(err)
				}
				if vmk == "lisp" {
					g, err := w0.Grad()
					if err != nil {
						t.Fatal(err)
					}
					if n := lossNorm(g); n != 0 {
						t.Fatalf("step %d: frozen w0's gradient not cleared (norm %g)", i, n)
					}
				}
			}
			after := bits(p.params)
			if !reflect.DeepEqual(after[0], before[0]) || !reflect.DeepEqual(after[1], before[1]) {
				t.Errorf("frozen w0 or b0 changed")
			}
			if reflect.DeepEqual(after[2], before[2]) || reflect.DeepEqual(after[3], before[3]) {
				t.Errorf("w1 or b1 did not train")
			}
		})
	}
}

func TestStepperErrors(t *testing.T) {
	s, err := solvers.NewSGD(solvers.WithLearnRate(0.1))
	if err != nil {
		t.Fatal(err)
	}
	t.Run("tape without Grad", func(t *testing.T) {
		p := regressionProgram(tensor.Float64)
		st, err := solvers.NewStepper(p.g, G.NewTapeMachine(p.g), s, solvers.Inputs(p.inputs...))
		if err != nil {
			t.Fatal(err)
		}
		before := bits(p.params)
		err = st.Step()
		if err == nil || !strings.Contains(err.Error(), `learnable "theta" has no gradient`) {
			t.Errorf("err %v", err)
		}
		if !reflect.DeepEqual(bits(p.params), before) {
			t.Error("theta changed on error")
		}
	})
	t.Run("all frozen", func(t *testing.T) {
		p := regressionProgram(tensor.Float64)
		_, err := solvers.NewStepper(p.g, G.NewLispMachine(p.g), s, solvers.Inputs(p.inputs...), solvers.Freeze(p.params...))
		if err == nil || !strings.Contains(err.Error(), "no learnable node") {
			t.Errorf("err %v", err)
		}
	})
	t.Run("nil", func(t *testing.T) {
		p := regressionProgram(tensor.Float64)
		if _, err := solvers.NewStepper(p.g, nil, s); err == nil {
			t.Error("nil VM: no error")
		}
		if _, err := solvers.NewStepper(p.g, G.NewLispMachine(p.g), nil); err == nil {
			t.Error("nil solver: no error")
		}
	})
	t.Run("vm error", func(t *testing.T) {
		g := G.NewGraph()
		x := G.NewVector(g, tensor.Float64, G.WithShape(3), G.WithName("x")) // never given a value
		w := G.NewVector(g, tensor.Float64, G.WithShape(3), G.WithName("w"), G.WithValue(tensor.New(tensor.WithBacking([]float64{1, 2, 3}))))
		loss := G.Must(G.Sum(G.Must(G.HadamardProd(x, w))))
		if _, err := G.Grad(loss, w); err != nil {
			t.Fatal(err)
		}
		st, err := solvers.NewStepper(g, G.NewTapeMachine(g), s)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.StepLoss(loss); err == nil || !strings.Contains(err.Error(), "running the VM") {
			t.Errorf("err %v", err)
		}
	})
	t.Run("loss not scalar", func(t *testing.T) {
		p := regressionProgram(tensor.Float64)
		if _, err := G.Grad(p.loss, p.params...); err != nil {
			t.Fatal(err)
		}
		st, err := solvers.NewStepper(p.g, G.NewTapeMachine(p.g), s)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.StepLoss(p.inputs[1]); err == nil || !strings.Contains(err.Error(), "want a scalar") {
			t.Errorf("err %v", err)
		}
	})
}
