package main

import (
	"math"
	"strconv"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/stheno-ml/stheno/graph"
)

// localMLP is a stand-in for models.MLP while the layers package is being written: the same
// parameters ("0.weight", "0.bias", "2.weight", ...) and PyTorch default initialisation.
type localMLP struct {
	sizes []int
	first int // index of the first layer in the Sequential
}

func (m localMLP) Forward(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	h := x
	for i := 0; i+1 < len(m.sizes); i++ {
		in, out := m.sizes[i], m.sizes[i+1]
		s := b.Scope(strconv.Itoa(m.first + 2*i))
		bound := 1 / math.Sqrt(float64(in))
		w, err := s.Param("weight", tensor.Shape{out, in}, graph.KaimingUniform(math.Sqrt(5)))
		if err != nil {
			return nil, err
		}
		bias, err := s.Param("bias", tensor.Shape{out}, graph.Uniform(-bound, bound))
		if err != nil {
			return nil, err
		}
		wt, err := gorgonia.Transpose(w)
		if err != nil {
			return nil, err
		}
		if h, err = gorgonia.Mul(h, wt); err != nil {
			return nil, err
		}
		if h, err = gorgonia.BroadcastAdd(h, bias, nil, []byte{0}); err != nil {
			return nil, err
		}
		if i+2 < len(m.sizes) {
			if h, err = gorgonia.Rectify(h); err != nil {
				return nil, err
			}
		}
	}
	return h, nil
}
