package solvers

// sgdMomAVX2F32 runs the momentum branch of sgdStep (not the first step,
// not Nesterov) over the first n&^7 elements, with the same IEEE
// operations in the same order as the Go loop.
//
//go:noescape
func sgdMomAVX2F32(pp, gp, bp *float32, n int, c *[5]float32)

// sgdMomAVX2F64 is sgdMomAVX2F32 for float64, over the first n&^3 elements.
//
//go:noescape
func sgdMomAVX2F64(pp, gp, bp *float64, n int, c *[5]float64)

func sgdVec32(p, g, buf []float32, c *sgdCoef[float32]) int {
	if !useAVX2 || buf == nil || c.first || c.nesterov || len(p) < 8 {
		return 0
	}
	n := len(p) &^ 7
	_, _ = g[n-1], buf[n-1]
	k := [5]float32{c.gs, c.wd, c.mom, c.damp1, c.nlr}
	sgdMomAVX2F32(&p[0], &g[0], &buf[0], n, &k)
	return n
}

func sgdVec64(p, g, buf []float64, c *sgdCoef[float64]) int {
	if !useAVX2 || buf == nil || c.first || c.nesterov || len(p) < 4 {
		return 0
	}
	n := len(p) &^ 3
	_, _ = g[n-1], buf[n-1]
	k := [5]float64{c.gs, c.wd, c.mom, c.damp1, c.nlr}
	sgdMomAVX2F64(&p[0], &g[0], &buf[0], n, &k)
	return n
}
