package solvers

import (
	"github.com/stheno-ml/stheno/internal/num"
	"gorgonia.org/gorgonia"
)

// RMSProp is the RMSProp solver (with optional centering, momentum, coupled
// weight decay and maximize), exactly as torch.optim.RMSprop (PyTorch
// 1.13). Create it with NewRMSProp.
type RMSProp struct {
	base
}

var _ Solver = (*RMSProp)(nil)

// NewRMSProp returns an RMSProp solver. Defaults as torch.optim.RMSprop:
// lr 1e-2, alpha 0.99, eps 1e-8, weight decay 0, momentum 0, not centered.
// Accepted options: WithLearnRate, WithAlpha, WithEps, WithWeightDecay,
// WithMomentum, WithCentered, WithMaximize, WithSchedule,
// WithClipGradNorm, WithErrorIfNonfinite, WithGroup.
func NewRMSProp(opts ...Option) (*RMSProp, error) {
	const allowed = optLearnRate | optAlpha | optEps | optWeightDecay | optMomentum | optCentered |
		optMaximize | optCommon
	cfg, err := build("RMSProp", hyper{lr: 1e-2, alpha: 0.99, eps: 1e-8}, allowed, checkNone, opts)
	if err != nil {
		return nil, err
	}
	s := &RMSProp{}
	s.base = newBase("RMSProp", cfg, rmspropAlgorithm{}, newRMSPropKernel[float32](), newRMSPropKernel[float64]())
	return s, nil
}

// Step updates every parameter in model in place from its gradient.
func (s *RMSProp) Step(model []gorgonia.ValueGrad) error { return s.doStep(model) }

// rmspropAlgorithm: buffer 0 is the square average, then the gradient
// average (centered), then the momentum buffer (momentum > 0).
type rmspropAlgorithm struct{}

func (rmspropAlgorithm) nbuf(hp *hyper) int {
	n := 1
	if hp.centered {
		n++
	}
	if hp.momentum > 0 {
		n++
	}
	return n
}

func (rmspropAlgorithm) initBuf(*hyper, int) float64 { return 0 }

// rmspropCoef are the per-step scalars of the RMSProp kernel.
type rmspropCoef[T num.Float] struct {
	gs, wd, alpha, oma, eps, mom, nlr T
}

// array is the coefficient block the assembly kernels read.
//
//lint:ignore U1000 read by the amd64 kernels (kernels_amd64.go); unused in the purego build
func (c *rmspropCoef[T]) array() [7]T { return [7]T{c.gs, c.wd, c.alpha, c.oma, c.eps, c.mom, c.nlr} }

// rmspropKernel is RMSProp's update of one parameter (par.Job over its
// elements).
type rmspropKernel[T num.Float] struct {
	p, g, sq, ga, buf []T
	c                 rmspropCoef[T]
	vec               *vecKernels[T]
}

func newRMSPropKernel[T num.Float]() *rmspropKernel[T] { return &rmspropKernel[T]{vec: vecFor[T]()} }

//lint:ignore U1000 called through kernel[T] in update (staticcheck 2025.1 misses it)
func (k *rmspropKernel[T]) set(ps *param, p, g []T, bufs [][]T, lr, gs float64) {
	h := ps.hp
	k.p, k.g, k.sq, k.ga, k.buf = p, g, bufs[0], nil, nil
	i := 1
	if h.centered {
		k.ga = bufs[i]
		i++
	}
	if h.momentum > 0 {
		k.buf = bufs[i]
	}
	k.c = rmspropCoef[T]{gs: T(gs), wd: T(h.weightDecay), alpha: T(h.alpha), oma: T(1 - h.alpha),
		eps: T(h.eps), mom: T(h.momentum), nlr: T(-lr)}
}

//lint:ignore U1000 called through kernel[T] in update
func (k *rmspropKernel[T]) reset() { k.p, k.g, k.sq, k.ga, k.buf = nil, nil, nil, nil, nil }

// Range updates elements [lo, hi): the vector kernel over the bulk, the Go
// loop over the rest.
func (k *rmspropKernel[T]) Range(_, lo, hi int) {
	p, g, sq, ga, buf := k.p[lo:hi], k.g[lo:hi], k.sq[lo:hi], sub(k.ga, lo, hi), sub(k.buf, lo, hi)
	i := 0
	if k.vec.rmsprop != nil {
		i = k.vec.rmsprop(p, g, sq, ga, buf, &k.c)
	}
	rmspropStep(p[i:], g[i:], sq[i:], sub(ga, i, len(p)), sub(buf, i, len(p)), k.c)
}

// rmspropStep is one fused RMSProp update in torch.optim.RMSprop's
// operation order, with a multiply-add fused wherever PyTorch's
// add(…, alpha=) and addcmul fuse one:
//
//	d = fma(θ, λ, g·gs)                grad.add(param, alpha=λ)
//	s = fma(d·(1−α), d, s·α)           square_avg.mul_(α).addcmul_(d, d, value=1−α)
//	a = fma(d, 1−α, a·α) (centered)    grad_avg.mul_(α).add_(d, alpha=1−α)
//	r = sqrt(fma(−a, a, s)) (centered) or sqrt(s), plus ε
//	b = b·μ + d/r ; θ = fma(b, −ρ, θ)  buf.mul_(μ).addcdiv_(d, r); param.add_(buf, alpha=−ρ)
//	or θ = θ + (−ρ·d)/r                param.addcdiv_(d, r, value=−ρ)
func rmspropStep[T num.Float](p, g, sq, ga, buf []T, c rmspropCoef[T]) {
	g, sq = g[:len(p)], sq[:len(p)]
	if ga != nil {
		ga = ga[:len(p)]
	}
	if buf != nil {
		buf = buf[:len(p)]
	}
	for i := range p {
		th := p[i]
		d := fma(th, c.wd, g[i]*c.gs)
		s := fma(d*c.oma, d, sq[i]*c.alpha)
		sq[i] = s
		var r T
		if ga != nil {
			a := fma(d, c.oma, ga[i]*c.alpha)
			ga[i] = a
			r = sqrt(fma(-a, a, s)) + c.eps
		} else {
			r = sqrt(s) + c.eps
		}
		if buf != nil {
			b := T(buf[i]*c.mom) + d/r // T(): not fused (torch rounds the mul_)
			buf[i] = b
			p[i] = fma(b, c.nlr, th)
		} else {
			p[i] = th + (c.nlr*d)/r
		}
	}
}
