package ops

import (
	"math"
	"strings"
	"testing"

	"github.com/stheno-ml/stheno/internal/golden"
	"github.com/stheno-ml/stheno/internal/num"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func TestGaussianNLLByHand(t *testing.T) {
	t.Run("float32", testGaussianNLLByHand[float32])
	t.Run("float64", testGaussianNLLByHand[float64])
}

func testGaussianNLLByHand[T num.Float](t *testing.T) {
	dt := num.Dtype[T]()
	// input (2, 2), one variance per row (shape (2)): [1, 4]; the second
	// variance (1e-9) is clamped to eps = 0.5
	g := G.NewGraph()
	x := G.NodeFromAny(g, floatTensor(dt, []int{2, 2}, []float64{1, 2, 0, 0}), G.WithName("x"))
	y := G.NodeFromAny(g, floatTensor(dt, []int{2, 2}, []float64{0, 0, 1, 0}), G.WithName("y"))
	v := G.NodeFromAny(g, floatTensor(dt, []int{2}, []float64{4, 1e-9}), G.WithName("v"))
	l := G.Must(GaussianNLL(x, y, v, WithReduction(Sum), WithEps(0.5), WithFull(true)))
	grads, err := G.Grad(l, x, y, v)
	if err != nil {
		t.Fatal(err)
	}
	runGraph(t, g)
	half := 0.5 * math.Log(2*math.Pi)
	want := 0.5*(math.Log(4)+1.0/4) + 0.5*(math.Log(4)+4.0/4) + 0.5*(math.Log(0.5)+1/0.5) + 0.5*math.Log(0.5) + 4*half
	rtol, atol := golden.Tol(dt)
	if got := valueFloats(l.Value()); golden.Diff(got, []float64{want}, rtol, atol) >= 0 {
		t.Errorf("loss %v, want %v", got, want)
	}
	wantDx := []float64{1.0 / 4, 2.0 / 4, -1 / 0.5, 0}
	wantDv := []float64{0.5*(1.0/4-1.0/16) + 0.5*(1.0/4-4.0/16), 0.5*(1/0.5-1/0.25) + 0.5*(1/0.5)}
	if got := valueFloats(grads[0].Value()); golden.Diff(got, wantDx, rtol, atol) >= 0 {
		t.Errorf("d/dx %v, want %v", got, wantDx)
	}
	if got := valueFloats(grads[2].Value()); golden.Diff(got, wantDv, rtol, atol) >= 0 {
		t.Errorf("d/dvar %v, want %v", got, wantDv)
	}
}

func TestGaussianNLLErrors(t *testing.T) {
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float64, G.WithShape(3, 4), G.WithName("x"))
	y := G.NewMatrix(g, tensor.Float64, G.WithShape(3, 4), G.WithName("y"))
	for _, c := range []struct {
		vs   []int
		want string
	}{
		{[]int{4}, "variance has shape (4), want (3, 4), (3) or (3, 1)"},
		{[]int{3, 2}, "variance has shape (3, 2)"},
		{[]int{1, 4}, "variance has shape (1, 4)"},
	} {
		v := G.NewTensor(g, tensor.Float64, len(c.vs), G.WithShape(c.vs...))
		if _, err := GaussianNLL(x, y, v); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("variance %v: error %v, want %q", c.vs, err, c.want)
		}
	}
	v32 := G.NewMatrix(g, tensor.Float32, G.WithShape(3, 4), G.WithName("v32"))
	if _, err := GaussianNLL(x, y, v32); err == nil || !strings.Contains(err.Error(), "variance has dtype float32") {
		t.Errorf("float32 variance: %v", err)
	}
	// a negative variance is a run-time error naming it
	xv := tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{1, 2}))
	vv := tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{1, -0.5}))
	g = G.NewGraph()
	l := G.Must(GaussianNLL(G.NodeFromAny(g, xv, G.WithName("x")), G.NodeFromAny(g, xv.Clone(), G.WithName("y")), G.NodeFromAny(g, vv, G.WithName("v"))))
	_, err := l.Op().Do(xv, xv, vv)
	if want := "ops: GaussianNLL: variance[1] = -0.5 is negative"; err == nil || err.Error() != want {
		t.Errorf("negative variance: error %v, want %q", err, want)
	}
}
