//go:build amd64 && !purego

package solvers

import (
	"unsafe"

	"github.com/stheno-ml/stheno/internal/num"
	"golang.org/x/sys/cpu"
)

// The AVX2 kernels (sgd_amd64.s, adam_amd64.s, rmsprop_amd64.s) run over the
// first n&^7 (float32) or n&^3 (float64) elements with the same IEEE
// operations in the same order as the Go loops.
const vectorKernels = "AVX2"

func init() {
	if !cpu.X86.HasAVX2 {
		return
	}
	vec32 = vecKernels[float32]{
		sgdMom:  sgdVec(sgdMomAVX2F32),
		adam:    adamVec(adamAVX2F32),
		amsgrad: amsgradVec(amsgradAVX2F32),
		rmsprop: rmspropVec(rmspropAVX2F32, rmspropMomAVX2F32),
		adagrad: adagradVec(adagradAVX2F32),
	}
	vec64 = vecKernels[float64]{
		sgdMom:  sgdVec(sgdMomAVX2F64),
		adam:    adamVec(adamAVX2F64),
		amsgrad: amsgradVec(amsgradAVX2F64),
		rmsprop: rmspropVec(rmspropAVX2F64, rmspropMomAVX2F64),
		adagrad: adagradVec(adagradAVX2F64),
	}
}

// vecLen is the length of the prefix of an n-element slice that a 256-bit
// kernel handles.
func vecLen[T num.Float](n int) int {
	var z T
	return n &^ (32/int(unsafe.Sizeof(z)) - 1)
}

func sgdVec[T num.Float](asm func(pp, gp, bp *T, n int, c *[5]T)) func(p, g, buf []T, c *sgdCoef[T]) int {
	return func(p, g, buf []T, c *sgdCoef[T]) int {
		n := vecLen[T](len(p))
		if n == 0 {
			return 0
		}
		_, _ = g[n-1], buf[n-1]
		k := c.array()
		asm(&p[0], &g[0], &buf[0], n, &k)
		return n
	}
}

func adamVec[T num.Float](asm func(pp, gp, mp, vp *T, n int, c *[10]T)) func(p, g, m, v []T, c *adamCoef[T]) int {
	return func(p, g, m, v []T, c *adamCoef[T]) int {
		n := vecLen[T](len(p))
		if n == 0 {
			return 0
		}
		_, _, _ = g[n-1], m[n-1], v[n-1]
		k := c.array()
		asm(&p[0], &g[0], &m[0], &v[0], n, &k)
		return n
	}
}

func amsgradVec[T num.Float](asm func(pp, gp, mp, vp, xp *T, n int, c *[10]T)) func(p, g, m, v, vmax []T, c *adamCoef[T]) int {
	return func(p, g, m, v, vmax []T, c *adamCoef[T]) int {
		n := vecLen[T](len(p))
		if n == 0 {
			return 0
		}
		_, _, _, _ = g[n-1], m[n-1], v[n-1], vmax[n-1]
		k := c.array()
		asm(&p[0], &g[0], &m[0], &v[0], &vmax[0], n, &k)
		return n
	}
}

func rmspropVec[T num.Float](plain func(pp, gp, sp *T, n int, c *[7]T), mom func(pp, gp, sp, bp *T, n int, c *[7]T)) func(p, g, sq, buf []T, c *rmspropCoef[T]) int {
	return func(p, g, sq, buf []T, c *rmspropCoef[T]) int {
		n := vecLen[T](len(p))
		if n == 0 {
			return 0
		}
		_, _ = g[n-1], sq[n-1]
		k := c.array()
		if buf == nil {
			plain(&p[0], &g[0], &sq[0], n, &k)
		} else {
			_ = buf[n-1]
			mom(&p[0], &g[0], &sq[0], &buf[0], n, &k)
		}
		return n
	}
}

func adagradVec[T num.Float](asm func(pp, gp, sp *T, n int, c *[4]T)) func(p, g, sum []T, c *adagradCoef[T]) int {
	return func(p, g, sum []T, c *adagradCoef[T]) int {
		n := vecLen[T](len(p))
		if n == 0 {
			return 0
		}
		_, _ = g[n-1], sum[n-1]
		k := c.array()
		asm(&p[0], &g[0], &sum[0], n, &k)
		return n
	}
}

// Assembly: sgd_amd64.s (momentum branch of sgdStep: not the first step,
// not Nesterov).

//go:noescape
func sgdMomAVX2F32(pp, gp, bp *float32, n int, c *[5]float32)

//go:noescape
func sgdMomAVX2F64(pp, gp, bp *float64, n int, c *[5]float64)

// Assembly: adam_amd64.s (adamStep and amsgradStep).

//go:noescape
func adamAVX2F32(pp, gp, mp, vp *float32, n int, c *[10]float32)

//go:noescape
func adamAVX2F64(pp, gp, mp, vp *float64, n int, c *[10]float64)

//go:noescape
func amsgradAVX2F32(pp, gp, mp, vp, xp *float32, n int, c *[10]float32)

//go:noescape
func amsgradAVX2F64(pp, gp, mp, vp, xp *float64, n int, c *[10]float64)

// Assembly: rmsprop_amd64.s (rmspropStep, not centered, with and without
// momentum; adagradStep).

//go:noescape
func rmspropAVX2F32(pp, gp, sp *float32, n int, c *[7]float32)

//go:noescape
func rmspropMomAVX2F32(pp, gp, sp, bp *float32, n int, c *[7]float32)

//go:noescape
func adagradAVX2F32(pp, gp, sp *float32, n int, c *[4]float32)

//go:noescape
func rmspropAVX2F64(pp, gp, sp *float64, n int, c *[7]float64)

//go:noescape
func rmspropMomAVX2F64(pp, gp, sp, bp *float64, n int, c *[7]float64)

//go:noescape
func adagradAVX2F64(pp, gp, sp *float64, n int, c *[4]float64)
