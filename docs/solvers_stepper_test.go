package docs

import (
	"log"
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/stheno-ml/stheno/ops"
	"github.com/stheno-ml/stheno/solvers"
)

// smallConvnet is Gorgonia's convnet example in small: five weights, kept in a list by hand.
type smallConvnet struct{ w0, w1, w2, w3, w4 *G.Node }

func (m *smallConvnet) learnables() G.Nodes { return G.Nodes{m.w0, m.w1, m.w2, m.w3, m.w4} }

// tinyConvnet builds the example's graph shape (convolutions, pooling, dense layers, the mean of
// −y·log softmax) at 6×6 pixels, with data bound to x and y.
func tinyConvnet(bs int) (g *G.ExprGraph, x, y, cost *G.Node, m *smallConvnet) {
	g = G.NewGraph()
	val := func(seed float64, shape ...int) G.NodeConsOpt {
		n := tensor.Shape(shape).TotalSize()
		v := make([]float64, n)
		for i := range v {
			v[i] = 0.5 * math.Sin(seed*float64(i+1))
		}
		return G.WithValue(tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v)))
	}
	x = G.NewTensor(g, G.Float64, 4, G.WithShape(bs, 1, 6, 6), G.WithName("x"), val(0.7, bs, 1, 6, 6))
	yv := make([]float64, bs*3)
	for i := 0; i < bs; i++ {
		yv[3*i+i%3] = 1
	}
	y = G.NewMatrix(g, G.Float64, G.WithShape(bs, 3), G.WithName("y"), G.WithValue(tensor.New(tensor.WithShape(bs, 3), tensor.WithBacking(yv))))
	m = &smallConvnet{
		w0: G.NewTensor(g, G.Float64, 4, G.WithShape(2, 1, 3, 3), G.WithName("w0"), val(1.1, 2, 1, 3, 3)),
		w1: G.NewTensor(g, G.Float64, 4, G.WithShape(2, 2, 3, 3), G.WithName("w1"), val(1.3, 2, 2, 3, 3)),
		w2: G.NewMatrix(g, G.Float64, G.WithShape(18, 4), G.WithName("w2"), val(1.7, 18, 4)),
		w3: G.NewMatrix(g, G.Float64, G.WithShape(4, 4), G.WithName("w3"), val(1.9, 4, 4)),
		w4: G.NewMatrix(g, G.Float64, G.WithShape(4, 3), G.WithName("w4"), val(2.3, 4, 3)),
	}
	c := G.Must(G.Rectify(G.Must(G.Conv2d(x, m.w0, tensor.Shape{3, 3}, []int{1, 1}, []int{1, 1}, []int{1, 1}))))
	c = G.Must(G.Rectify(G.Must(G.Conv2d(c, m.w1, tensor.Shape{3, 3}, []int{1, 1}, []int{1, 1}, []int{1, 1}))))
	c = G.Must(G.MaxPool2D(c, tensor.Shape{2, 2}, []int{0, 0}, []int{2, 2}))
	h := G.Must(G.Rectify(G.Must(G.Mul(G.Must(G.Reshape(c, tensor.Shape{bs, 18})), m.w2))))
	h = G.Must(G.Rectify(G.Must(G.Mul(h, m.w3))))
	logp := G.Must(ops.LogSoftmax(G.Must(G.Mul(h, m.w4)), 1))
	cost = G.Must(G.Neg(G.Must(G.Mean(G.Must(G.HadamardProd(logp, y))))))
	return g, x, y, cost, m
}

func snapshot(ns G.Nodes) [][]float64 {
	var out [][]float64
	for _, n := range ns {
		out = append(out, append([]float64(nil), n.Value().Data().([]float64)...))
	}
	return out
}

func changed(a, b []float64) bool {
	for i := range a {
		if a[i] != b[i] {
			return true
		}
	}
	return false
}

// solvers.md, "Training a Gorgonia program without a list of learnables": Gorgonia's convnet loop
// before (a list kept by hand) and after (Learnables and a Stepper, the first convolution frozen).
func TestSolversStepperConvnet(t *testing.T) {
	const bs, batches = 2, 5
	t.Run("before", func(t *testing.T) {
		g, x, y, cost, m := tinyConvnet(bs)
		_, _ = x, y
		before := snapshot(m.learnables())
		var err error

		// m.learnables() returns G.Nodes{m.w0, m.w1, m.w2, m.w3, m.w4}, a list kept by hand
		if _, err = G.Grad(cost, m.learnables()...); err != nil {
			log.Fatal(err)
		}
		vm := G.NewTapeMachine(g, G.BindDualValues(m.learnables()...))
		solver := G.NewRMSPropSolver(G.WithBatchSize(float64(bs)))
		for b := 0; b < batches; b++ {
			// G.Let(x, xVal); G.Let(y, yVal) for batch b
			if err = vm.RunAll(); err != nil {
				log.Fatal(err)
			}
			if err = solver.Step(G.NodesToValueGrads(m.learnables())); err != nil {
				log.Fatal(err)
			}
			vm.Reset()
		}

		for i, after := range snapshot(m.learnables()) {
			if !changed(before[i], after) {
				t.Errorf("w%d did not train", i)
			}
		}
	})
	t.Run("after", func(t *testing.T) {
		g, x, y, cost, m := tinyConvnet(bs)
		before := snapshot(m.learnables())
		var losses []float64

		learn, err := solvers.Learnables(g, solvers.Inputs(x, y), solvers.Freeze(m.w0))
		if err != nil {
			log.Fatal(err)
		}
		if _, err = G.Grad(cost, learn...); err != nil {
			log.Fatal(err)
		}
		vm := G.NewTapeMachine(g)
		solver, err := solvers.NewRMSProp(solvers.WithLearnRate(1e-3))
		if err != nil {
			log.Fatal(err)
		}
		st, err := solvers.NewStepper(g, vm, solver)
		if err != nil {
			log.Fatal(err)
		}
		for b := 0; b < batches; b++ {
			// G.Let(x, xVal); G.Let(y, yVal) for batch b
			loss, err := st.StepLoss(cost)
			if err != nil {
				log.Fatal(err)
			}
			losses = append(losses, loss)
		}

		if got := len(learn); got != 4 || learn[0] != m.w1 || learn[3] != m.w4 {
			t.Errorf("learnables %v, want [w1 w2 w3 w4]", learn)
		}
		for i, after := range snapshot(m.learnables()) {
			if changed(before[i], after) != (i != 0) {
				t.Errorf("w%d: changed %v, want frozen w0 only", i, changed(before[i], after))
			}
		}
		if !(losses[batches-1] < losses[0]) {
			t.Errorf("losses %v: want a decrease", losses)
		}
	})
}
