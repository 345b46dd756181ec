package main

import (
	"math/rand/v2"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/stheno-ml/stheno/graph"
	"github.com/stheno-ml/stheno/layers"
)

// The layers rows (issue 12): MobileNet-v1-sized depthwise and pointwise convolutions, the two
// Conv2D shapes with paths of their own. Each call is one forward and backward pass (gradients of
// the input, weight and bias) for a fixed output gradient, float32, on a TapeMachine; the same as
// torch_layers.py's y = conv(x); y.backward(gy).
func init() {
	workloads["dwconv3x3_64x56"] = workload{3, 20, convSetup(convCfg{n: 8, c: 64, hw: 56, o: 64, k: 3, stride: 1, pad: 1, groups: 64})}
	workloads["dwconv3x3s2_64x56"] = workload{3, 40, convSetup(convCfg{n: 8, c: 64, hw: 56, o: 64, k: 3, stride: 2, pad: 1, groups: 64})}
	workloads["pwconv1x1_64to128x56"] = workload{3, 20, convSetup(convCfg{n: 8, c: 64, hw: 56, o: 128, k: 1, stride: 1, pad: 0, groups: 1})}
}

// convCfg is a Conv2D workload: batch n, c→o channels, hw×hw input, k×k kernel.
type convCfg struct{ n, c, hw, o, k, stride, pad, groups int }

func convSetup(cc convCfg) func() (func(), func()) {
	return func() (func(), func()) {
		r := rand.New(rand.NewPCG(4, 4))
		g := gorgonia.NewGraph()
		b := graph.NewBuilder(g, graph.NewStore(tensor.Float32, 1), true)
		xs := tensor.Shape{cc.n, cc.c, cc.hw, cc.hw}
		x := gorgonia.NewTensor(g, tensor.Float32, 4, gorgonia.WithShape(xs...), gorgonia.WithName("x"),
			gorgonia.WithValue(tensor.New(tensor.WithShape(xs...), tensor.WithBacking(randF32(r, xs.TotalSize())))))
		y, err := layers.Conv2D{In: cc.c, Out: cc.o, Kernel: cc.k, Stride: cc.stride, Padding: cc.pad, Groups: cc.groups}.Forward(b, x)
		must(err)
		ys := y.Shape().Clone()
		gy := gorgonia.NewTensor(g, tensor.Float32, 4, gorgonia.WithShape(ys...), gorgonia.WithName("gy"),
			gorgonia.WithValue(tensor.New(tensor.WithShape(ys...), tensor.WithBacking(randF32(r, ys.TotalSize())))))
		_, err = gorgonia.Backpropagate(gorgonia.Nodes{y}, gorgonia.Nodes{gy}, append(gorgonia.Nodes{x}, b.Learnables()...))
		must(err)
		vm := gorgonia.NewTapeMachine(g)
		return func() {
			must(vm.RunAll())
			vm.Reset()
		}, func() { vm.Close() }
	}
}
