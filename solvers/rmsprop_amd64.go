package solvers

// The RMSProp (not centered) and Adagrad kernels in rmsprop_amd64.s perform
// the same IEEE operations in the same order as rmspropStep and
// adagradStep, so their results are bit-identical to the Go loops. Each
// runs over the first n&^7 (float32) or n&^3 (float64) elements.

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

func rmspropVec32(p, g, sq, buf []float32, c *rmspropCoef[float32]) int {
	if !useAVX2 || len(p) < 8 {
		return 0
	}
	n := len(p) &^ 7
	_, _ = g[n-1], sq[n-1]
	k := [7]float32{c.gs, c.wd, c.alpha, c.oma, c.eps, c.mom, c.nlr}
	if buf == nil {
		rmspropAVX2F32(&p[0], &g[0], &sq[0], n, &k)
	} else {
		_ = buf[n-1]
		rmspropMomAVX2F32(&p[0], &g[0], &sq[0], &buf[0], n, &k)
	}
	return n
}

func rmspropVec64(p, g, sq, buf []float64, c *rmspropCoef[float64]) int {
	if !useAVX2 || len(p) < 4 {
		return 0
	}
	n := len(p) &^ 3
	_, _ = g[n-1], sq[n-1]
	k := [7]float64{c.gs, c.wd, c.alpha, c.oma, c.eps, c.mom, c.nlr}
	if buf == nil {
		rmspropAVX2F64(&p[0], &g[0], &sq[0], n, &k)
	} else {
		_ = buf[n-1]
		rmspropMomAVX2F64(&p[0], &g[0], &sq[0], &buf[0], n, &k)
	}
	return n
}

func adagradVec32(p, g, sum []float32, c *adagradCoef[float32]) int {
	if !useAVX2 || len(p) < 8 {
		return 0
	}
	n := len(p) &^ 7
	_, _ = g[n-1], sum[n-1]
	k := [4]float32{c.gs, c.wd, c.eps, c.nclr}
	adagradAVX2F32(&p[0], &g[0], &sum[0], n, &k)
	return n
}

func adagradVec64(p, g, sum []float64, c *adagradCoef[float64]) int {
	if !useAVX2 || len(p) < 4 {
		return 0
	}
	n := len(p) &^ 3
	_, _ = g[n-1], sum[n-1]
	k := [4]float64{c.gs, c.wd, c.eps, c.nclr}
	adagradAVX2F64(&p[0], &g[0], &sum[0], n, &k)
	return n
}
