package solvers

import (
	"github.com/pkg/errors"
	"github.com/stheno-ml/stheno/internal/num"
	"gorgonia.org/gorgonia"
)

// SGD is stochastic gradient descent with optional momentum, dampening,
// Nesterov momentum, coupled weight decay and maximize, exactly as
// torch.optim.SGD (PyTorch 1.13). Create it with NewSGD.
type SGD struct {
	base
}

var _ Solver = (*SGD)(nil)

// NewSGD returns an SGD solver. WithLearnRate is required (as in torch,
// where lr has no default). Accepted options: WithLearnRate, WithMomentum,
// WithDampening, WithNesterov, WithWeightDecay, WithMaximize, WithSchedule,
// WithClipGradNorm, WithErrorIfNonfinite, WithGroup.
func NewSGD(opts ...Option) (*SGD, error) {
	const allowed = optLearnRate | optMomentum | optDampening | optNesterov | optWeightDecay |
		optMaximize | optCommon
	cfg, err := build("SGD", hyper{}, allowed, checkSGD, opts)
	if err != nil {
		return nil, err
	}
	if cfg.set&optLearnRate == 0 {
		return nil, errors.New("solvers: SGD: WithLearnRate is required (torch.optim.SGD has no default lr)")
	}
	s := &SGD{}
	s.base = newBase("SGD", cfg, sgdAlgorithm{}, newSGDKernel[float32](), newSGDKernel[float64]())
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

// sgdAlgorithm: one momentum buffer when momentum is on.
type sgdAlgorithm struct{}

func (sgdAlgorithm) nbuf(hp *hyper) int {
	if hp.momentum != 0 {
		return 1
	}
	return 0
}

func (sgdAlgorithm) initBuf(*hyper, int) float64 { return 0 }

// sgdCoef are the per-step scalars of the SGD kernel.
type sgdCoef[T num.Float] struct {
	gs, wd, mom, damp1, nlr T
	first, nesterov         bool
}

// array is the coefficient block the assembly kernels read.
//
//lint:ignore U1000 read by the amd64 kernels (kernels_amd64.go); unused in the purego build
func (c *sgdCoef[T]) array() [5]T { return [5]T{c.gs, c.wd, c.mom, c.damp1, c.nlr} }

// sgdKernel is SGD's update of one parameter (par.Job over its elements).
type sgdKernel[T num.Float] struct {
	p, g, buf []T
	c         sgdCoef[T]
	vec       *vecKernels[T]
}

func newSGDKernel[T num.Float]() *sgdKernel[T] { return &sgdKernel[T]{vec: vecFor[T]()} }

//lint:ignore U1000 called through kernel[T] in update (staticcheck 2025.1 misses it)
func (k *sgdKernel[T]) set(ps *param, p, g []T, bufs [][]T, lr, gs float64) {
	h := ps.hp
	k.p, k.g, k.buf = p, g, nil
	if len(bufs) > 0 {
		k.buf = bufs[0]
	}
	k.c = sgdCoef[T]{gs: T(gs), wd: T(h.weightDecay), mom: T(h.momentum), damp1: T(1 - h.dampening),
		nlr: T(-lr), first: ps.step == 1, nesterov: h.nesterov}
}

//lint:ignore U1000 called through kernel[T] in update
func (k *sgdKernel[T]) reset() { k.p, k.g, k.buf = nil, nil, nil }

// Range updates elements [lo, hi): the vector kernel over the bulk (but
// on the first step with momentum), the Go loop over the rest.
func (k *sgdKernel[T]) Range(_, lo, hi int) {
	p, g, buf := k.p[lo:hi], k.g[lo:hi], sub(k.buf, lo, hi)
	i := 0
	switch {
	case buf == nil:
		if k.vec.sgdPlain != nil {
			i = k.vec.sgdPlain(p, g, &k.c)
		}
	case k.c.first: // one step in a run: the Go loop
	case k.c.nesterov:
		if k.vec.sgdNesterov != nil {
			i = k.vec.sgdNesterov(p, g, buf, &k.c)
		}
	default:
		if k.vec.sgdMom != nil {
			i = k.vec.sgdMom(p, g, buf, &k.c)
		}
	}
	sgdStep(p[i:], g[i:], sub(buf, i, len(p)), k.c)
}

// sgdStep is one fused SGD update in torch.optim.SGD's operation order,
// with a multiply-add fused wherever PyTorch's add(…, alpha=) fuses one:
//
//	d = fma(θ, λ, g·gs)                       grad.add(param, alpha=λ)
//	b = d (first step) or fma(d, 1−τ, b·μ)    buf.mul_(μ).add_(d, alpha=1−τ)
//	d = fma(b, μ, d) (Nesterov) or b          d.add(buf, alpha=μ)
//	θ = fma(d, −ρ, θ)                         param.add_(d, alpha=−ρ)
func sgdStep[T num.Float](p, g, buf []T, c sgdCoef[T]) {
	g = g[:len(p)]
	switch {
	case buf == nil:
		for i := range p {
			d := fma(p[i], c.wd, g[i]*c.gs)
			p[i] = fma(d, c.nlr, p[i])
		}
	case c.first:
		buf = buf[:len(p)]
		for i := range p {
			d := fma(p[i], c.wd, g[i]*c.gs)
			buf[i] = d
			if c.nesterov {
				d = fma(d, c.mom, d)
			}
			p[i] = fma(d, c.nlr, p[i])
		}
	case c.nesterov:
		buf = buf[:len(p)]
		for i := range p {
			d := fma(p[i], c.wd, g[i]*c.gs)
			b := fma(d, c.damp1, buf[i]*c.mom)
			buf[i] = b
			p[i] = fma(fma(b, c.mom, d), c.nlr, p[i])
		}
	default:
		buf = buf[:len(p)]
		for i := range p {
			d := fma(p[i], c.wd, g[i]*c.gs)
			b := fma(d, c.damp1, buf[i]*c.mom)
			buf[i] = b
			p[i] = fma(b, c.nlr, p[i])
		}
	}
}
