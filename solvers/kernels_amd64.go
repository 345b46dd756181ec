//go:build amd64 && !purego

package solvers

import (
	"unsafe"

	"github.com/stheno-ml/stheno/internal/num"
	"golang.org/x/sys/cpu"
)

// The kernels in sgd_amd64.s, adam_amd64.s and rmsprop_amd64.s (generated,
// with their declarations in asm_amd64.go, by tools/asm/solvers.py) come
// in an AVX2 (256-bit) and an AVX-512 (512-bit) version of the same
// operations; each runs over the longest prefix that is a whole number of
// vectors. On CPUs with AVX-512 its kernels are used: the Adam, RMSProp and
// Adagrad updates are bound by their divisions and square roots, which
// 512-bit vectors do twice as many of per instruction.
func init() {
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		isas = append(isas, kernelsAVX2())
	}
	if cpu.X86.HasAVX512F {
		isas = append([]isaKernels{kernelsAVX512()}, isas...)
	}
	if len(isas) > 0 {
		vec32, vec64 = isas[0].k32, isas[0].k64
	}
}

// vecLen is the length of the prefix of an n-element slice that a kernel
// with width-byte vectors handles.
func vecLen[T num.Float](n, width int) int {
	var z T
	return n &^ (width/int(unsafe.Sizeof(z)) - 1)
}

func sgdPlainVec[T num.Float](width int, asm func(pp, gp *T, n int, c *[5]T)) func(p, g []T, c *sgdCoef[T]) int {
	return func(p, g []T, c *sgdCoef[T]) int {
		n := vecLen[T](len(p), width)
		if n == 0 {
			return 0
		}
		_ = g[n-1]
		k := c.array()
		asm(&p[0], &g[0], n, &k)
		return n
	}
}

func sgdVec[T num.Float](width int, asm func(pp, gp, bp *T, n int, c *[5]T)) func(p, g, buf []T, c *sgdCoef[T]) int {
	return func(p, g, buf []T, c *sgdCoef[T]) int {
		n := vecLen[T](len(p), width)
		if n == 0 {
			return 0
		}
		_, _ = g[n-1], buf[n-1]
		k := c.array()
		asm(&p[0], &g[0], &buf[0], n, &k)
		return n
	}
}

func adamVec[T num.Float](width int, asm func(pp, gp, mp, vp *T, n int, c *[10]T)) func(p, g, m, v []T, c *adamCoef[T]) int {
	return func(p, g, m, v []T, c *adamCoef[T]) int {
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

func amsgradVec[T num.Float](width int, asm func(pp, gp, mp, vp, xp *T, n int, c *[10]T)) func(p, g, m, v, vmax []T, c *adamCoef[T]) int {
	return func(p, g, m, v, vmax []T, c *adamCoef[T]) int {
		n := vecLen[T](len(p), width)
		if n == 0 {
			return 0
		}
		_, _, _, _ = g[n-1], m[n-1], v[n-1], vmax[n-1]
		k := c.array()
		asm(&p[0], &g[0], &m[0], &v[0], &vmax[0], n, &k)
		return n
	}
}

func rmspropVec[T num.Float](width int, plain func(pp, gp, sp *T, n int, c *[7]T), mom func(pp, gp, sp, bp *T, n int, c *[7]T),
	centered func(pp, gp, sp, ap *T, n int, c *[7]T), centeredMom func(pp, gp, sp, ap, bp *T, n int, c *[7]T)) func(p, g, sq, ga, buf []T, c *rmspropCoef[T]) int {
	return func(p, g, sq, ga, buf []T, c *rmspropCoef[T]) int {
		n := vecLen[T](len(p), width)
		if n == 0 {
			return 0
		}
		_, _ = g[n-1], sq[n-1]
		k := c.array()
		switch {
		case ga == nil && buf == nil:
			plain(&p[0], &g[0], &sq[0], n, &k)
		case ga == nil:
			_ = buf[n-1]
			mom(&p[0], &g[0], &sq[0], &buf[0], n, &k)
		case buf == nil:
			_ = ga[n-1]
			centered(&p[0], &g[0], &sq[0], &ga[0], n, &k)
		default:
			_, _ = ga[n-1], buf[n-1]
			centeredMom(&p[0], &g[0], &sq[0], &ga[0], &buf[0], n, &k)
		}
		return n
	}
}

func adagradVec[T num.Float](width int, asm func(pp, gp, sp *T, n int, c *[4]T)) func(p, g, sum []T, c *adagradCoef[T]) int {
	return func(p, g, sum []T, c *adagradCoef[T]) int {
		n := vecLen[T](len(p), width)
		if n == 0 {
			return 0
		}
		_, _ = g[n-1], sum[n-1]
		k := c.array()
		asm(&p[0], &g[0], &sum[0], n, &k)
		return n
	}
}
