package gemm

import (
	"fmt"
	"testing"

	"github.com/stheno-ml/stheno/internal/cputime"
	"github.com/stheno-ml/stheno/internal/num"
)

// Benchmarks report GFLOP/s of wall time and of process CPU time (2·m·n·k
// per op); run one core with -cpu 1:
//
//	go test -run xxx -bench . -cpu 1,2 ./internal/gemm/
func benchGemm[T num.Float](b *testing.B, kn *kernels[T], tA, tB bool, m, n, k int) {
	a := make([]T, m*k)
	bb := make([]T, k*n)
	c := make([]T, m*n)
	for i := range a {
		a[i] = T(i%7) - 3
	}
	for i := range bb {
		bb[i] = T(i%5) - 2
	}
	lda, ldb := k, n
	if tA {
		lda = m
	}
	if tB {
		ldb = k
	}
	gemmWith(kn, tA, tB, m, n, k, 1, a, lda, bb, ldb, 0, c, n)
	b.ReportAllocs()
	t0, _ := cputime.Process()
	for b.Loop() {
		gemmWith(kn, tA, tB, m, n, k, 1, a, lda, bb, ldb, 0, c, n)
	}
	t1, _ := cputime.Process()
	cpu := (t1 - t0).Seconds()
	flops := 2 * float64(m) * float64(n) * float64(k) * float64(b.N)
	b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	if cpu > 0 {
		// Per core of CPU time used: on a shared machine this is the figure to compare.
		b.ReportMetric(flops/cpu/1e9, "GFLOP/cpu-s")
	}
}

var benchShapes = []struct {
	name    string
	tA, tB  bool
	m, n, k int
}{
	{"2048x2048x2048", false, false, 2048, 2048, 2048},
	{"64x512x784", false, false, 64, 512, 784},
	{"64x512x784/NT", false, true, 64, 512, 784},
	{"64x10x256", false, false, 64, 10, 256},
	{"64x10x256/NT", false, true, 64, 10, 256},
	{"1x128x784/NT", false, true, 1, 128, 784}, // Linear forward at batch 1
	{"64x256x10/NN", false, false, 64, 256, 10},
	{"10x256x64/TN", true, false, 10, 256, 64},
	{"512x784x64/TN", true, false, 512, 784, 64},
	{"256x256x256", false, false, 256, 256, 256},
	{"16x9x784/NT", false, true, 16, 9, 784},     // demo CNN conv1 weight gradient, per image
	{"32x144x196/NT", false, true, 32, 144, 196}, // conv2 weight gradient, per image
	{"144x196x32/TN", true, false, 144, 196, 32}, // conv2 input gradient (columns), per image
}

func BenchmarkGemm(b *testing.B) {
	for _, s := range benchShapes {
		for _, kn := range available32 {
			if kn.name == "go" && s.m*s.n*s.k > 1<<26 {
				continue
			}
			b.Run(fmt.Sprintf("float32/%s/%s", kn.name, s.name), func(b *testing.B) { benchGemm(b, kn, s.tA, s.tB, s.m, s.n, s.k) })
		}
		for _, kn := range available64 {
			if kn.name == "go" && s.m*s.n*s.k > 1<<26 {
				continue
			}
			b.Run(fmt.Sprintf("float64/%s/%s", kn.name, s.name), func(b *testing.B) { benchGemm(b, kn, s.tA, s.tB, s.m, s.n, s.k) })
		}
	}
}
