package graph

import (
	"math"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestEvaluatorSharesWeights checks an evaluator built before training sees the trained weights
// (no copy), pads a small batch, and does not change the weights itself.
func TestEvaluatorSharesWeights(t *testing.T) {
	s := NewStore(tensor.Float64, 1)
	m := seq{lin{2, 3}, tanh{}, lin{3, 1}}
	ev, err := NewEvaluator(m, s, tensor.Shape{5, 2})
	if err != nil {
		t.Fatal(err)
	}
	defer ev.Close()
	tr, err := NewTrainer(m, s, tensor.Shape{3, 2}, tensor.Float64, tensor.Shape{3, 1}, mse,
		gorgonia.NewVanillaSolver(gorgonia.WithLearnRate(0.1)))
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if s.Len() != 4 {
		t.Fatalf("store has %d tensors, want 4", s.Len())
	}
	x := dense64(tensor.Shape{3, 2}, 1, 2, -1, 0.5, 0, 3)
	y := dense64(tensor.Shape{3, 1}, 1, -2, 0.5)
	before, err := ev.Forward(x)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		if _, err := tr.Step(x, y); err != nil {
			t.Fatal(err)
		}
	}
	after, err := ev.Forward(x)
	if err != nil {
		t.Fatal(err)
	}
	if !after.Shape().Eq(tensor.Shape{3, 1}) {
		t.Fatalf("output shape %v, want (3, 1)", after.Shape())
	}
	want := manualForward(t, s, x.Data().([]float64), 3)
	got := after.Data().([]float64)
	changed := false
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-12 {
			t.Errorf("eval output[%d] = %g, want %g from the store's weights", i, got[i], want[i])
		}
		if got[i] != before.Data().([]float64)[i] {
			changed = true
		}
	}
	if !changed {
		t.Error("training did not change the evaluator's output")
	}
	// repeated forward passes give identical results, and earlier results are not overwritten
	gotCopy := append([]float64(nil), got...)
	again, err := ev.Forward(x)
	if err != nil {
		t.Fatal(err)
	}
	for i := range got {
		if again.Data().([]float64)[i] != got[i] {
			t.Fatal("second Forward differs")
		}
	}
	// the full batch gives the same rows
	full := dense64(tensor.Shape{5, 2}, append(append([]float64(nil), x.Data().([]float64)...), 7, 7, 8, 8)...)
	fo, err := ev.Forward(full)
	if err != nil {
		t.Fatal(err)
	}
	for i := range got {
		if got[i] != gotCopy[i] {
			t.Fatal("a later Forward changed an earlier result")
		}
		if fo.Data().([]float64)[i] != got[i] {
			t.Errorf("full batch row %d = %g, padded batch %g", i, fo.Data().([]float64)[i], got[i])
		}
	}
}

// manualForward computes lin-tanh-lin from the store's weights in plain Go.
func manualForward(t *testing.T, s *Store, x []float64, n int) []float64 {
	get := func(name string) []float64 {
		v, ok := s.Get(name)
		if !ok {
			t.Fatalf("no %s", name)
		}
		return v.Data().([]float64)
	}
	w0, b0, w2, b2 := get("0.weight"), get("0.bias"), get("2.weight"), get("2.bias")
	out := make([]float64, n)
	for i := 0; i < n; i++ {
		o := b2[0]
		for j := 0; j < 3; j++ {
			h := b0[j] + w0[2*j]*x[2*i] + w0[2*j+1]*x[2*i+1]
			o += w2[j] * math.Tanh(h)
		}
		out[i] = o
	}
	return out
}

func TestEvaluatorErrors(t *testing.T) {
	s := NewStore(tensor.Float32, 1)
	ev, err := NewEvaluator(lin{2, 1}, s, tensor.Shape{4, 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		x   tensor.Tensor
		msg string
	}{
		{tensor.New(tensor.WithShape(4, 2), tensor.Of(tensor.Float64)), "dtype float64"},
		{tensor.New(tensor.WithShape(5, 2), tensor.Of(tensor.Float32)), "shape (5, 2)"},
		{tensor.New(tensor.WithShape(4, 3), tensor.Of(tensor.Float32)), "shape (4, 3)"},
		{tensor.New(tensor.WithShape(8), tensor.Of(tensor.Float32)), "shape (8)"},
		{nil, "nil"},
	} {
		if _, err := ev.Forward(c.x); err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("want error containing %q, got %v", c.msg, err)
		}
	}
	out, err := ev.Forward(tensor.New(tensor.WithShape(1, 2), tensor.Of(tensor.Float32)))
	if err != nil || !out.Shape().Eq(tensor.Shape{1, 1}) {
		t.Errorf("batch of 1: %v, %v", out, err)
	}
	ev.Close()
	if _, err := ev.Forward(tensor.New(tensor.WithShape(4, 2), tensor.Of(tensor.Float32))); err == nil {
		t.Error("Forward after Close: no error")
	}
	if _, err := NewEvaluator(lin{3, 1}, s, tensor.Shape{4, 2}); err == nil {
		t.Error("model shape mismatch: no error")
	}
}
