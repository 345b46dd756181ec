package solvers

import (
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
)

// float is the element type of parameters the kernels handle.
type float interface{ ~float32 | ~float64 }

// SGD is stochastic gradient descent with optional momentum, dampening,
// Nesterov momentum, coupled weight decay and maximize, exactly as
// torch.optim.SGD (PyTorch 1.13). Create it with NewSGD.
type SGD struct {
	base
	j32 sgdJob32
	j64 sgdJob64
}

var _ Solver = (*SGD)(nil)

// NewSGD returns an SGD solver. WithLearnRate is required (as in torch,
// where lr has no default). Accepted options: WithLearnRate, WithMomentum,
// WithDampening, WithNesterov, WithWeightDecay, WithMaximize, WithSchedule,
// WithClipGradNorm, WithGroup.
func NewSGD(opts ...Option) (*SGD, error) {
	const allowed = optLearnRate | optMomentum | optDampening | optNesterov | optWeightDecay |
		optMaximize | optSchedule | optClip | optGroup
	cfg, err := build("SGD", hyper{}, allowed, checkSGD, opts)
	if err != nil {
		return nil, err
	}
	if cfg.set&optLearnRate == 0 {
		return nil, errors.New("solvers: SGD: WithLearnRate is required (torch.optim.SGD has no default lr)")
	}
	s := &SGD{}
	s.base = newBase("SGD", s, cfg)
	return s, nil
}

func checkSGD(h *hyper) error {
	if h.nesterov && (h.momentum <= 0 || h.dampening != 0) {
		return errors.Errorf("solvers: WithNesterov(true) requires a positive momentum and zero dampening (momentum %v, dampening %v)", h.momentum, h.dampening)
	}
	return nil
}

// Step updates every parameter in model in place from its gradient.
func (s *SGD) Step(model []gorgonia.ValueGrad) error { return s.doStep(model) }

func (s *SGD) nbuf(hp *hyper) int {
	if hp.momentum != 0 {
		return 1
	}
	return 0
}

func (s *SGD) initBuf(*hyper, int) float64 { return 0 }

type sgdCoef[T float] struct {
	gs, wd, mom, damp1, nlr T
	first, nesterov         bool
}

func makeSGDCoef[T float](ps *param, lr, gs float64) sgdCoef[T] {
	h := ps.hp
	return sgdCoef[T]{gs: T(gs), wd: T(h.weightDecay), mom: T(h.momentum), damp1: T(1 - h.dampening),
		nlr: T(-lr), first: ps.step == 1, nesterov: h.nesterov}
}

type sgdJob[T float] struct {
	p, g, buf []T
	c         sgdCoef[T]
}

func (j *sgdJob[T]) run(lo, hi int) {
	var buf []T
	if j.buf != nil {
		buf = j.buf[lo:hi]
	}
	sgdStep(j.p[lo:hi], j.g[lo:hi], buf, j.c)
}

// sgdJob32 and sgdJob64 run the vector kernel (AVX2 on amd64) over the
// bulk of a chunk and the Go loop over its tail.
type sgdJob32 struct{ sgdJob[float32] }

func (j *sgdJob32) run(lo, hi int) {
	if j.buf == nil {
		j.sgdJob.run(lo, hi)
		return
	}
	p, g, b := j.p[lo:hi], j.g[lo:hi], j.buf[lo:hi]
	k := sgdVec32(p, g, b, &j.c)
	sgdStep(p[k:], g[k:], b[k:], j.c)
}

type sgdJob64 struct{ sgdJob[float64] }

func (j *sgdJob64) run(lo, hi int) {
	if j.buf == nil {
		j.sgdJob.run(lo, hi)
		return
	}
	p, g, b := j.p[lo:hi], j.g[lo:hi], j.buf[lo:hi]
	k := sgdVec64(p, g, b, &j.c)
	sgdStep(p[k:], g[k:], b[k:], j.c)
}

// sgdStep is one fused SGD update: d = g·gs + λθ; b = μb + (1−τ)d (b = d on
// the first step); d = d + μb (Nesterov) or b; θ = θ − ρd.
func sgdStep[T float](p, g, buf []T, c sgdCoef[T]) {
	g = g[:len(p)]
	switch {
	case buf == nil:
		for i := range p {
			d := g[i]*c.gs + c.wd*p[i]
			p[i] += c.nlr * d
		}
	case c.first:
		buf = buf[:len(p)]
		for i := range p {
			d := g[i]*c.gs + c.wd*p[i]
			buf[i] = d
			if c.nesterov {
				d += c.mom * d
			}
			p[i] += c.nlr * d
		}
	case c.nesterov:
		buf = buf[:len(p)]
		for i := range p {
			d := g[i]*c.gs + c.wd*p[i]
			b := buf[i]*c.mom + c.damp1*d
			buf[i] = b
			d += c.mom * b
			p[i] += c.nlr * d
		}
	default:
		buf = buf[:len(p)]
		for i := range p {
			d := g[i]*c.gs + c.wd*p[i]
			b := buf[i]*c.mom + c.damp1*d
			buf[i] = b
			p[i] += c.nlr * b
		}
	}
}

func (s *SGD) update32(ps *param, p, g []float32, lr, gs float64) {
	j := &s.j32
	j.p, j.g, j.buf, j.c = p, g, nil, makeSGDCoef[float32](ps, lr, gs)
	if len(ps.b32) > 0 {
		j.buf = ps.b32[0]
	}
	s.pool.run(j, len(p))
	j.p, j.g, j.buf = nil, nil, nil
}

func (s *SGD) update64(ps *param, p, g []float64, lr, gs float64) {
	j := &s.j64
	j.p, j.g, j.buf, j.c = p, g, nil, makeSGDCoef[float64](ps, lr, gs)
	if len(ps.b64) > 0 {
		j.buf = ps.b64[0]
	}
	s.pool.run(j, len(p))
	j.p, j.g, j.buf = nil, nil, nil
}
