package solvers

import "golang.org/x/sys/cpu"

// useAVX2 selects the AVX2 Adam kernels (adam_amd64.s). They perform the
// same IEEE operations in the same order as adamStep (no fused
// multiply-add), so their results are bit-identical to the Go loop.
var useAVX2 = cpu.X86.HasAVX2

// adamAVX2F32 runs adamStep over the first n&^7 elements.
//
//go:noescape
func adamAVX2F32(pp, gp, mp, vp *float32, n int, c *[10]float32)

// adamAVX2F64 runs adamStep over the first n&^3 elements.
//
//go:noescape
func adamAVX2F64(pp, gp, mp, vp *float64, n int, c *[10]float64)

// amsgradAVX2F32 runs amsgradStep over the first n&^7 elements.
//
//go:noescape
func amsgradAVX2F32(pp, gp, mp, vp, xp *float32, n int, c *[10]float32)

// amsgradAVX2F64 runs amsgradStep over the first n&^3 elements.
//
//go:noescape
func amsgradAVX2F64(pp, gp, mp, vp, xp *float64, n int, c *[10]float64)

func amsgradVec32(p, g, m, v, vmax []float32, c *adamCoef[float32]) int {
	if !useAVX2 || len(p) < 8 {
		return 0
	}
	n := len(p) &^ 7
	_, _, _, _ = g[n-1], m[n-1], v[n-1], vmax[n-1]
	k := [10]float32{c.gs, c.wd, c.decay, c.b1, c.omb1, c.b2, c.omb2, c.invBC2Sqrt, c.eps, c.nstep}
	amsgradAVX2F32(&p[0], &g[0], &m[0], &v[0], &vmax[0], n, &k)
	return n
}

func amsgradVec64(p, g, m, v, vmax []float64, c *adamCoef[float64]) int {
	if !useAVX2 || len(p) < 4 {
		return 0
	}
	n := len(p) &^ 3
	_, _, _, _ = g[n-1], m[n-1], v[n-1], vmax[n-1]
	k := [10]float64{c.gs, c.wd, c.decay, c.b1, c.omb1, c.b2, c.omb2, c.invBC2Sqrt, c.eps, c.nstep}
	amsgradAVX2F64(&p[0], &g[0], &m[0], &v[0], &vmax[0], n, &k)
	return n
}

func adamVec32(p, g, m, v []float32, c *adamCoef[float32]) int {
	if !useAVX2 || len(p) < 8 {
		return 0
	}
	n := len(p) &^ 7
	_, _, _ = g[n-1], m[n-1], v[n-1]
	k := [10]float32{c.gs, c.wd, c.decay, c.b1, c.omb1, c.b2, c.omb2, c.invBC2Sqrt, c.eps, c.nstep}
	adamAVX2F32(&p[0], &g[0], &m[0], &v[0], n, &k)
	return n
}

func adamVec64(p, g, m, v []float64, c *adamCoef[float64]) int {
	if !useAVX2 || len(p) < 4 {
		return 0
	}
	n := len(p) &^ 3
	_, _, _ = g[n-1], m[n-1], v[n-1]
	k := [10]float64{c.gs, c.wd, c.decay, c.b1, c.omb1, c.b2, c.omb2, c.invBC2Sqrt, c.eps, c.nstep}
	adamAVX2F64(&p[0], &g[0], &m[0], &v[0], n, &k)
	return n
}
