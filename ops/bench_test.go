package ops

import (
	"fmt"
	"math/rand"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Benchmarks of CrossEntropy forward+backward (float32, mean over class
// indices) next to the loss Gorgonia users compose today:
// Neg(Mean(HadamardProd(Log(SoftMax(x)), onehot))), both run on a
// TapeMachine with gorgonia.Grad. Plus the raw kernels, without a graph.
//
//	go test -run xxx -bench . -benchmem ./ops/

var benchSizes = []struct{ n, c int }{{128, 10}, {4096, 1000}, {65536, 10}}

func benchData(n, c int) ([]float32, []int) {
	r := rand.New(rand.NewSource(1))
	x := make([]float32, n*c)
	for i := range x {
		x[i] = float32(r.NormFloat64() * 2)
	}
	y := make([]int, n)
	for i := range y {
		y[i] = r.Intn(c)
	}
	return x, y
}

func BenchmarkCrossEntropy(b *testing.B) {
	for _, s := range benchSizes {
		xd, yd := benchData(s.n, s.c)
		b.Run(fmt.Sprintf("%dx%d/ops", s.n, s.c), func(b *testing.B) {
			g := G.NewGraph()
			x := G.NewMatrix(g, tensor.Float32, G.WithShape(s.n, s.c), G.WithName("x"),
				G.WithValue(tensor.New(tensor.WithShape(s.n, s.c), tensor.WithBacking(xd))))
			y := G.NewVector(g, tensor.Int, G.WithShape(s.n), G.WithName("y"),
				G.WithValue(tensor.New(tensor.WithShape(s.n), tensor.WithBacking(yd))))
			loss := G.Must(CrossEntropy(x, y))
			if _, err := G.Grad(loss, x); err != nil {
				b.Fatal(err)
			}
			runVM(b, g)
		})
		b.Run(fmt.Sprintf("%dx%d/composed", s.n, s.c), func(b *testing.B) {
			oh := make([]float32, s.n*s.c)
			for i, l := range yd {
				oh[i*s.c+l] = 1
			}
			g := G.NewGraph()
			x := G.NewMatrix(g, tensor.Float32, G.WithShape(s.n, s.c), G.WithName("x"),
				G.WithValue(tensor.New(tensor.WithShape(s.n, s.c), tensor.WithBacking(xd))))
			onehot := G.NewMatrix(g, tensor.Float32, G.WithShape(s.n, s.c), G.WithName("onehot"),
				G.WithValue(tensor.New(tensor.WithShape(s.n, s.c), tensor.WithBacking(oh))))
			loss := G.Must(G.Neg(G.Must(G.Mean(G.Must(G.HadamardProd(G.Must(G.Log(G.Must(G.SoftMax(x)))), onehot))))))
			if _, err := G.Grad(loss, x); err != nil {
				b.Fatal(err)
			}
			runVM(b, g)
		})
	}
}

func runVM(b *testing.B, g *G.ExprGraph) {
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	for i := 0; i < 2; i++ { // warm up: the ops allocate their buffers once
		if err := vm.RunAll(); err != nil {
			b.Fatal(err)
		}
		vm.Reset()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := vm.RunAll(); err != nil {
			b.Fatal(err)
		}
		vm.Reset()
	}
}

// BenchmarkKernelCrossEntropy times the raw forward and backward kernels.
func BenchmarkKernelCrossEntropy(b *testing.B) {
	for _, s := range benchSizes {
		x, y := benchData(s.n, s.c)
		b.Run(fmt.Sprintf("%dx%d", s.n, s.c), func(b *testing.B) {
			e := make([]float32, len(x))
			dx := make([]float32, len(x))
			invS := make([]float64, s.n)
			a := &ceArgs{c: s.c, inner: 1, ignore: DefaultIgnoreIndex, wtot: float64(s.c)}
			b.ReportAllocs()
			b.SetBytes(int64(len(x) * 4))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				_, _, wsum, _ := ceIndexFwd(x, y, a, e, invS, nil, 0, s.n)
				ceIndexBwd(dx, e, invS, y, a, nil, 1/wsum, 1/wsum, 0, s.n)
			}
		})
	}
}

// BenchmarkKernelSoftmax times the softmax and log-softmax forward kernels.
func BenchmarkKernelSoftmax(b *testing.B) {
	x, _ := benchData(4096, 1000)
	dst := make([]float32, len(x))
	for _, log := range []bool{false, true} {
		b.Run(fmt.Sprintf("4096x1000/log=%v", log), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(x) * 4))
			for i := 0; i < b.N; i++ {
				softmaxFwd(dst, x, 1000, 1, log, 0, 4096)
			}
		})
	}
}

// BenchmarkKernelBCEWithLogits times the BCEWithLogits kernels (forward
// and backward, no weights).
func BenchmarkKernelBCEWithLogits(b *testing.B) {
	x, _ := benchData(4096, 1000)
	y := make([]float32, len(x))
	for i := range y {
		y[i] = float32(i % 2)
	}
	dx := make([]float32, len(x))
	b.ReportAllocs()
	b.SetBytes(int64(len(x) * 4))
	b.ResetTimer()
	k := bceLogitsKernel[float32]{} // the vector kernels where the CPU has them
	for i := 0; i < b.N; i++ {
		k.fwd(x, y, nil, 0, len(x))
		k.bwd(dx, nil, x, y, nil, 1, 0, len(x))
	}
}

// BenchmarkKernelSoftmaxBackward times the softmax and log-softmax
// backward kernels.
func BenchmarkKernelSoftmaxBackward(b *testing.B) {
	x, _ := benchData(4096, 1000)
	y, g, dx := make([]float32, len(x)), make([]float32, len(x)), make([]float32, len(x))
	for i := range g {
		g[i] = float32(i%7) * 0.1
	}
	for _, log := range []bool{false, true} {
		softmaxFwd(y, x, 1000, 1, log, 0, 4096)
		b.Run(fmt.Sprintf("4096x1000/log=%v", log), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(x) * 4))
			for i := 0; i < b.N; i++ {
				softmaxBwd(dx, y, g, 1000, 1, log, 0, 4096)
			}
		})
	}
}
