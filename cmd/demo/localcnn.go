package main

import (
	"math"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/stheno-ml/stheno/graph"
)

// localCNN is a stand-in for models.CNN while layers are being written:
// conv(1→c1, k×k, same) ReLU maxpool2 → conv(c1→c2) ReLU maxpool2 → flatten → linear(→hidden) ReLU → linear(→classes).
// Parameter names follow the torch.nn.Sequential equivalent.
type localCNN struct {
	c1, c2, k, hidden, classes, rows, cols int
}

func (m localCNN) conv(b *graph.Builder, x *gorgonia.Node, idx string, in, out int) (*gorgonia.Node, error) {
	s := b.Scope(idx)
	fanIn := float64(in * m.k * m.k)
	w, err := s.Param("weight", tensor.Shape{out, in, m.k, m.k}, graph.KaimingUniform(math.Sqrt(5)))
	if err != nil {
		return nil, err
	}
	bias, err := s.Param("bias", tensor.Shape{out}, graph.Uniform(-1/math.Sqrt(fanIn), 1/math.Sqrt(fanIn)))
	if err != nil {
		return nil, err
	}
	p := m.k / 2
	h, err := gorgonia.Conv2d(x, w, tensor.Shape{m.k, m.k}, []int{p, p}, []int{1, 1}, []int{1, 1})
	if err != nil {
		return nil, err
	}
	b4, err := gorgonia.Reshape(bias, tensor.Shape{1, out, 1, 1})
	if err != nil {
		return nil, err
	}
	if h, err = gorgonia.BroadcastAdd(h, b4, nil, []byte{0, 2, 3}); err != nil {
		return nil, err
	}
	if h, err = gorgonia.Rectify(h); err != nil {
		return nil, err
	}
	return gorgonia.MaxPool2D(h, tensor.Shape{2, 2}, []int{0, 0}, []int{2, 2})
}

func (m localCNN) Forward(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	h, err := m.conv(b, x, "0", 1, m.c1)
	if err != nil {
		return nil, err
	}
	if h, err = m.conv(b, h, "3", m.c1, m.c2); err != nil {
		return nil, err
	}
	n := x.Shape()[0]
	flat := m.c2 * (m.rows / 4) * (m.cols / 4)
	if h, err = gorgonia.Reshape(h, tensor.Shape{n, flat}); err != nil {
		return nil, err
	}
	return localMLP{sizes: []int{flat, m.hidden, m.classes}, first: 7}.Forward(b, h)
}
