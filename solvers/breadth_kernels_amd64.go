//go:build amd64 && !purego

package solvers

import "golang.org/x/sys/cpu"

// The vector kernels of Adadelta, Adamax, NAdam and RAdam (breadth_amd64.s,
// generated with their declarations in breadth_asm_amd64.go by
// tools/asm/solvers_breadth.py) come in AVX2 and AVX-512 versions of the
// same operations, chosen once here as kernels_amd64.go chooses the
// others': AVX-512 where present, else AVX2 with FMA.
func init() {
	switch {
	case cpu.X86.HasAVX512F:
		bvec32 = breadthVec[float32]{
			adadelta: adadeltaVec(64, adadeltaAVX512F32), adamax: adamaxVec(64, adamaxAVX512F32), nadam: nadamVec(64, nadamAVX512F32),
			radamRect: radamVec(64, radamRectAVX512F32), radamPlain: radamVec(64, radamPlainAVX512F32)}
		bvec64 = breadthVec[float64]{
			adadelta: adadeltaVec(64, adadeltaAVX512F64), adamax: adamaxVec(64, adamaxAVX512F64), nadam: nadamVec(64, nadamAVX512F64),
			radamRect: radamVec(64, radamRectAVX512F64), radamPlain: radamVec(64, radamPlainAVX512F64)}
		breadthKernels = "AVX512"
	case cpu.X86.HasAVX2 && cpu.X86.HasFMA:
		bvec32 = breadthVec[float32]{
			adadelta: adadeltaVec(32, adadeltaAVX2F32), adamax: adamaxVec(32, adamaxAVX2F32), nadam: nadamVec(32, nadamAVX2F32),
			radamRect: radamVec(32, radamRectAVX2F32), radamPlain: radamVec(32, radamPlainAVX2F32)}
		bvec64 = breadthVec[float64]{
			adadelta: adadeltaVec(32, adadeltaAVX2F64), adamax: adamaxVec(32, adamaxAVX2F64), nadam: nadamVec(32, nadamAVX2F64),
			radamRect: radamVec(32, radamRectAVX2F64), radamPlain: radamVec(32, radamPlainAVX2F64)}
		breadthKernels = "AVX2"
	}
}

// The adapters run a kernel over the longest prefix of whole vectors and
// return its length, one per coefficient type as kernels_amd64.go's: with
// the coefficient block or the kernel's signature as a type parameter, the
// block escapes to the heap (3 allocations per step).

func adadeltaVec[T float32 | float64](width int, asm func(pp, gp, sp, ap *T, n int, c *[6]T)) func(p, g, sq, acc []T, c *adadeltaCoef[T]) int {
	return func(p, g, sq, acc []T, c *adadeltaCoef[T]) int {
		n := vecLen[T](len(p), width)
		if n == 0 {
			return 0
		}
		_, _, _ = g[n-1], sq[n-1], acc[n-1]
		k := c.array()
		asm(&p[0], &g[0], &sq[0], &acc[0], n, &k)
		return n
	}
}

func nadamVec[T float32 | float64](width int, asm func(pp, gp, mp, vp *T, n int, c *[10]T)) func(p, g, m, v []T, c *nadamCoef[T]) int {
	return func(p, g, m, v []T, c *nadamCoef[T]) int {
		n := vecLen[T](len(p), width)
		if n == 0 {
			return 0
		}
		_, _, _ = g[n-1], m[n-1], v[n-1]
		k := c.array()
		asm(&p[0], &g[0], &m[0], &v[0], n, &k)
		return n
	}
}

func radamVec[T float32 | float64](width int, asm func(pp, gp, mp, vp *T, n int, c *[12]T)) func(p, g, m, v []T, c *radamCoef[T]) int {
	return func(p, g, m, v []T, c *radamCoef[T]) int {
		n := vecLen[T](len(p), width)
		if n == 0 {
			return 0
		}
		_, _, _ = g[n-1], m[n-1], v[n-1]
		k := c.array()
		asm(&p[0], &g[0], &m[0], &v[0], n, &k)
		return n
	}
}

func adamaxVec[T float32 | float64](width int, asm func(pp, gp, mp, up *T, n int, c *[8]T)) func(p, g, m, u []T, c *adamaxCoef[T]) int {
	return func(p, g, m, u []T, c *adamaxCoef[T]) int {
		n := vecLen[T](len(p), width)
		if n == 0 {
			return 0
		}
		_, _, _ = g[n-1], m[n-1], u[n-1]
		k := c.array()
		asm(&p[0], &g[0], &m[0], &u[0], n, &k)
		return n
	}
}
