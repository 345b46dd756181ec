package solvers

import (
	"github.com/stheno-ml/stheno/internal/num"
	"gorgonia.org/gorgonia"
)

// Adagrad is the Adagrad solver (with learning-rate decay, initial
// accumulator value, coupled weight decay and maximize), exactly as
// torch.optim.Adagrad (PyTorch 1.13). Create it with NewAdagrad.
type Adagrad struct {
	base
}

var _ Solver = (*Adagrad)(nil)

// NewAdagrad returns an Adagrad solver. Defaults as torch.optim.Adagrad:
// lr 1e-2, lr decay 0, weight decay 0, initial accumulator value 0,
// eps 1e-10. Accepted options: WithLearnRate, WithLRDecay,
// WithWeightDecay, WithInitialAccumulatorValue, WithEps, WithMaximize,
// WithSchedule, WithClipGradNorm, WithErrorIfNonfinite, WithGroup.
func NewAdagrad(opts ...Option) (*Adagrad, error) {
	const allowed = optLearnRate | optLRDecay | optWeightDecay | optInitAcc | optEps | optMaximize |
		optCommon
	cfg, err := build("Adagrad", hyper{lr: 1e-2, eps: 1e-10}, allowed, checkNone, opts)
	if err != nil {
		return nil, err
	}
	s := &Adagrad{}
	s.base = newBase("Adagrad", cfg, adagradAlgorithm{}, newAdagradKernel[float32](), newAdagradKernel[float64]())
	return s, nil
}

// Step updates every parameter in model in place from its gradient.
func (s *Adagrad) Step(model []gorgonia.ValueGrad) error { return s.doStep(model) }

// adagradAlgorithm: one sum of squared gradients, starting at the initial
// accumulator value.
type adagradAlgorithm struct{}

func (adagradAlgorithm) nbuf(*hyper) int { return 1 }

func (adagradAlgorithm) initBuf(hp *hyper, _ int) float64 { return hp.initAcc }

// adagradCoef are the per-step scalars of the Adagrad kernel.
type adagradCoef[T num.Float] struct {
	gs, wd, eps, nclr T
}

// array is the coefficient block the assembly kernels read.
//
//lint:ignore U1000 read by the amd64 kernels (kernels_amd64.go); unused in the purego build
func (c *adagradCoef[T]) array() [4]T { return [4]T{c.gs, c.wd, c.eps, c.nclr} }

// adagradKernel is Adagrad's update of one parameter (par.Job over its
// elements).
type adagradKernel[T num.Float] struct {
	p, g, sum []T
	c         adagradCoef[T]
	vec       *vecKernels[T]
}

func newAdagradKernel[T num.Float]() *adagradKernel[T] { return &adagradKernel[T]{vec: vecFor[T]()} }

//lint:ignore U1000 called through kernel[T] in update (staticcheck 2025.1 misses it)
func (k *adagradKernel[T]) set(ps *param, p, g []T, bufs [][]T, lr, gs float64) {
	h := ps.hp
	k.p, k.g, k.sum = p, g, bufs[0]
	clr := lr / (1 + float64(ps.step-1)*h.lrDecay)
	k.c = adagradCoef[T]{gs: T(gs), wd: T(h.weightDecay), eps: T(h.eps), nclr: T(-clr)}
}

//lint:ignore U1000 called through kernel[T] in update
func (k *adagradKernel[T]) reset() { k.p, k.g, k.sum = nil, nil, nil }

// Range updates elements [lo, hi): the vector kernel over the bulk, the Go
// loop over the rest.
func (k *adagradKernel[T]) Range(_, lo, hi int) {
	p, g, s := k.p[lo:hi], k.g[lo:hi], k.sum[lo:hi]
	i := 0
	if k.vec.adagrad != nil {
		i = k.vec.adagrad(p, g, s, &k.c)
	}
	adagradStep(p[i:], g[i:], s[i:], k.c)
}

// adagradStep is one fused Adagrad update in torch.optim.Adagrad's
// operation order, with a multiply-add fused wherever PyTorch's
// add(…, alpha=) and addcmul fuse one:
//
//	d = fma(θ, λ, g·gs)          grad.add(param, alpha=λ)
//	s = fma(d, d, s)             state_sum.addcmul_(d, d, value=1)
//	θ = θ + (−ρ_t·d)/(sqrt(s) + ε), ρ_t = ρ/(1 + (t−1)·decay)
//	                             param.addcdiv_(d, std, value=−clr)
func adagradStep[T num.Float](p, g, sum []T, c adagradCoef[T]) {
	g, sum = g[:len(p)], sum[:len(p)]
	for i := range p {
		th := p[i]
		d := fma(th, c.wd, g[i]*c.gs)
		s := fma(d, d, sum[i])
		sum[i] = s
		p[i] = th + (c.nclr*d)/(sqrt(s)+c.eps)
	}
}
