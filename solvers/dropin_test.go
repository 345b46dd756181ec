package solvers_test

import (
	"fmt"
	"testing"

	"github.com/stheno-ml/stheno/solvers"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// regression builds a plain Gorgonia least-squares problem y = X·w + b with
// 64 samples and 3 features and returns the graph, the loss node and the
// learnables.
func regression(dt tensor.Dtype, bias bool) (*G.ExprGraph, *G.Node, G.Nodes) {
	const n, f = 64, 3
	xs := make([]float64, n*f)
	ys := make([]float64, n)
	trueW := []float64{1.5, -2, 0.5}
	for i := 0; i < n; i++ {
		for j := 0; j < f; j++ {
			xs[i*f+j] = float64((i*7+j*13)%11)/5 - 1
			ys[i] += xs[i*f+j] * trueW[j]
		}
		if bias {
			ys[i] += 0.3
		}
	}
	back := func(v []float64) interface{} {
		if dt == tensor.Float32 {
			out := make([]float32, len(v))
			for i := range v {
				out[i] = float32(v[i])
			}
			return out
		}
		return v
	}
	g := G.NewGraph()
	x := G.NewMatrix(g, dt, G.WithShape(n, f), G.WithName("x"), G.WithValue(tensor.New(tensor.WithShape(n, f), tensor.WithBacking(back(xs)))))
	y := G.NewMatrix(g, dt, G.WithShape(n, 1), G.WithName("y"), G.WithValue(tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(back(ys)))))
	w := G.NewMatrix(g, dt, G.WithShape(f, 1), G.WithName("w"), G.WithInit(G.Zeroes()))
	b := G.NewScalar(g, dt, G.WithName("b"), G.WithValue(map[tensor.Dtype]G.Value{tensor.Float32: G.NewF32(0), tensor.Float64: G.NewF64(0)}[dt]))
	pred := G.Must(G.Mul(x, w))
	if !bias {
		return g, G.Must(G.Mean(G.Must(G.Square(G.Must(G.Sub(pred, y)))))), G.Nodes{w}
	}
	pred = G.Must(G.BroadcastAdd(pred, b, nil, []byte{0, 1}))
	loss := G.Must(G.Mean(G.Must(G.Square(G.Must(G.Sub(pred, y))))))
	return g, loss, G.Nodes{w, b}
}

func lossValue(n *G.Node) float64 {
	switch v := n.Value().Data().(type) {
	case float32:
		return float64(v)
	case float64:
		return v
	}
	panic(fmt.Sprintf("loss value %T", n.Value().Data()))
}

func dropinSolvers(t *testing.T) map[string]G.Solver {
	t.Helper()
	must := func(s G.Solver, err error) G.Solver {
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	return map[string]G.Solver{
		"SGD":      must(solvers.NewSGD(solvers.WithLearnRate(0.05), solvers.WithMomentum(0.9))),
		"Adam":     must(solvers.NewAdam(solvers.WithLearnRate(0.05))),
		"AdamW":    must(solvers.NewAdamW(solvers.WithLearnRate(0.05), solvers.WithWeightDecay(1e-4))),
		"RMSProp":  must(solvers.NewRMSProp(solvers.WithLearnRate(0.01))),
		"Adagrad":  must(solvers.NewAdagrad(solvers.WithLearnRate(0.5))),
		"Adadelta": must(solvers.NewAdadelta(solvers.WithLearnRate(10))),
		"Adamax":   must(solvers.NewAdamax(solvers.WithLearnRate(0.05))),
		"NAdam":    must(solvers.NewNAdam(solvers.WithLearnRate(0.05))),
		"RAdam":    must(solvers.NewRAdam(solvers.WithLearnRate(0.1))),
		"Nesterov": must(solvers.NewSGD(solvers.WithLearnRate(0.05), solvers.WithMomentum(0.9), solvers.WithNesterov(true))),
	}
}

// TestDropIn trains a plain Gorgonia regression with each solver on
// TapeMachine (with a matrix and a scalar learnable), TapeMachine with
// BindDualValues (matrix only: Gorgonia 0.9.18 accumulates a scalar node's
// derivative into itself there) and LispMachine.
func TestDropIn(t *testing.T) {
	machines := []string{"tape", "tape+dual", "lisp"}
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		for _, m := range machines {
			for name, s := range dropinSolvers(t) {
				t.Run(fmt.Sprintf("%s/%s/%v", name, m, dt), func(t *testing.T) {
					g, loss, learn := regression(dt, m == "tape")
					var vm G.VM
					switch m {
					case "tape":
						if _, err := G.Grad(loss, learn...); err != nil {
							t.Fatal(err)
						}
						vm = G.NewTapeMachine(g)
					case "tape+dual":
						if _, err := G.Grad(loss, learn...); err != nil {
							t.Fatal(err)
						}
						vm = G.NewTapeMachine(g, G.BindDualValues(learn...))
					case "lisp":
						vm = G.NewLispMachine(g)
					}
					wv := learn[0].Value()
					var first, last float64
					for i := 0; i < 200; i++ {
						if m == "lisp" && i > 0 {
							// Gorgonia 0.9.18's lispMachine.Reset rewinds to the
							// last node only, so a LispMachine is re-created per
							// step; its dual values keep accumulating gradients,
							// which the solver zeroes after each update.
							vm = G.NewLispMachine(g)
						}
						if err := vm.RunAll(); err != nil {
							t.Fatal(err)
						}
						if i == 0 {
							first = lossValue(loss)
						}
						last = lossValue(loss)
						if err := s.Step(G.NodesToValueGrads(learn)); err != nil {
							t.Fatal(err)
						}
						if m == "lisp" {
							// The dual-value gradient was consumed: it must not leak
							// into the next step's accumulation.
							gv, err := learn[0].Grad()
							if err != nil {
								t.Fatal(err)
							}
							if n := lossNorm(gv); n != 0 {
								t.Fatalf("step %d: gradient not cleared after Step (norm %g)", i, n)
							}
						}
						vm.Reset()
					}
					if learn[0].Value() != wv {
						t.Errorf("the value tensor of w was replaced; want in-place updates")
					}
					if !(last < first*1e-2) {
						t.Errorf("loss %g -> %g after 200 steps; want a drop of 100x", first, last)
					}
				})
			}
		}
	}
}

// lossNorm is the squared L2 norm of a tensor value.
func lossNorm(v G.Value) float64 {
	var s float64
	switch d := v.Data().(type) {
	case []float32:
		for _, x := range d {
			s += float64(x) * float64(x)
		}
	case []float64:
		for _, x := range d {
			s += x * x
		}
	}
	return s
}
