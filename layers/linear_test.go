package layers

import (
	"strings"
	"testing"

	"github.com/stheno-ml/stheno/graph"
	"github.com/stheno-ml/stheno/internal/golden"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func TestLinearGolden(t *testing.T) { runGoldenFile(t, "linear.json") }

func TestLinearGradCheck(t *testing.T) {
	gradCheck(t, Linear{In: 5, Out: 3}, true, tensor.Shape{4, 5}, 1)
	gradCheck(t, Linear{In: 4, Out: 2, NoBias: true}, true, tensor.Shape{3, 4}, 2)
}

// buildErr builds m on an input of the given shape and dtype and returns the error.
func buildErr(m graph.Module, dt tensor.Dtype, shape ...int) error {
	return buildOn(m, tensor.Float64, dt, shape...)
}

// buildErrStore is buildErr with a store of the input's dtype.
func buildErrStore(m graph.Module, dt tensor.Dtype, shape ...int) error {
	return buildOn(m, dt, dt, shape...)
}

func buildOn(m graph.Module, storeDt, dt tensor.Dtype, shape ...int) error {
	g := gorgonia.NewGraph()
	b := graph.NewBuilder(g, graph.NewStore(storeDt, 1), true)
	x := gorgonia.NewTensor(g, dt, len(shape), gorgonia.WithShape(shape...), gorgonia.WithName("x"))
	_, err := m.Forward(b, x)
	return err
}

func wantErr(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one containing %q", want)
	}
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("error %q does not contain %q", err, want)
	}
}

func TestLinearShapeErrors(t *testing.T) {
	m := Sequential{Linear{In: 784, Out: 100}, ReLU{}, Linear{In: 784, Out: 10}}
	wantErr(t, buildErr(m, tensor.Float64, 8, 784), `layers: Linear "2": input has 100 features, want 784`)
	wantErr(t, buildErr(Linear{In: 3, Out: 2}, tensor.Float64, 8, 4), "Linear: input has 4 features, want 3")
	wantErr(t, buildErr(Linear{In: 3, Out: 2}, tensor.Float64, 2, 3, 4), "want (N, 3)")
	wantErr(t, buildErr(Linear{In: 3, Out: 2}, tensor.Float32, 2, 3), "dtype float32, want float64")
	wantErr(t, buildErr(Linear{In: 0, Out: 2}, tensor.Float64, 2, 3), "must be positive")
}

func TestLinearInit(t *testing.T) {
	g := gorgonia.NewGraph()
	s := graph.NewStore(tensor.Float64, 3)
	b := graph.NewBuilder(g, s, true)
	x := gorgonia.NewTensor(g, tensor.Float64, 2, gorgonia.WithShape(2, 400), gorgonia.WithName("x"))
	if _, err := (Linear{In: 400, Out: 50}).Forward(b, x); err != nil {
		t.Fatal(err)
	}
	if got := s.Names(); len(got) != 2 || got[0] != "weight" || got[1] != "bias" {
		t.Fatalf("names %v", got)
	}
	bound := 1 / 20.0
	for _, name := range []string{"weight", "bias"} {
		v, _ := s.Get(name)
		var maxAbs float64
		for _, f := range v.Data().([]float64) {
			if f < -bound || f > bound {
				t.Fatalf("%s value %v outside ±%v", name, f, bound)
			}
			maxAbs = max(maxAbs, f, -f)
		}
		if maxAbs < 0.9*bound {
			t.Errorf("%s: max |value| %v, want close to %v", name, maxAbs, bound)
		}
	}
	w, _ := s.Get("weight")
	if !w.Shape().Eq(tensor.Shape{50, 400}) {
		t.Errorf("weight shape %v", w.Shape())
	}
}

// A lazily transposed input (gorgonia.Transpose) gives the same result as the plain matrix.
func TestLinearTransposedInput(t *testing.T) {
	rng := newTestRand(12)
	xt := randDense(rng, tensor.Shape{5, 3}) // the transpose of the (3, 5) input
	plain := tensor.New(tensor.WithShape(3, 5), tensor.WithBacking(make([]float64, 15)))
	for i := 0; i < 3; i++ {
		for j := 0; j < 5; j++ {
			plain.Float64s()[i*5+j] = xt.Float64s()[j*3+i]
		}
	}
	run := func(transposed bool) []float64 {
		g := gorgonia.NewGraph()
		b := graph.NewBuilder(g, graph.NewStore(tensor.Float64, 1), false)
		var x *gorgonia.Node
		if transposed {
			n := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(5, 3), gorgonia.WithName("xt"), gorgonia.WithValue(xt))
			x = gorgonia.Must(gorgonia.Transpose(n))
		} else {
			x = gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(3, 5), gorgonia.WithName("x"), gorgonia.WithValue(plain))
		}
		y, err := (Linear{In: 5, Out: 2}).Forward(b, x)
		if err != nil {
			t.Fatal(err)
		}
		vm := gorgonia.NewTapeMachine(g)
		defer vm.Close()
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		return float64s(y.Value())
	}
	a, c := run(false), run(true)
	if err := golden.Close(c, a, tensor.Float64); err != nil {
		t.Fatalf("transposed input: %v, plain: %v", c, a)
	}
}
