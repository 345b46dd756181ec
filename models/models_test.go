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

// tinyCNN is the small CNN of the PyTorch cross-check (tools/golden/checkpoint.py).
var tinyCNN = CNNConfig{InChannels: 1, Size: 8, Channels: [2]int{2, 4}, Hidden: 8, Classes: 3, Dropout: 0.5}

func TestCNNNames(t *testing.T) {
	names, n, out := describe(t, CNN(MNISTCNN), tensor.Shape{2, 1, 28, 28}, tensor.Float32)
	want := "0.weight(32, 1, 3, 3) 0.bias(32) 3.weight(64, 32, 3, 3) 3.bias(64) 7.weight(128, 3136) 7.bias(128) 10.weight(10, 128) 10.bias(10)"
	if names != want {
		t.Errorf("names %q, want %q", names, want)
	}
	if n != 421642 {
		t.Errorf("%d parameters, want 421642 (as torch)", n)
	}
	if !out.Eq(tensor.Shape{2, 10}) {
		t.Errorf("output shape %v", out)
	}
	if _, _, out := describe(t, CNN(tinyCNN), tensor.Shape{3, 1, 8, 8}, tensor.Float64); !out.Eq(tensor.Shape{3, 3}) {
		t.Errorf("tiny CNN output shape %v", out)
	}
	// Without Dropout the last Linear is layer 9, as in the demo's torch.nn.Sequential.
	noDrop := CNNConfig{InChannels: 1, Size: 28, Channels: [2]int{16, 32}, Hidden: 128, Classes: 10, NoDropout: true}
	names, n, _ = describe(t, CNN(noDrop), tensor.Shape{2, 1, 28, 28}, tensor.Float32)
	want = "0.weight(16, 1, 3, 3) 0.bias(16) 3.weight(32, 16, 3, 3) 3.bias(32) 7.weight(128, 1568) 7.bias(128) 9.weight(10, 128) 9.bias(10)"
	if names != want || n != 206922 {
		t.Errorf("NoDropout: names %q (%d parameters), want %q (206922)", names, n, want)
	}
}

func TestCNNInvalidConfig(t *testing.T) {
	for _, c := range []CNNConfig{
		{InChannels: 1, Size: 30, Channels: [2]int{2, 4}, Hidden: 8, Classes: 3},
		{InChannels: 1, Size: 28, Channels: [2]int{0, 4}, Hidden: 8, Classes: 3},
		{InChannels: 1, Size: 28, Channels: [2]int{2, 4}, Hidden: 8, Classes: 3, Dropout: 1},
		{InChannels: 1, Size: 28, Channels: [2]int{2, 4}, Hidden: 8, Classes: 3, Dropout: 0.5, NoDropout: true},
		{},
	} {
		_, err := graph.NewEvaluator(CNN(c), graph.NewStore(tensor.Float32, 1), tensor.Shape{1, 1, 28, 28})
		if err == nil || !strings.Contains(err.Error(), "invalid CNNConfig") {
			t.Errorf("%+v: err = %v", c, err)
		}
	}
}
