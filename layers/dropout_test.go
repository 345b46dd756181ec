package layers

import (
	"math"
	"testing"

	"github.com/stheno-ml/stheno/graph"
	"github.com/stheno-ml/stheno/internal/num"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// dropoutRun builds Dropout{P: p} in training mode on an all-ones input and returns a function that
// runs the graph and returns the output and the input gradient of sum(out * r) for r = 2.
func dropoutRun(t *testing.T, dt tensor.Dtype, p float64, seed int64, n int) func() (out, grad []float64) {
	return dropoutRunModule(t, Dropout{P: Set(p)}, dt, seed, n)
}

// dropoutRunModule is dropoutRun for any Dropout.
func dropoutRunModule(t *testing.T, d Dropout, dt tensor.Dtype, seed int64, n int) func() (out, grad []float64) {
	g := gorgonia.NewGraph()
	b := graph.NewBuilder(g, graph.NewStore(dt, seed), true)
	ones := tensor.New(tensor.Of(dt), tensor.WithShape(n))
	twos := tensor.New(tensor.Of(dt), tensor.WithShape(n))
	for i := 0; i < n; i++ {
		ones.Set(i, castTo(dt, 1))
		twos.Set(i, castTo(dt, 2))
	}
	x := gorgonia.NewTensor(g, dt, 1, gorgonia.WithShape(n), gorgonia.WithName("x"), gorgonia.WithValue(ones))
	y, err := d.Forward(b, x)
	if err != nil {
		t.Fatal(err)
	}
	r := gorgonia.NewTensor(g, dt, 1, gorgonia.WithShape(n), gorgonia.WithName("r"), gorgonia.WithValue(twos))
	loss := gorgonia.Must(gorgonia.Sum(gorgonia.Must(gorgonia.HadamardProd(y, r))))
	gs, err := gorgonia.Grad(loss, x)
	if err != nil {
		t.Fatal(err)
	}
	vm := gorgonia.NewTapeMachine(g)
	t.Cleanup(func() { vm.Close() })
	return func() ([]float64, []float64) {
		vm.Reset()
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		return float64s(y.Value()), float64s(gs[0].Value())
	}
}

func castTo(dt tensor.Dtype, v float64) interface{} {
	if dt == tensor.Float32 {
		return float32(v)
	}
	return v
}

func TestDropoutTrain(t *testing.T) {
	t.Run("float32", testDropoutTrain[float32])
	t.Run("float64", testDropoutTrain[float64])
}

func testDropoutTrain[T num.Float](t *testing.T) {
	dt := num.Dtype[T]()
	{
		for _, p := range []float64{0.1, 0.5, 0.8} {
			const n = 20000
			run := dropoutRun(t, dt, p, 11, n)
			out1, grad1 := run()
			out2, _ := run()
			scale := 1 / (1 - p)
			zeros, same := 0, 0
			for i := range out1 {
				switch {
				case out1[i] == 0:
					zeros++
					if grad1[i] != 0 {
						t.Fatalf("dropped element %d has gradient %v", i, grad1[i])
					}
				case math.Abs(out1[i]-scale) < 1e-6*scale:
					if math.Abs(grad1[i]-2*scale) > 1e-5*scale {
						t.Fatalf("kept element %d has gradient %v, want %v", i, grad1[i], 2*scale)
					}
				default:
					t.Fatalf("element %d is %v, want 0 or %v", i, out1[i], scale)
				}
				if (out1[i] == 0) == (out2[i] == 0) {
					same++
				}
			}
			// Fraction zeroed ≈ p (5 standard deviations).
			frac := float64(zeros) / n
			if sd := math.Sqrt(p * (1 - p) / n); math.Abs(frac-p) > 5*sd {
				t.Errorf("%v p=%v: fraction zeroed %v", dt, p, frac)
			}
			// A new mask each run: two independent masks agree on p²+(1-p)² of the elements.
			if agree := float64(same) / n; math.Abs(agree-(p*p+(1-p)*(1-p))) > 0.03 {
				t.Errorf("%v p=%v: masks of two runs agree on %v of elements", dt, p, agree)
			}
		}
	}
}

func TestDropoutReproducible(t *testing.T) {
	a, b, c := dropoutRun(t, tensor.Float64, 0.5, 3, 500), dropoutRun(t, tensor.Float64, 0.5, 3, 500), dropoutRun(t, tensor.Float64, 0.5, 4, 500)
	for run := 0; run < 3; run++ {
		oa, _ := a()
		ob, _ := b()
		oc, _ := c()
		diff := 0
		for i := range oa {
			if oa[i] != ob[i] {
				t.Fatalf("run %d: same seed gives different masks at %d", run, i)
			}
			if oa[i] != oc[i] {
				diff++
			}
		}
		if diff == 0 {
			t.Fatalf("run %d: different seeds give the same mask", run)
		}
	}
}

func TestDropoutEvalIsIdentity(t *testing.T) {
	g := gorgonia.NewGraph()
	b := graph.NewBuilder(g, graph.NewStore(tensor.Float64, 1), false)
	x := gorgonia.NewTensor(g, tensor.Float64, 2, gorgonia.WithShape(2, 3), gorgonia.WithName("x"))
	y, err := Dropout{}.Forward(b, x)
	if err != nil {
		t.Fatal(err)
	}
	if y != x {
		t.Fatal("eval-mode dropout is not the identity")
	}
	wantErr(t, buildErr(Dropout{P: Set(1.5)}, tensor.Float64, 2, 3), "Dropout: probability P=1.5 is outside [0, 1]")
	wantErr(t, buildErr(Dropout{P: Set(math.NaN())}, tensor.Float64, 2, 3), "outside [0, 1]")
}

func TestDropoutAll(t *testing.T) {
	out, grad := dropoutRun(t, tensor.Float64, 1, 1, 100)()
	for i := range out {
		if out[i] != 0 || grad[i] != 0 {
			t.Fatalf("p=1: element %d is %v with gradient %v", i, out[i], grad[i])
		}
	}
}
