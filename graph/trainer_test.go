package graph

import (
	"math"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/stheno-ml/stheno/ops"
	"github.com/stheno-ml/stheno/solvers"
)

// recorder is a solver that records the gradients it is given and updates nothing.
type recorder struct{ grads [][][]float64 }

func (r *recorder) Step(model []gorgonia.ValueGrad) error {
	var step [][]float64
	for _, vg := range model {
		g, err := vg.Grad()
		if err != nil {
			return err
		}
		step = append(step, append([]float64(nil), g.Data().([]float64)...))
	}
	r.grads = append(r.grads, step)
	return nil
}

// mse is a hand-written loss: mean((out - y)²).
func mse(out, y *gorgonia.Node) (*gorgonia.Node, error) {
	d, err := gorgonia.Sub(out, y)
	if err != nil {
		return nil, err
	}
	sq, err := gorgonia.Square(d)
	if err != nil {
		return nil, err
	}
	return gorgonia.Mean(sq)
}

func dense64(shape tensor.Shape, v ...float64) *tensor.Dense {
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
}

// TestTrainerGradientsNotAccumulated checks the gradients of two steps on the same data (with a
// solver that changes nothing) are identical and equal the analytic gradient of the MSE loss.
func TestTrainerGradientsNotAccumulated(t *testing.T) {
	s := NewStore(tensor.Float64, 1)
	rec := &recorder{}
	tr, err := NewTrainer(lin{2, 1}, s, tensor.Shape{3, 2}, tensor.Float64, tensor.Shape{3, 1}, mse, rec)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	x := dense64(tensor.Shape{3, 2}, 1, 2, -1, 0.5, 0, 3)
	y := dense64(tensor.Shape{3, 1}, 1, -2, 0.5)
	var losses [2]float64
	for i := range losses {
		if losses[i], err = tr.Step(x, y); err != nil {
			t.Fatal(err)
		}
	}
	w, _ := s.Get("weight")
	bv, _ := s.Get("bias")
	wd, bd := w.Data().([]float64), bv.Data().([]float64)
	xd, yd := x.Data().([]float64), y.Data().([]float64)
	var gw [2]float64
	var gb, loss float64
	for i := 0; i < 3; i++ {
		r := wd[0]*xd[2*i] + wd[1]*xd[2*i+1] + bd[0] - yd[i]
		loss += r * r / 3
		gw[0] += 2 * r * xd[2*i] / 3
		gw[1] += 2 * r * xd[2*i+1] / 3
		gb += 2 * r / 3
	}
	if math.Abs(losses[0]-loss) > 1e-12 || losses[0] != losses[1] {
		t.Errorf("losses %v, want %g twice", losses, loss)
	}
	if len(rec.grads) != 2 {
		t.Fatalf("%d solver steps", len(rec.grads))
	}
	for step, g := range rec.grads {
		if math.Abs(g[0][0]-gw[0]) > 1e-12 || math.Abs(g[0][1]-gw[1]) > 1e-12 || math.Abs(g[1][0]-gb) > 1e-12 {
			t.Errorf("step %d: grads %v, want weight %v bias %g", step, g, gw, gb)
		}
	}
	out := tr.Output().Data().([]float64)
	for i := 0; i < 3; i++ {
		if want := wd[0]*xd[2*i] + wd[1]*xd[2*i+1] + bd[0]; math.Abs(out[i]-want) > 1e-12 {
			t.Errorf("Output[%d] = %g, want %g", i, out[i], want)
		}
	}
}

func TestTrainerFeedErrors(t *testing.T) {
	s := NewStore(tensor.Float32, 1)
	tr, err := NewTrainer(lin{2, 1}, s, tensor.Shape{3, 2}, tensor.Float32, tensor.Shape{3, 1}, mse, gorgonia.NewVanillaSolver())
	if err != nil {
		t.Fatal(err)
	}
	x := tensor.New(tensor.WithShape(3, 2), tensor.Of(tensor.Float32))
	y := tensor.New(tensor.WithShape(3, 1), tensor.Of(tensor.Float32))
	for _, c := range []struct {
		x, y tensor.Tensor
		msg  string
	}{
		{tensor.New(tensor.WithShape(3, 2), tensor.Of(tensor.Float64)), y, `"x": dtype float64`},
		{tensor.New(tensor.WithShape(2, 2), tensor.Of(tensor.Float32)), y, `"x": shape (2, 2)`},
		{x, tensor.New(tensor.WithShape(3), tensor.Of(tensor.Float32)), `"y": shape (3)`},
		{x, nil, `"y": nil`},
	} {
		if _, err := tr.Step(c.x, c.y); err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("want error containing %q, got %v", c.msg, err)
		}
	}
	if _, err := tr.Step(x, y); err != nil {
		t.Errorf("valid step after errors: %v", err)
	}
	tr.Close()
	if _, err := tr.Step(x, y); err == nil {
		t.Error("Step after Close: no error")
	}
}

func TestNewTrainerErrors(t *testing.T) {
	s := NewStore(tensor.Float64, 1)
	sv := gorgonia.NewVanillaSolver()
	sum := func(out, y *gorgonia.Node) (*gorgonia.Node, error) { return gorgonia.Sub(out, y) }
	for name, f := range map[string]func() error{
		"non-scalar loss": func() error {
			_, err := NewTrainer(lin{2, 1}, s, tensor.Shape{3, 2}, tensor.Float64, tensor.Shape{3, 1}, sum, sv)
			return err
		},
		"shape mismatch in model": func() error {
			_, err := NewTrainer(lin{5, 1}, NewStore(tensor.Float64, 1), tensor.Shape{3, 2}, tensor.Float64, tensor.Shape{3, 1}, mse, sv)
			return err
		},
		"no parameters": func() error {
			_, err := NewTrainer(tanh{}, s, tensor.Shape{3, 1}, tensor.Float64, tensor.Shape{3, 1}, mse, sv)
			return err
		},
		"nil model": func() error {
			_, err := NewTrainer(nil, s, tensor.Shape{3, 1}, tensor.Float64, tensor.Shape{3, 1}, mse, sv)
			return err
		},
		"empty x shape": func() error {
			_, err := NewTrainer(lin{2, 1}, s, tensor.Shape{}, tensor.Float64, tensor.Shape{3, 1}, mse, sv)
			return err
		},
		"panicking model": func() error {
			tr, err := NewTrainer(panicky{}, s, tensor.Shape{3, 2}, tensor.Float64, tensor.Shape{3, 1}, mse, sv)
			if tr != nil {
				t.Error("non-nil Trainer with an error")
			}
			if err != nil && !strings.Contains(err.Error(), "boom") {
				t.Errorf("panic message lost: %v", err)
			}
			return err
		},
		"nil solver": func() error {
			_, err := NewTrainer(lin{2, 1}, s, tensor.Shape{3, 2}, tensor.Float64, tensor.Shape{3, 1}, mse, nil)
			return err
		},
	} {
		if err := f(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// xorData returns the four XOR points and their classes.
func xorData(dt tensor.Dtype) (x, y *tensor.Dense) {
	xs := []float64{0, 0, 0, 1, 1, 0, 1, 1}
	if dt == tensor.Float32 {
		f := make([]float32, len(xs))
		for i, v := range xs {
			f[i] = float32(v)
		}
		x = tensor.New(tensor.WithShape(4, 2), tensor.WithBacking(f))
	} else {
		x = tensor.New(tensor.WithShape(4, 2), tensor.WithBacking(xs))
	}
	return x, tensor.New(tensor.WithShape(4), tensor.WithBacking([]int64{0, 1, 1, 0}))
}

func crossEntropy(out, y *gorgonia.Node) (*gorgonia.Node, error) { return ops.CrossEntropy(out, y) }

// TestXOR trains a 2-8-2 tanh network with ops.CrossEntropy and solvers.Adam, in float32 and
// float64, and checks it classifies all four points, both in the trainer's output and through an
// Evaluator that shares the weights.
func TestXOR(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		s := NewStore(dt, 42)
		m := seq{lin{2, 8}, tanh{}, lin{8, 2}}
		adam, err := solvers.NewAdam(solvers.WithLearnRate(0.05))
		if err != nil {
			t.Fatal(err)
		}
		tr, err := NewTrainer(m, s, tensor.Shape{4, 2}, tensor.Int64, tensor.Shape{4}, crossEntropy, adam)
		if err != nil {
			t.Fatal(err)
		}
		x, y := xorData(dt)
		var first, loss float64
		for i := 0; i < 300; i++ {
			if loss, err = tr.Step(x, y); err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				first = loss
			}
		}
		tr.Close()
		if loss > 0.01 || first < 0.5 {
			t.Errorf("%v: loss %g -> %g, want from ≈ln 2 to < 0.01", dt, first, loss)
		}
		ev, err := NewEvaluator(m, s, tensor.Shape{4, 2})
		if err != nil {
			t.Fatal(err)
		}
		out, err := ev.Forward(x)
		if err != nil {
			t.Fatal(err)
		}
		ev.Close()
		for i, want := range y.Data().([]int64) {
			a, _ := out.At(i, 0)
			b, _ := out.At(i, 1)
			if pred := map[bool]int64{true: 1, false: 0}[toF(b) > toF(a)]; pred != want {
				t.Errorf("%v: point %d classified %d, want %d", dt, i, pred, want)
			}
		}
	}
}

func toF(v interface{}) float64 {
	switch v := v.(type) {
	case float32:
		return float64(v)
	case float64:
		return v
	}
	panic(v)
}

// TestOverfitBatch checks a 10-32-32-3 MLP drives the loss on one fixed random batch to near zero.
func TestOverfitBatch(t *testing.T) {
	s := NewStore(tensor.Float64, 7)
	m := seq{lin{10, 32}, tanh{}, lin{32, 32}, tanh{}, lin{32, 3}}
	adam, err := solvers.NewAdam(solvers.WithLearnRate(0.01))
	if err != nil {
		t.Fatal(err)
	}
	tr, err := NewTrainer(m, s, tensor.Shape{16, 10}, tensor.Int64, tensor.Shape{16}, crossEntropy, adam)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	rng := NewBuilder(gorgonia.NewGraph(), NewStore(tensor.Float64, 99), false).Rand()
	xs := make([]float64, 160)
	for i := range xs {
		xs[i] = rng.NormFloat64()
	}
	ys := make([]int64, 16)
	for i := range ys {
		ys[i] = int64(rng.Intn(3))
	}
	x := dense64(tensor.Shape{16, 10}, xs...)
	y := tensor.New(tensor.WithShape(16), tensor.WithBacking(ys))
	var loss float64
	for i := 0; i < 300; i++ {
		if loss, err = tr.Step(x, y); err != nil {
			t.Fatal(err)
		}
	}
	if loss > 1e-3 {
		t.Errorf("loss after 300 steps %g, want < 1e-3", loss)
	}
}

// panicky is a module whose Forward panics, like a Gorgonia op given impossible shapes.
type panicky struct{}

func (panicky) Forward(*Builder, *gorgonia.Node) (*gorgonia.Node, error) { panic("boom") }
