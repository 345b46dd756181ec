package ops

import "math"

// The kernels below are plain functions over slices, generic over float32
// and float64. A tensor is seen as (outer, c, inner): c is the class (or
// softmax) axis, element (n, k, j) lives at n*c*inner + k*inner + j, and a
// "position" i = n*inner + j is one row along the class axis. Sums are
// accumulated in float64 for both element types.

// posBase returns the index of element (position i, class 0).
func posBase(i, c, inner int) int {
	if inner == 1 {
		return i * c
	}
	return i/inner*c*inner + i%inner
}

// rowMax returns the max of x[base + k*inner] over k < c (NaN if one is
// NaN). The builtin max compiles without branches, which matters for
// random rows.
func rowMax[T float](x []T, base, c, inner int) float64 {
	m0, m1 := T(math.Inf(-1)), T(math.Inf(-1))
	if inner == 1 {
		r := x[base : base+c]
		k := 0
		for ; k+2 <= len(r); k += 2 {
			m0 = max(m0, r[k])
			m1 = max(m1, r[k+1])
		}
		if k < len(r) {
			m0 = max(m0, r[k])
		}
		return float64(max(m0, m1))
	}
	for k := 0; k < c; k++ {
		m0 = max(m0, x[base+k*inner])
	}
	return float64(m0)
}

// expRow writes e[k] = exp(x[k] - m) along one row and returns their sum.
func expRow[T float](e, x []T, base, c, inner int, m float64) float64 {
	var z T
	if inner == 1 {
		if isF32(z) {
			return expRowF32(e[base:base+c], x[base:base+c], m)
		}
		var s float64
		xr, er := x[base:base+c], e[base:base+c]
		for k, v := range xr {
			ev := expAcc(float64(v) - m)
			er[k] = T(ev)
			s += ev
		}
		return s
	}
	var s float64
	for k := 0; k < c; k++ {
		p := base + k*inner
		ev := expT[T](float64(x[p]) - m)
		e[p] = T(ev)
		s += ev
	}
	return s
}

// softmaxFwd writes softmax(x) (or log_softmax(x) if log) along the middle
// axis of an (outer, c, inner) layout into dst, for positions [lo, hi) of
// the outer*inner rows.
func softmaxFwd[T float](dst, x []T, c, inner int, log bool, lo, hi int) {
	for i := lo; i < hi; i++ {
		base := posBase(i, c, inner)
		m := rowMax(x, base, c, inner)
		s := expRow(dst, x, base, c, inner, m)
		if log {
			lse := m + math.Log(s)
			for k := 0; k < c; k++ {
				p := base + k*inner
				dst[p] = T(float64(x[p]) - lse)
			}
			continue
		}
		inv := 1 / s
		for k := 0; k < c; k++ {
			p := base + k*inner
			dst[p] = T(float64(dst[p]) * inv)
		}
	}
}

// softmaxBwd writes the input gradient dx given the output y and the
// output gradient g: softmax: dx = y (g - <g, y>); log_softmax:
// dx = g - exp(y) Σg. Positions [lo, hi) as softmaxFwd.
func softmaxBwd[T float](dx, y, g []T, c, inner int, log bool, lo, hi int) {
	for i := lo; i < hi; i++ {
		base := posBase(i, c, inner)
		var s float64
		if log {
			for k := 0; k < c; k++ {
				s += float64(g[base+k*inner])
			}
			for k := 0; k < c; k++ {
				p := base + k*inner
				dx[p] = T(float64(g[p]) - expT[T](float64(y[p]))*s)
			}
			continue
		}
		for k := 0; k < c; k++ {
			p := base + k*inner
			s += float64(g[p]) * float64(y[p])
		}
		for k := 0; k < c; k++ {
			p := base + k*inner
			dx[p] = T(float64(y[p]) * (float64(g[p]) - s))
		}
	}
}

// ceArgs is the configuration of the cross-entropy kernels.
type ceArgs struct {
	c, inner int
	weight   []float64 // per class, nil for all ones
	wtot     float64   // Σ weight (or c)
	ignore   int
	eps      float64 // label smoothing
}

func (a *ceArgs) w(k int) float64 {
	if a.weight == nil {
		return 1
	}
	return a.weight[k]
}

// ceIndexFwd computes cross-entropy with class-index targets. It caches
// e = exp(x - rowmax) and invS = 1/Σe per position for the backward pass,
// writes the per-position loss to perPos if it is not nil, and returns the
// sums of the (weighted) NLL parts, of the smoothing parts and of the
// weights of non-ignored targets. bad is the first position whose target is
// out of range and not the ignore index, or -1. It covers positions
// [lo, hi).
func ceIndexFwd[T float](x []T, tgt []int, a *ceArgs, e []T, invS []float64, perPos []T, lo, hi int) (nllSum, smSum, wsum float64, bad int) {
	c, inner := a.c, a.inner
	for i := lo; i < hi; i++ {
		t := tgt[i]
		if t == a.ignore {
			invS[i] = 0
			if perPos != nil {
				perPos[i] = 0
			}
			continue
		}
		if t < 0 || t >= c {
			return 0, 0, 0, i
		}
		base := posBase(i, c, inner)
		m := rowMax(x, base, c, inner)
		s := expRow(e, x, base, c, inner, m)
		invS[i] = 1 / s
		lse := m + math.Log(s)
		wt := a.w(t)
		nll := wt * (lse - float64(x[base+t*inner]))
		var sm float64
		if a.eps > 0 {
			if inner == 1 && a.weight == nil {
				var sx float64
				for _, v := range x[base : base+c] {
					sx += float64(v)
				}
				sm = float64(c)*lse - sx
			} else {
				for k := 0; k < c; k++ {
					sm += a.w(k) * (lse - float64(x[base+k*inner]))
				}
			}
		}
		nllSum += nll
		smSum += sm
		wsum += wt
		if perPos != nil {
			perPos[i] = T((1-a.eps)*nll + a.eps/float64(c)*sm)
		}
	}
	return nllSum, smSum, wsum, -1
}

// ceIndexBwd writes the gradient of cross-entropy with class-index targets
// from the forward's cache: for a non-ignored position with target t,
// dx_k = aN (p_k - [k=t]) + aS (Wtot p_k - w_k), where
// aN = (1-ε) w_t sN g_i and aS = ε/C sS g_i; g_i = gPos[i] (or 1 if gPos is
// nil) and sN, sS the reduction's scales of the NLL and smoothing parts.
// Positions [lo, hi).
func ceIndexBwd[T float](dx, e []T, invS []float64, tgt []int, a *ceArgs, gPos []T, sN, sS float64, lo, hi int) {
	c, inner := a.c, a.inner
	for i := lo; i < hi; i++ {
		t := tgt[i]
		base := posBase(i, c, inner)
		if t == a.ignore {
			for k := 0; k < c; k++ {
				dx[base+k*inner] = 0
			}
			continue
		}
		g := 1.0
		if gPos != nil {
			g = float64(gPos[i])
		}
		aN := (1 - a.eps) * a.w(t) * sN * g
		aS := a.eps / float64(c) * sS * g
		is := invS[i]
		if a.weight == nil {
			// dx_k = (aN + aS c) p_k - aS - aN [k=t]
			f := (aN + aS*float64(c)) * is
			if inner == 1 {
				er, dr := e[base:base+c], dx[base:base+c]
				for k, v := range er {
					dr[k] = T(float64(v)*f - aS)
				}
			} else {
				for k := 0; k < c; k++ {
					p := base + k*inner
					dx[p] = T(float64(e[p])*f - aS)
				}
			}
			p := base + t*inner
			dx[p] = T(float64(e[p])*f - aS - aN)
			continue
		}
		f := (aN + aS*a.wtot) * is
		for k := 0; k < c; k++ {
			p := base + k*inner
			dx[p] = T(float64(e[p])*f - aS*a.weight[k])
		}
		p := base + t*inner
		dx[p] = T(float64(e[p])*f - aS*a.weight[t] - aN)
	}
}

// ceProbFwd computes cross-entropy with class-probability targets tp (the
// input's shape): loss_i = Σ_k w_k t'_k (lse_i - x_k), t' = (1-ε) t + ε/C.
// It caches e and invS like ceIndexFwd and returns the sum of the losses.
func ceProbFwd[T float](x, tp []T, a *ceArgs, e []T, invS []float64, perPos []T) float64 {
	c, inner := a.c, a.inner
	var sum float64
	for i := range invS {
		base := posBase(i, c, inner)
		m := rowMax(x, base, c, inner)
		s := expRow(e, x, base, c, inner, m)
		invS[i] = 1 / s
		lse := m + math.Log(s)
		var l float64
		for k := 0; k < c; k++ {
			p := base + k*inner
			t := float64(tp[p])*(1-a.eps) + a.eps/float64(c)
			l += a.w(k) * t * (lse - float64(x[p]))
		}
		sum += l
		if perPos != nil {
			perPos[i] = T(l)
		}
	}
	return sum
}

// ceProbBwd writes dx_k = s g_i ((Σ_j w_j t'_j) p_k - w_k t'_k).
func ceProbBwd[T float](dx, e []T, invS []float64, tp []T, a *ceArgs, gPos []T, s float64) {
	c, inner := a.c, a.inner
	for i := range invS {
		base := posBase(i, c, inner)
		g := s
		if gPos != nil {
			g *= float64(gPos[i])
		}
		var tw float64
		for k := 0; k < c; k++ {
			tw += a.w(k) * (float64(tp[base+k*inner])*(1-a.eps) + a.eps/float64(c))
		}
		f := g * tw * invS[i]
		for k := 0; k < c; k++ {
			p := base + k*inner
			t := float64(tp[p])*(1-a.eps) + a.eps/float64(c)
			dx[p] = T(float64(e[p])*f - g*a.w(k)*t)
		}
	}
}

// nllFwd computes the negative log-likelihood -w_t x_t of log-probabilities
// x with class-index targets. It returns the sum of the losses and of the
// weights of non-ignored targets, and the first bad target position or -1.
func nllFwd[T float](x []T, tgt []int, a *ceArgs, perPos []T) (sum, wsum float64, bad int) {
	c, inner := a.c, a.inner
	for i, t := range tgt {
		if t == a.ignore {
			if perPos != nil {
				perPos[i] = 0
			}
			continue
		}
		if t < 0 || t >= c {
			return 0, 0, i
		}
		wt := a.w(t)
		l := -wt * float64(x[posBase(i, c, inner)+t*inner])
		sum += l
		wsum += wt
		if perPos != nil {
			perPos[i] = T(l)
		}
	}
	return sum, wsum, -1
}

// nllBwd writes dx = -w_t s g_i at the target class, 0 elsewhere.
func nllBwd[T float](dx []T, tgt []int, a *ceArgs, gPos []T, s float64) {
	clear(dx)
	c, inner := a.c, a.inner
	for i, t := range tgt {
		if t == a.ignore {
			continue
		}
		g := s
		if gPos != nil {
			g *= float64(gPos[i])
		}
		dx[posBase(i, c, inner)+t*inner] = T(-a.w(t) * g)
	}
}

// bceFwd computes -w (y max(log x, -100) + (1-y) max(log(1-x), -100)) for
// probabilities x and targets y, elements [lo, hi). w is nil or expanded to
// x's length. It returns the sum and the first position of an x (badX) or
// y (badY) outside [0, 1], or -1.
func bceFwd[T float](x, y []T, w []float64, perPos []T, lo, hi int) (sum float64, badX, badY int) {
	for i := lo; i < hi; i++ {
		xf, yf := float64(x[i]), float64(y[i])
		if !(xf >= 0 && xf <= 1) {
			return 0, i, -1
		}
		if !(yf >= 0 && yf <= 1) {
			return 0, -1, i
		}
		l1 := max(math.Log(xf), -100)
		l0 := max(log1p(-xf), -100)
		l := -(yf*l1 + (1-yf)*l0)
		if w != nil {
			l *= w[i]
		}
		sum += l
		if perPos != nil {
			perPos[i] = T(l)
		}
	}
	return sum, -1, -1
}

// bceBwd writes PyTorch's BCE gradient (x - y) / max(x (1-x), ε) s g w,
// with ε = float32(1e-12) as in PyTorch 1.13 (for float64 too). Elements
// [lo, hi).
func bceBwd[T float](dx, x, y []T, w []float64, gPos []T, s float64, lo, hi int) {
	eps := float64(float32(1e-12))
	for i := lo; i < hi; i++ {
		xv := x[i]
		g := s
		if gPos != nil {
			g *= float64(gPos[i])
		}
		if w != nil {
			g *= w[i]
		}
		d := max(float64(T((1-xv)*xv)), eps)
		dx[i] = T((float64(xv) - float64(y[i])) / d * g)
	}
}

// log1p returns log(1+v) for v > -1 accurately also for tiny v, with
// math.Log (fast on amd64) and Goldberg's correction instead of the much
// slower math.Log1p.
func log1p(v float64) float64 {
	u := 1 + v
	if u == 1 {
		return v
	}
	return math.Log(u) * v / (u - 1)
}

// log1pUnit returns log(1+e) for e in [0, 1] as 2 atanh(s), s = e/(2+e)
// in [0, 1/3], by its series 2 Σ s^(2k+1)/(2k+1): no cancellation, and
// several times faster than math.Log here. 17 terms give double precision,
// 9 terms ~1e-10 for float32 data.
func log1pUnit[T float](e float64) float64 {
	s := e / (2 + e)
	z := s * s
	var z0 T
	if isF32(z0) {
		return 2 * s * (1 + z*(1.0/3+z*(1.0/5+z*(1.0/7+z*(1.0/9+z*(1.0/11+z*(1.0/13+z*(1.0/15+z*(1.0/17)))))))))
	}
	p := 1.0 / 33
	p = 1.0/31 + z*p
	p = 1.0/29 + z*p
	p = 1.0/27 + z*p
	p = 1.0/25 + z*p
	p = 1.0/23 + z*p
	p = 1.0/21 + z*p
	p = 1.0/19 + z*p
	p = 1.0/17 + z*p
	p = 1.0/15 + z*p
	p = 1.0/13 + z*p
	p = 1.0/11 + z*p
	p = 1.0/9 + z*p
	p = 1.0/7 + z*p
	p = 1.0/5 + z*p
	p = 1.0/3 + z*p
	return 2 * s * (1 + z*p)
}

// bceLogitsFwd computes, stably for any logit x,
// (1-y) x + lw softplus(-x), lw = 1 + (pw-1) y, softplus(-x) =
// max(-x, 0) + log1p(exp(-|x|)), times w, for elements [lo, hi). pw is nil
// or has length last (the input's last dimension); w is nil or expanded to
// x's length.
func bceLogitsFwd[T float](x, y []T, w, pw []float64, last int, perPos []T, lo, hi int) float64 {
	var sum float64
	col := lo % last
	for i := lo; i < hi; i++ {
		xf, yf := float64(x[i]), float64(y[i])
		sp := max(-xf, 0) + log1pUnit[T](expT[T](-math.Abs(xf)))
		lw := 1.0
		if pw != nil {
			lw = 1 + (pw[col]-1)*yf
		}
		l := (1-yf)*xf + lw*sp
		if w != nil {
			l *= w[i]
		}
		sum += l
		if perPos != nil {
			perPos[i] = T(l)
		}
		if col++; col == last {
			col = 0
		}
	}
	return sum
}

// bceLogitsBwd writes ((pw y + 1 - y) σ(x) - pw y) s g w (σ(x) - y without
// pos_weight), elements [lo, hi).
func bceLogitsBwd[T float](dx, x, y []T, w, pw []float64, last int, gPos []T, s float64, lo, hi int) {
	col := lo % last
	for i := lo; i < hi; i++ {
		xf, yf := float64(x[i]), float64(y[i])
		e := expT[T](-math.Abs(xf))
		sig := 1 / (1 + e)
		if xf < 0 {
			sig = e / (1 + e)
		}
		g := s
		if gPos != nil {
			g *= float64(gPos[i])
		}
		if w != nil {
			g *= w[i]
		}
		var d float64
		if pw != nil {
			t := pw[col] * yf
			d = (t+1-yf)*sig - t
		} else {
			d = sig - yf
		}
		dx[i] = T(d * g)
		if col++; col == last {
			col = 0
		}
	}
}
