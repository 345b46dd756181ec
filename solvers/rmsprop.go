package solvers

import (
	"gorgonia.org/gorgonia"
)

// RMSProp is the RMSProp solver (with optional centering, momentum, coupled
// weight decay and maximize), exactly as torch.optim.RMSprop (PyTorch
// 1.13). Create it with NewRMSProp.
type RMSProp struct {
	base
	j32 rmspropJob32
	j64 rmspropJob64
}

var _ Solver = (*RMSProp)(nil)

// NewRMSProp returns an RMSProp solver. Defaults as torch.optim.RMSprop:
// lr 1e-2, alpha 0.99, eps 1e-8, weight decay 0, momentum 0, not centered.
// Accepted options: WithLearnRate, WithAlpha, WithEps, WithWeightDecay,
// WithMomentum, WithCentered, WithMaximize, WithSchedule,
// WithClipGradNorm, WithGroup.
func NewRMSProp(opts ...Option) (*RMSProp, error) {
	const allowed = optLearnRate | optAlpha | optEps | optWeightDecay | optMomentum | optCentered |
		optMaximize | optSchedule | optClip | optGroup
	cfg, err := build("RMSProp", hyper{lr: 1e-2, alpha: 0.99, eps: 1e-8}, allowed, checkNone, opts)
	if err != nil {
		return nil, err
	}
	s := &RMSProp{}
	s.base = newBase("RMSProp", s, cfg)
	return s, nil
}

// Step updates every parameter in model in place from its gradient.
func (s *RMSProp) Step(model []gorgonia.ValueGrad) error { return s.doStep(model) }

// Buffers: 0 square average, 1 gradient average (centered), then the
// momentum buffer (momentum > 0).
func (s *RMSProp) nbuf(hp *hyper) int {
	n := 1
	if hp.centered {
		n++
	}
	if hp.momentum > 0 {
		n++
	}
	return n
}

func (s *RMSProp) initBuf(*hyper, int) float64 { return 0 }

type rmspropCoef[T float] struct {
	gs, wd, alpha, oma, eps, mom, nlr T
}

type rmspropJob[T float] struct {
	p, g, sq, ga, buf []T
	c                 rmspropCoef[T]
}

func sub[T float](s []T, lo, hi int) []T {
	if s == nil {
		return nil
	}
	return s[lo:hi]
}

func (j *rmspropJob[T]) run(lo, hi int) {
	rmspropStep(j.p[lo:hi], j.g[lo:hi], j.sq[lo:hi], sub(j.ga, lo, hi), sub(j.buf, lo, hi), j.c)
}

// rmspropJob32 and rmspropJob64 run the vector kernel (AVX2 on amd64, not
// centered) over the bulk of a chunk and the Go loop over its tail.
type rmspropJob32 struct{ rmspropJob[float32] }

func (j *rmspropJob32) run(lo, hi int) {
	if j.ga != nil {
		j.rmspropJob.run(lo, hi)
		return
	}
	p, g, sq, buf := j.p[lo:hi], j.g[lo:hi], j.sq[lo:hi], sub(j.buf, lo, hi)
	k := rmspropVec32(p, g, sq, buf, &j.c)
	rmspropStep(p[k:], g[k:], sq[k:], nil, sub(buf, k, len(p)), j.c)
}

type rmspropJob64 struct{ rmspropJob[float64] }

func (j *rmspropJob64) run(lo, hi int) {
	if j.ga != nil {
		j.rmspropJob.run(lo, hi)
		return
	}
	p, g, sq, buf := j.p[lo:hi], j.g[lo:hi], j.sq[lo:hi], sub(j.buf, lo, hi)
	k := rmspropVec64(p, g, sq, buf, &j.c)
	rmspropStep(p[k:], g[k:], sq[k:], nil, sub(buf, k, len(p)), j.c)
}

// rmspropStep is one fused RMSProp update:
//
//	d = g·gs + λθ ; s = αs + (1−α)d² ; a = αa + (1−α)d (centered)
//	r = sqrt(s − a²) (centered) or sqrt(s), plus ε
//	b = μb + d/r ; θ = θ − ρb (momentum) or θ = θ − ρ d/r
func rmspropStep[T float](p, g, sq, ga, buf []T, c rmspropCoef[T]) {
	g, sq = g[:len(p)], sq[:len(p)]
	if ga != nil {
		ga = ga[:len(p)]
	}
	if buf != nil {
		buf = buf[:len(p)]
	}
	for i := range p {
		th := p[i]
		d := g[i]*c.gs + c.wd*th
		s := sq[i]*c.alpha + c.oma*d*d
		sq[i] = s
		var r T
		if ga != nil {
			a := ga[i]*c.alpha + c.oma*d
			ga[i] = a
			r = sqrt(s-a*a) + c.eps
		} else {
			r = sqrt(s) + c.eps
		}
		if buf != nil {
			b := buf[i]*c.mom + d/r
			buf[i] = b
			p[i] = th + c.nlr*b
		} else {
			p[i] = th + c.nlr*(d/r)
		}
	}
}

func rmspropBufs[T float](hp *hyper, bufs [][]T) (sq, ga, buf []T) {
	sq = bufs[0]
	k := 1
	if hp.centered {
		ga = bufs[k]
		k++
	}
	if hp.momentum > 0 {
		buf = bufs[k]
	}
	return sq, ga, buf
}

func makeRMSPropCoef[T float](hp *hyper, lr, gs float64) rmspropCoef[T] {
	return rmspropCoef[T]{gs: T(gs), wd: T(hp.weightDecay), alpha: T(hp.alpha), oma: T(1 - hp.alpha),
		eps: T(hp.eps), mom: T(hp.momentum), nlr: T(-lr)}
}

func (s *RMSProp) update32(ps *param, p, g []float32, lr, gs float64) {
	j := &s.j32
	j.p, j.g = p, g
	j.sq, j.ga, j.buf = rmspropBufs(ps.hp, ps.b32)
	j.c = makeRMSPropCoef[float32](ps.hp, lr, gs)
	s.pool.run(j, len(p))
	*j = rmspropJob32{}
}

func (s *RMSProp) update64(ps *param, p, g []float64, lr, gs float64) {
	j := &s.j64
	j.p, j.g = p, g
	j.sq, j.ga, j.buf = rmspropBufs(ps.hp, ps.b64)
	j.c = makeRMSPropCoef[float64](ps.hp, lr, gs)
	s.pool.run(j, len(p))
	*j = rmspropJob64{}
}
