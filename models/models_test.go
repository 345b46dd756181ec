package models

import (
	"fmt"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/stheno-ml/stheno/graph"
	"github.com/stheno-ml/stheno/layers"
)

// describe builds m at input shape x and returns "name shape" for every store tensor, and the
// number of parameters.
func describe(t *testing.T, m graph.Module, x tensor.Shape, dt tensor.Dtype) (string, int, tensor.Shape) {
	t.Helper()
	s := graph.NewStore(dt, 1)
	ev, err := graph.NewEvaluator(m, s, x)
	if err != nil {
		t.Fatal(err)
	}
	defer ev.Close()
	var parts []string
	n := 0
	for _, name := range s.Names() {
		v, _ := s.Get(name)
		parts = append(parts, fmt.Sprintf("%s%v", name, v.Shape()))
		n += v.Shape().TotalSize()
	}
	out, err := ev.Forward(tensor.New(tensor.Of(dt), tensor.WithShape(x...)))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(parts, " "), n, out.Shape()
}

func TestMLPNames(t *testing.T) {
	for _, c := range []struct {
		m     graph.Module
		names string
	}{
		{MLP(784, []int{128}, 10, layers.ReLU{}), "0.weight(128, 784) 0.bias(128) 2.weight(10, 128) 2.bias(10)"},
		{MLP(5, []int{4, 3}, 2, layers.Tanh{}), "0.weight(4, 5) 0.bias(4) 2.weight(3, 4) 2.bias(3) 4.weight(2, 3) 4.bias(2)"},
		{MLP(5, nil, 2, layers.ReLU{}), "0.weight(2, 5) 0.bias(2)"},
		{MLP(5, []int{4}, 2, nil), "0.weight(4, 5) 0.bias(4) 1.weight(2, 4) 1.bias(2)"},
	} {
		in := c.m.(layers.Sequential)[0].(layers.Linear).In
		names, _, out := describe(t, c.m, tensor.Shape{3, in}, tensor.Float32)
		if names != c.names {
			t.Errorf("names %q, want %q", names, c.names)
		}
		if out[0] != 3 || out[1] != c.m.(layers.Sequential)[len(c.m.(layers.Sequential))-1].(layers.Linear).Out {
			t.Errorf("output shape %v", out)
		}
	}
}
