package ops

import (
	"testing"

	"github.com/stheno-ml/stheno/internal/golden"
	"github.com/stheno-ml/stheno/internal/num"
	G "gorgonia.org/gorgonia"
)

// byHand runs loss(x, y) with reduction Sum on a TapeMachine and checks
// the loss and the gradients of x and y against values computed by hand.
func byHand[T num.Float](t *testing.T, name string, build func(x, y *G.Node, opts ...LossOpt) (*G.Node, error),
	xd, yd []float64, want float64, wantDx, wantDy []float64, opts ...LossOpt) {
	t.Helper()
	dt := num.Dtype[T]()
	g := G.NewGraph()
	x := G.NodeFromAny(g, floatTensor(dt, []int{len(xd)}, xd), G.WithName("x"))
	y := G.NodeFromAny(g, floatTensor(dt, []int{len(yd)}, yd), G.WithName("y"))
	l, err := build(x, y, append(opts, WithReduction(Sum))...)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	grads, err := G.Grad(l, x, y)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	runGraph(t, g)
	rtol, atol := golden.Tol(dt)
	if i := golden.Diff(valueFloats(l.Value()), []float64{want}, rtol, atol); i >= 0 {
		t.Errorf("%s: loss %v, want %v", name, valueFloats(l.Value()), want)
	}
	if i := golden.Diff(valueFloats(grads[0].Value()), wantDx, rtol, atol); i >= 0 {
		t.Errorf("%s: d/dx %v, want %v", name, valueFloats(grads[0].Value()), wantDx)
	}
	if i := golden.Diff(valueFloats(grads[1].Value()), wantDy, rtol, atol); i >= 0 {
		t.Errorf("%s: d/dy %v, want %v", name, valueFloats(grads[1].Value()), wantDy)
	}
}

// buildErr returns the error of building loss on (x, y) nodes of the given
// shapes (float64 unless dt32).
func buildErr(build func(x, y *G.Node, opts ...LossOpt) (*G.Node, error), xs, ys []int, opts ...LossOpt) error {
	g := G.NewGraph()
	x := G.NewTensor(g, num.Dtype[float64](), len(xs), G.WithShape(xs...), G.WithName("x"))
	y := G.NewTensor(g, num.Dtype[float64](), len(ys), G.WithShape(ys...), G.WithName("y"))
	_, err := build(x, y, opts...)
	return err
}

// TestRegressionNoMerge checks that the new losses' hashes cover their
// configuration: nodes differing only in an option are not merged.
func TestRegressionNoMerge(t *testing.T) {
	g := G.NewGraph()
	x := G.NewMatrix(g, num.Dtype[float64](), G.WithShape(2, 3), G.WithName("x"))
	y := G.NewMatrix(g, num.Dtype[float64](), G.WithShape(2, 3), G.WithName("y"))
	v := G.NewVector(g, num.Dtype[float64](), G.WithShape(2), G.WithName("v"))
	v2 := G.NewMatrix(g, num.Dtype[float64](), G.WithShape(2, 1), G.WithName("v2"))
	nodes := []*G.Node{
		G.Must(MSE(x, y)), G.Must(MSE(x, y, WithReduction(Sum))), G.Must(L1(x, y)),
		G.Must(SmoothL1(x, y)), G.Must(SmoothL1(x, y, WithBeta(0.5))), G.Must(SmoothL1(x, y, WithBeta(0))),
		G.Must(Huber(x, y)), G.Must(Huber(x, y, WithDelta(2))),
		G.Must(KLDiv(x, y)), G.Must(KLDiv(x, y, WithLogTarget(true))), G.Must(KLDiv(x, y, WithReduction(BatchMean))),
		G.Must(PoissonNLL(x, y)), G.Must(PoissonNLL(x, y, WithLogInput(false))), G.Must(PoissonNLL(x, y, WithFull(true))),
		G.Must(PoissonNLL(x, y, WithEps(0.5))), G.Must(GaussianNLL(x, y, v)), G.Must(GaussianNLL(x, y, v2)),
		G.Must(GaussianNLL(x, y, v, WithFull(true))), G.Must(GaussianNLL(x, y, v, WithEps(0.1))),
	}
	seen := map[*G.Node]int{}
	for i, n := range nodes {
		if j, ok := seen[n]; ok {
			t.Errorf("node %d (%v) merged with node %d (%v)", i, n.Op(), j, nodes[j].Op())
		}
		seen[n] = i
	}
}
