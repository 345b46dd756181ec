package layers

import (
	"testing"

	"github.com/stheno-ml/stheno/graph"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// convSize is a convolution benchmark size (3×3 kernel, padding 1).
type convSize struct{ n, c, hw, o int }

// MNIST-like first convolution: batch 64, 1→32 channels, 28×28; and the second of
// models.MNISTCNN: 32→64 channels at 14×14.
var (
	benchConv  = convSize{64, 1, 28, 32}
	benchConv2 = convSize{64, 32, 14, 64}
)

func benchInput(dt tensor.Dtype, shape ...int) *tensor.Dense {
	rng := newTestRand(1)
	t := tensor.New(tensor.Of(dt), tensor.WithShape(shape...))
	switch d := t.Data().(type) {
	case []float64:
		for i := range d {
			d[i] = rng.NormFloat64()
		}
	case []float32:
		for i := range d {
			d[i] = float32(rng.NormFloat64())
		}
	}
	return t
}

// runBench runs forward and backward of the graph (loss = sum of y, by the test-only sumAll op, the
// same for every contender) b.N times.
func runBench(b *testing.B, g *gorgonia.ExprGraph, y *gorgonia.Node, wrt ...*gorgonia.Node) {
	loss, err := newSumAll(y)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := gorgonia.Grad(loss, wrt...); err != nil {
		b.Fatal(err)
	}
	vm := gorgonia.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil { // warm-up
		b.Fatal(err)
	}
	vm.Reset()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := vm.RunAll(); err != nil {
			b.Fatal(err)
		}
		vm.Reset()
	}
}

// Stheno's Conv2D: forward, and backward to the input, weight and bias.
func benchmarkConv2D(b *testing.B, dt tensor.Dtype, c convSize) {
	g := gorgonia.NewGraph()
	bd := graph.NewBuilder(g, graph.NewStore(dt, 1), true)
	x := gorgonia.NewTensor(g, dt, 4, gorgonia.WithShape(c.n, c.c, c.hw, c.hw), gorgonia.WithName("x"),
		gorgonia.WithValue(benchInput(dt, c.n, c.c, c.hw, c.hw)))
	y, err := Conv2D{In: c.c, Out: c.o, Kernel: 3, Padding: 1}.Forward(bd, x)
	if err != nil {
		b.Fatal(err)
	}
	runBench(b, g, y, append(gorgonia.Nodes{x}, bd.Learnables()...)...)
}

// What a Gorgonia user writes today: gorgonia.Conv2d plus a broadcast bias add.
func benchmarkGorgoniaConv2d(b *testing.B, dt tensor.Dtype, c convSize) {
	g := gorgonia.NewGraph()
	x := gorgonia.NewTensor(g, dt, 4, gorgonia.WithShape(c.n, c.c, c.hw, c.hw), gorgonia.WithName("x"),
		gorgonia.WithValue(benchInput(dt, c.n, c.c, c.hw, c.hw)))
	w := gorgonia.NewTensor(g, dt, 4, gorgonia.WithShape(c.o, c.c, 3, 3), gorgonia.WithName("w"),
		gorgonia.WithValue(benchInput(dt, c.o, c.c, 3, 3)))
	bias := gorgonia.NewTensor(g, dt, 4, gorgonia.WithShape(1, c.o, 1, 1), gorgonia.WithName("b"),
		gorgonia.WithValue(benchInput(dt, 1, c.o, 1, 1)))
	conv, err := gorgonia.Conv2d(x, w, tensor.Shape{3, 3}, []int{1, 1}, []int{1, 1}, []int{1, 1})
	if err != nil {
		b.Fatal(err)
	}
	y, err := gorgonia.BroadcastAdd(conv, bias, nil, []byte{0, 2, 3})
	if err != nil {
		b.Fatal(err)
	}
	runBench(b, g, y, x, w, bias)
}

func BenchmarkConv2DFwdBwd_Stheno_F32(b *testing.B) { benchmarkConv2D(b, tensor.Float32, benchConv) }
func BenchmarkConv2DFwdBwd_Gorgonia_F32(b *testing.B) {
	benchmarkGorgoniaConv2d(b, tensor.Float32, benchConv)
}
func BenchmarkConv2DFwdBwd_Stheno_F64(b *testing.B) { benchmarkConv2D(b, tensor.Float64, benchConv) }
func BenchmarkConv2DFwdBwd_Gorgonia_F64(b *testing.B) {
	benchmarkGorgoniaConv2d(b, tensor.Float64, benchConv)
}
func BenchmarkConv2D32to64FwdBwd_Stheno_F32(b *testing.B) {
	benchmarkConv2D(b, tensor.Float32, benchConv2)
}
func BenchmarkConv2D32to64FwdBwd_Gorgonia_F32(b *testing.B) {
	benchmarkGorgoniaConv2d(b, tensor.Float32, benchConv2)
}

// Max pooling 2×2 on the conv output (64, 32, 28, 28), forward and backward, vs gorgonia.MaxPool2D.
func BenchmarkMaxPoolFwdBwd_Stheno_F32(b *testing.B) {
	g := gorgonia.NewGraph()
	bd := graph.NewBuilder(g, graph.NewStore(tensor.Float32, 1), true)
	x := gorgonia.NewTensor(g, tensor.Float32, 4, gorgonia.WithShape(64, 32, 28, 28), gorgonia.WithName("x"),
		gorgonia.WithValue(benchInput(tensor.Float32, 64, 32, 28, 28)))
	y, err := MaxPool2D{Kernel: 2}.Forward(bd, x)
	if err != nil {
		b.Fatal(err)
	}
	runBench(b, g, y, x)
}

func BenchmarkMaxPoolFwdBwd_Gorgonia_F32(b *testing.B) {
	g := gorgonia.NewGraph()
	x := gorgonia.NewTensor(g, tensor.Float32, 4, gorgonia.WithShape(64, 32, 28, 28), gorgonia.WithName("x"),
		gorgonia.WithValue(benchInput(tensor.Float32, 64, 32, 28, 28)))
	y, err := gorgonia.MaxPool2D(x, tensor.Shape{2, 2}, []int{0, 0}, []int{2, 2})
	if err != nil {
		b.Fatal(err)
	}
	runBench(b, g, y, x)
}

// The layers of models.MNISTCNN (a LeNet-style CNN) on a batch of 64 float32 1×28×28 images:
// forward and backward to every parameter, as in one training step without the loss and solver.
func BenchmarkCNNStep_F32(b *testing.B) {
	m := Sequential{
		Conv2D{In: 1, Out: 32, Kernel: 3, Padding: 1}, ReLU{}, MaxPool2D{Kernel: 2},
		Conv2D{In: 32, Out: 64, Kernel: 3, Padding: 1}, ReLU{}, MaxPool2D{Kernel: 2},
		Flatten{}, Linear{In: 64 * 7 * 7, Out: 128}, ReLU{}, Dropout{}, Linear{In: 128, Out: 10},
	}
	g := gorgonia.NewGraph()
	bd := graph.NewBuilder(g, graph.NewStore(tensor.Float32, 1), true)
	x := gorgonia.NewTensor(g, tensor.Float32, 4, gorgonia.WithShape(64, 1, 28, 28), gorgonia.WithName("x"),
		gorgonia.WithValue(benchInput(tensor.Float32, 64, 1, 28, 28)))
	y, err := m.Forward(bd, x)
	if err != nil {
		b.Fatal(err)
	}
	runBench(b, g, y, bd.Learnables()...)
}

// Linear 784→128 on a batch of 64 (the MNIST MLP's first layer), forward and backward to input,
// weight and bias.
func benchmarkLinear(b *testing.B, dt tensor.Dtype) {
	g := gorgonia.NewGraph()
	bd := graph.NewBuilder(g, graph.NewStore(dt, 1), true)
	x := gorgonia.NewMatrix(g, dt, gorgonia.WithShape(64, 784), gorgonia.WithName("x"),
		gorgonia.WithValue(benchInput(dt, 64, 784)))
	y, err := Linear{In: 784, Out: 128}.Forward(bd, x)
	if err != nil {
		b.Fatal(err)
	}
	runBench(b, g, y, append(gorgonia.Nodes{x}, bd.Learnables()...)...)
}

// What a Gorgonia user writes: Mul(x, w) with w stored (784, 128), plus a broadcast bias add.
func benchmarkGorgoniaLinear(b *testing.B, dt tensor.Dtype) {
	g := gorgonia.NewGraph()
	x := gorgonia.NewMatrix(g, dt, gorgonia.WithShape(64, 784), gorgonia.WithName("x"),
		gorgonia.WithValue(benchInput(dt, 64, 784)))
	w := gorgonia.NewMatrix(g, dt, gorgonia.WithShape(784, 128), gorgonia.WithName("w"),
		gorgonia.WithValue(benchInput(dt, 784, 128)))
	bias := gorgonia.NewMatrix(g, dt, gorgonia.WithShape(1, 128), gorgonia.WithName("b"),
		gorgonia.WithValue(benchInput(dt, 1, 128)))
	xw, err := gorgonia.Mul(x, w)
	if err != nil {
		b.Fatal(err)
	}
	y, err := gorgonia.BroadcastAdd(xw, bias, nil, []byte{0})
	if err != nil {
		b.Fatal(err)
	}
	runBench(b, g, y, x, w, bias)
}

func BenchmarkLinearFwdBwd_Stheno_F32(b *testing.B)   { benchmarkLinear(b, tensor.Float32) }
func BenchmarkLinearFwdBwd_Gorgonia_F32(b *testing.B) { benchmarkGorgoniaLinear(b, tensor.Float32) }

// MobileNet-style separable convolution sizes (batch 32, 64 channels at 28×28, float32): the
// depthwise 3×3 (groups = channels) and the pointwise 1×1, forward and backward.
func benchmarkConvCfg(b *testing.B, l Conv2D, n, hw int) {
	g := gorgonia.NewGraph()
	bd := graph.NewBuilder(g, graph.NewStore(tensor.Float32, 1), true)
	x := gorgonia.NewTensor(g, tensor.Float32, 4, gorgonia.WithShape(n, l.In, hw, hw), gorgonia.WithName("x"),
		gorgonia.WithValue(benchInput(tensor.Float32, n, l.In, hw, hw)))
	y, err := l.Forward(bd, x)
	if err != nil {
		b.Fatal(err)
	}
	runBench(b, g, y, append(gorgonia.Nodes{x}, bd.Learnables()...)...)
}

func BenchmarkDepthwiseConvFwdBwd_Stheno_F32(b *testing.B) {
	benchmarkConvCfg(b, Conv2D{In: 64, Out: 64, Kernel: 3, Padding: 1, Groups: 64}, 32, 28)
}

func BenchmarkPointwiseConvFwdBwd_Stheno_F32(b *testing.B) {
	benchmarkConvCfg(b, Conv2D{In: 64, Out: 64, Kernel: 1}, 32, 28)
}
