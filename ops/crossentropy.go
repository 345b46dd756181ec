package ops

import (
	"fmt"
	"math"
	"unsafe"

	"github.com/pkg/errors"
	"github.com/stheno-ml/stheno/internal/num"
	"github.com/stheno-ml/stheno/internal/par"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// CrossEntropy returns the cross-entropy loss between logits and target,
// with the semantics of torch.nn.functional.cross_entropy (PyTorch 1.13):
// log_softmax over the class dimension and the negative log-likelihood,
// fused and computed stably (max-shifted log-sum-exp).
//
// logits has shape (N, C), (N, C, d1, ..., dK) or (C) (unbatched), dtype
// Float64 or Float32. target is either
//   - class indices: an Int, Int64 or Int32 node of shape (N),
//     (N, d1, ..., dK) or () for unbatched input; or
//   - class probabilities: a node with the logits' shape and dtype.
//
// Options: WithReduction (default Mean), WithWeight (per-class weights,
// shape (C)), WithIgnoreIndex (default -100; class-index targets only —
// an error with probability targets), WithLabelSmoothing.
// With Mean, class-index losses are divided by the sum of the weights of
// the non-ignored targets (NaN if all are ignored); probability-target
// losses by the number of positions N*d1*...*dK.
//
// The result is a scalar node (Mean, Sum) or has the target's shape (None).
// Gradients flow to logits only: the target gets none, also for
// probability targets (where PyTorch would compute one).
//
// A class index outside [0, C) that is not the ignore index makes the VM's
// run return an error naming it.
func CrossEntropy(logits, target *G.Node, opts ...LossOpt) (*G.Node, error) {
	const name = "CrossEntropy"
	cfg, err := newLossConfig(name, []string{"WithReduction", "WithWeight", "WithIgnoreIndex", "WithLabelSmoothing"}, opts)
	if err != nil {
		return nil, err
	}
	s, a, prob, err := classSpec(name, logits, target, cfg, true)
	if err != nil {
		return nil, err
	}
	return applyLoss(s.dt, newCE[float32](s, a, prob), newCE[float64](s, a, prob), logits, target)
}

// ceArgs is the configuration of the cross-entropy and NLL kernels. A
// tensor is seen as (outer, c, inner): c is the class axis, and a position
// i = n*inner + j is one row along it (see posBase).
type ceArgs struct {
	c, inner int
	nPos     int       // number of positions
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

// classSpec checks the nodes and options of CrossEntropy and NLL and
// returns their spec and kernel arguments; prob reports probability
// targets (allowed only if probOK).
func classSpec(name string, x, target *G.Node, cfg *lossConfig, probOK bool) (*lossSpec, ceArgs, bool, error) {
	var a ceArgs
	if x == nil || target == nil {
		return nil, a, false, errors.Errorf("ops: %s: nil node", name)
	}
	dt := x.Dtype()
	if !isFloat(dt) {
		return nil, a, false, errors.Errorf("ops: %s: input has dtype %v, want Float64 or Float32", name, dt)
	}
	xs := x.Shape()
	if xs.Dims() < 1 {
		return nil, a, false, errors.Errorf("ops: %s: input must have shape (C), (N, C) or (N, C, d1, ...), got a scalar", name)
	}
	cdim := 1
	if xs.Dims() == 1 {
		cdim = 0
	}
	c := xs[cdim]
	if c < 1 {
		return nil, a, false, errors.Errorf("ops: %s: input %v has no classes", name, xs)
	}
	inner := 1
	for _, d := range xs[cdim+1:] {
		inner *= d
	}
	// per-position shape: the input's shape without the class dimension
	pos := append(tensor.Shape{}, xs[:cdim]...)
	pos = append(pos, xs[cdim+1:]...)
	nPos := pos.TotalSize()
	if len(pos) == 0 {
		nPos = 1
	}
	ts, tdt := target.Shape(), target.Dtype()
	prob := false
	switch {
	case isIndex(tdt):
		if !num.SameShape(ts, pos) {
			return nil, a, false, errors.Errorf("ops: %s: class-index target has shape %v, want %v for input %v", name, ts, pos, xs)
		}
	case isFloat(tdt):
		if !probOK {
			return nil, a, false, errors.Errorf("ops: %s: target has dtype %v; %s needs class indices (Int, Int64 or Int32)", name, tdt, name)
		}
		if tdt != dt {
			return nil, a, false, errors.Errorf("ops: %s: probability target has dtype %v, want the input's dtype %v", name, tdt, dt)
		}
		if !num.SameShape(ts, xs) {
			return nil, a, false, errors.Errorf("ops: %s: probability target has shape %v, want the input's shape %v", name, ts, xs)
		}
		if cfg.has("WithIgnoreIndex") {
			return nil, a, false, errors.Errorf("ops: %s: option WithIgnoreIndex does not apply to probability targets", name)
		}
		prob = true
	default:
		return nil, a, false, errors.Errorf("ops: %s: target has dtype %v, want class indices (Int, Int64, Int32) or probabilities (the input's dtype)", name, tdt)
	}
	a = ceArgs{c: c, inner: inner, nPos: nPos, ignore: cfg.ignore, eps: cfg.smoothing, wtot: float64(c)}
	s := &lossSpec{name: name, dt: dt, in: []tensor.Shape{xs.Clone(), ts.Clone()}, inDt: []tensor.Dtype{dt, tdt},
		diff: []bool{true, false}, red: cfg.reduction, out: pos}
	if cfg.weight != nil {
		if !num.SameShape(cfg.weight.Shape(), tensor.Shape{c}) {
			return nil, a, false, errors.Errorf("ops: %s: weight has shape %v, want (%d) (one per class)", name, cfg.weight.Shape(), c)
		}
		w, err := floatsOfConst(name, "weight", cfg.weight, dt)
		if err != nil {
			return nil, a, false, err
		}
		a.weight, a.wtot = w, 0
		for _, v := range w {
			a.wtot += v
		}
		s.hashed = [][]float64{w}
	}
	s.config = fmt.Sprintf("reduction=%v, ignore_index=%d, label_smoothing=%v, weighted=%v, prob=%v", cfg.reduction, cfg.ignore, cfg.smoothing, cfg.weight != nil, prob)
	return s, a, prob, nil
}

// crossEntropy is CrossEntropy's loss. Its forward caches
// e = exp(x - rowmax) and 1/Σe per position for the backward.
type crossEntropy[T num.Float] struct {
	s      *lossSpec
	a      ceArgs
	prob   bool
	tgt    []int // class indices converted from Int64 or Int32
	e      []T
	invS   []float64
	cacheX *T      // data of the input the cache holds
	wsum   float64 // Σ weights of the non-ignored targets
	fwd    ceFwdJob[T]
	bwd    ceBwdJob[T]
}

func newCE[T num.Float](s *lossSpec, a ceArgs, prob bool) *crossEntropy[T] {
	return &crossEntropy[T]{s: s, a: a, prob: prob}
}

func (l *crossEntropy[T]) spec() *lossSpec { return l.s }

func (l *crossEntropy[T]) forward(in []G.Value, perPos []T) (float64, error) {
	s, a := l.s, &l.a
	x, err := floatsOf[T](s.name, "input", in[0], s.in[0])
	if err != nil {
		return 0, err
	}
	l.e = num.Grow(l.e, len(x))
	l.invS = num.Grow(l.invS, a.nPos)
	l.cacheX = nil
	if l.prob {
		tp, err := floatsOf[T](s.name, "target", in[1], s.in[1])
		if err != nil {
			return 0, err
		}
		sum := ceProbFwd(x, tp, a, l.e, l.invS, perPos)
		l.cacheX = unsafe.SliceData(x)
		return s.reduce(sum, a.nPos), nil
	}
	l.tgt = num.Grow(l.tgt, a.nPos)
	tgt, err := intsOf(s.name, in[1], s.in[1], l.tgt)
	if err != nil {
		return 0, err
	}
	j := &l.fwd
	j.x, j.tgt, j.a, j.e, j.invS, j.perPos = x, tgt, a, l.e, l.invS, perPos
	nllSum, smSum, wsum, bad := j.run()
	j.x, j.tgt, j.perPos = nil, nil, nil
	if bad >= 0 {
		return 0, errors.Errorf("ops: %s: target%s = %d out of range [0, %d)", s.name, posString(bad, s.in[1]), tgt[bad], a.c)
	}
	l.cacheX = unsafe.SliceData(x)
	l.wsum = wsum
	eps, c := a.eps, float64(a.c)
	if s.red == Mean {
		// PyTorch divides both parts by the weights (or count) of the
		// non-ignored targets.
		v := (1 - eps) * nllSum / wsum
		if eps > 0 {
			v += eps / c * smSum / wsum
		}
		return v, nil
	}
	return (1-eps)*nllSum + eps/c*smSum, nil
}

func (l *crossEntropy[T]) backward(d [][]T, in []G.Value, sv float64, g []T) error {
	s, a := l.s, &l.a
	x, err := floatsOf[T](s.name, "input", in[0], s.in[0])
	if err != nil {
		return err
	}
	if l.cacheX != unsafe.SliceData(x) {
		// The forward did not run on this input: refresh the cache.
		if _, err := l.forward(in, nil); err != nil {
			return err
		}
	}
	if l.prob {
		tp, err := floatsOf[T](s.name, "target", in[1], s.in[1])
		if err != nil {
			return err
		}
		ceProbBwd(d[0], l.e, l.invS, tp, a, g, s.scale(sv, a.nPos))
		return nil
	}
	tgt, err := intsOf(s.name, in[1], s.in[1], l.tgt)
	if err != nil {
		return err
	}
	if s.red == Mean {
		sv /= l.wsum
	}
	j := &l.bwd
	j.dx, j.e, j.invS, j.tgt, j.a, j.gPos, j.sN, j.sS = d[0], l.e, l.invS, tgt, a, g, sv, sv
	j.run()
	j.dx, j.tgt, j.gPos = nil, nil, nil
	return nil
}

// parMinWork is the number of elements below which a kernel runs as one
// part: below it the hand-off costs more than it saves.
const parMinWork = 1 << 15

// minRows returns the fewest rows of c elements worth a part of their own.
func minRows(c int) int { return max(1, parMinWork/max(c, 1)) }

// ceFwdJob runs ceIndexFwd over parts of the positions (par.For); the
// partial sums are kept per part and added in order, so the result does
// not depend on the number of threads.
type ceFwdJob[T num.Float] struct {
	x, e, perPos  []T
	tgt           []int
	a             *ceArgs
	invS          []float64
	nll, sm, wsum [par.MaxParts]float64
	bad           [par.MaxParts]int
}

func (j *ceFwdJob[T]) Range(p, lo, hi int) {
	j.nll[p], j.sm[p], j.wsum[p], j.bad[p] = ceIndexFwd(j.x, j.tgt, j.a, j.e, j.invS, j.perPos, lo, hi)
}

// run returns the sums over all positions and the first bad position.
func (j *ceFwdJob[T]) run() (nll, sm, wsum float64, bad int) {
	parts := par.For(len(j.tgt), minRows(j.a.c), j)
	for p := 0; p < parts; p++ {
		if j.bad[p] >= 0 {
			return 0, 0, 0, j.bad[p]
		}
		nll += j.nll[p]
		sm += j.sm[p]
		wsum += j.wsum[p]
	}
	return nll, sm, wsum, -1
}

// ceBwdJob runs ceIndexBwd over parts of the positions.
type ceBwdJob[T num.Float] struct {
	dx, e, gPos []T
	tgt         []int
	a           *ceArgs
	invS        []float64
	sN, sS      float64
}

func (j *ceBwdJob[T]) Range(_, lo, hi int) {
	ceIndexBwd(j.dx, j.e, j.invS, j.tgt, j.a, j.gPos, j.sN, j.sS, lo, hi)
}

func (j *ceBwdJob[T]) run() { par.For(len(j.tgt), minRows(j.a.c), j) }

// ceIndexFwd computes cross-entropy with class-index targets. It caches
// e = exp(x - rowmax) and invS = 1/Σe per position for the backward pass,
// writes the per-position loss to perPos if it is not nil, and returns the
// sums of the (weighted) NLL parts, of the smoothing parts and of the
// weights of non-ignored targets. bad is the first position whose target is
// out of range and not the ignore index, or -1. It covers positions
// [lo, hi).
func ceIndexFwd[T num.Float](x []T, tgt []int, a *ceArgs, e []T, invS []float64, perPos []T, lo, hi int) (nllSum, smSum, wsum float64, bad int) {
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
func ceIndexBwd[T num.Float](dx, e []T, invS []float64, tgt []int, a *ceArgs, gPos []T, sN, sS float64, lo, hi int) {
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
			switch {
			case inner == 1 && num.Is32[T]():
				axpbF32(f32(dx[base:base+c]), f32(e[base:base+c]), float32(f), float32(-aS))
			case inner == 1:
				er, dr := e[base:base+c], dx[base:base+c]
				for k, v := range er {
					dr[k] = T(float64(v)*f - aS)
				}
			default:
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
func ceProbFwd[T num.Float](x, tp []T, a *ceArgs, e []T, invS []float64, perPos []T) float64 {
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
func ceProbBwd[T num.Float](dx, e []T, invS []float64, tp []T, a *ceArgs, gPos []T, s float64) {
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
