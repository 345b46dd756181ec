package solvers

import (
	"math"

	"github.com/stheno-ml/stheno/internal/num"
	"gorgonia.org/gorgonia"
)

// Adam is the Adam solver (with optional AMSGrad, coupled weight decay and
// maximize), exactly as torch.optim.Adam (PyTorch 1.13). AdamW is the
// same kernel with decoupled weight decay. Create them with NewAdam and
// NewAdamW.
type Adam struct {
	base
}

// AdamW is Adam with decoupled weight decay (Loshchilov & Hutter), exactly
// as torch.optim.AdamW (PyTorch 1.13): θ ← θ(1 − ρλ) before the Adam update.
type AdamW struct {
	Adam
}

var (
	_ Solver = (*Adam)(nil)
	_ Solver = (*AdamW)(nil)
)

const adamAllowed = optLearnRate | optBetas | optEps | optWeightDecay | optAMSGrad | optMaximize |
	optCommon

func adamDefaults() hyper {
	return hyper{lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8}
}

func checkNone(*hyper) error { return nil }

// NewAdam returns an Adam solver. Defaults as torch.optim.Adam: lr 1e-3,
// betas (0.9, 0.999), eps 1e-8, weight decay 0 (coupled: g ← g + λθ),
// no AMSGrad. Accepted options: WithLearnRate, WithBetas, WithEps,
// WithWeightDecay, WithAMSGrad, WithMaximize, WithSchedule,
// WithClipGradNorm, WithErrorIfNonfinite, WithGroup.
func NewAdam(opts ...Option) (*Adam, error) {
	cfg, err := build("Adam", adamDefaults(), adamAllowed, checkNone, opts)
	if err != nil {
		return nil, err
	}
	s := &Adam{}
	s.base = newBase("Adam", cfg, adamAlgorithm{}, newAdamKernel[float32](false), newAdamKernel[float64](false))
	return s, nil
}

// NewAdamW returns an AdamW solver. Defaults as torch.optim.AdamW: lr 1e-3,
// betas (0.9, 0.999), eps 1e-8, weight decay 0.01 (decoupled), no AMSGrad.
// It accepts the same options as NewAdam.
func NewAdamW(opts ...Option) (*AdamW, error) {
	d := adamDefaults()
	d.weightDecay = 0.01
	cfg, err := build("AdamW", d, adamAllowed, checkNone, opts)
	if err != nil {
		return nil, err
	}
	s := &AdamW{}
	s.base = newBase("AdamW", cfg, adamAlgorithm{}, newAdamKernel[float32](true), newAdamKernel[float64](true))
	return s, nil
}

// Step updates every parameter in model in place from its gradient.
func (s *Adam) Step(model []gorgonia.ValueGrad) error { return s.doStep(model) }

// adamAlgorithm: first and second moments, plus the running maximum of the
// second moment with AMSGrad.
type adamAlgorithm struct{}

func (adamAlgorithm) nbuf(hp *hyper) int {
	if hp.amsgrad {
		return 3
	}
	return 2
}

func (adamAlgorithm) initBuf(*hyper, int) float64 { return 0 }

// adamCoef are the per-step scalars of the fused Adam kernel.
type adamCoef[T num.Float] struct {
	gs, wd, decay, b1, omb1, b2, omb2, bc2Sqrt, eps, nstep T
}

// array is the coefficient block the assembly kernels read.
//
//lint:ignore U1000 read by the amd64 kernels (kernels_amd64.go); unused in the purego build
func (c *adamCoef[T]) array() [10]T {
	return [10]T{c.gs, c.wd, c.decay, c.b1, c.omb1, c.b2, c.omb2, c.bc2Sqrt, c.eps, c.nstep}
}

// adamKernel is Adam's and AdamW's update of one parameter (par.Job over
// its elements).
type adamKernel[T num.Float] struct {
	p, g, m, v, vmax []T
	c                adamCoef[T]
	decoupled        bool
	vec              *vecKernels[T]
}

func newAdamKernel[T num.Float](decoupled bool) *adamKernel[T] {
	return &adamKernel[T]{decoupled: decoupled, vec: vecFor[T]()}
}

//lint:ignore U1000 called through kernel[T] in update (staticcheck 2025.1 misses it)
func (k *adamKernel[T]) set(ps *param, p, g []T, bufs [][]T, lr, gs float64) {
	h := ps.hp
	k.p, k.g, k.m, k.v, k.vmax = p, g, bufs[0], bufs[1], nil
	if len(bufs) > 2 {
		k.vmax = bufs[2]
	}
	t := float64(ps.step)
	bc1 := 1 - math.Pow(h.beta1, t)
	bc2 := 1 - math.Pow(h.beta2, t)
	k.c = adamCoef[T]{gs: T(gs), b1: T(h.beta1), omb1: T(1 - h.beta1), b2: T(h.beta2), omb2: T(1 - h.beta2),
		bc2Sqrt: T(math.Sqrt(bc2)), eps: T(h.eps), nstep: T(-lr / bc1), decay: 1}
	if k.decoupled {
		k.c.decay = T(1 - lr*h.weightDecay)
	} else {
		k.c.wd = T(h.weightDecay)
	}
}

//lint:ignore U1000 called through kernel[T] in update
func (k *adamKernel[T]) reset() { k.p, k.g, k.m, k.v, k.vmax = nil, nil, nil, nil, nil }

// Range updates elements [lo, hi): the vector kernel over the bulk, the Go
// loop over the rest.
func (k *adamKernel[T]) Range(_, lo, hi int) {
	p, g, m, v := k.p[lo:hi], k.g[lo:hi], k.m[lo:hi], k.v[lo:hi]
	i := 0
	if k.vmax != nil {
		x := k.vmax[lo:hi]
		if k.vec.amsgrad != nil {
			i = k.vec.amsgrad(p, g, m, v, x, &k.c)
		}
		amsgradStep(p[i:], g[i:], m[i:], v[i:], x[i:], k.c)
		return
	}
	if k.vec.adam != nil {
		i = k.vec.adam(p, g, m, v, &k.c)
	}
	adamStep(p[i:], g[i:], m[i:], v[i:], k.c)
}

// adamStep is one fused Adam/AdamW update, reading g, m, v, θ once and
// writing m, v, θ once, in torch.optim.Adam's (AdamW's) operation order,
// with a multiply-add fused wherever PyTorch's add(…, alpha=) and addcmul
// fuse one:
//
//	d = fma(θ, λ, g·gs) (Adam)            grad.add(param, alpha=λ)
//	θ = θ·(1 − ρλ) (AdamW)                param.mul_(1 − ρλ)
//	m = fma(d, 1−β1, m·β1)                exp_avg.mul_(β1).add_(d, alpha=1−β1)
//	v = fma(d·(1−β2), d, v·β2)            exp_avg_sq.mul_(β2).addcmul_(d, d, value=1−β2)
//	q = sqrt(v)/sqrt(1−β2^t) + ε          (exp_avg_sq.sqrt() / bc2_sqrt).add_(ε)
//	θ = θ + (−ρ/(1−β1^t) · m)/q           param.addcdiv_(m, q, value=−step_size)
func adamStep[T num.Float](p, g, m, v []T, c adamCoef[T]) {
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	for i := range p {
		th := p[i]
		d := fma(th, c.wd, g[i]*c.gs)
		th = T(th * c.decay) // T(): rounded here, never fused into the add below
		mi := fma(d, c.omb1, m[i]*c.b1)
		vi := fma(d*c.omb2, d, v[i]*c.b2)
		m[i], v[i] = mi, vi
		p[i] = th + (c.nstep*mi)/(sqrt(vi)/c.bc2Sqrt+c.eps)
	}
}

// amsgradStep is adamStep with AMSGrad: the denominator uses
// vmax = max(vmax, v), as torch 1.13 (sqrt(vmax)/sqrt(1−β2^t) + ε).
func amsgradStep[T num.Float](p, g, m, v, vmax []T, c adamCoef[T]) {
	g, m, v, vmax = g[:len(p)], m[:len(p)], v[:len(p)], vmax[:len(p)]
	for i := range p {
		th := p[i]
		d := fma(th, c.wd, g[i]*c.gs)
		th = T(th * c.decay) // T(): rounded here, never fused into the add below
		mi := fma(d, c.omb1, m[i]*c.b1)
		vi := fma(d*c.omb2, d, v[i]*c.b2)
		m[i], v[i] = mi, vi
		mx := vmax[i]
		if vi > mx {
			mx = vi
		}
		vmax[i] = mx
		p[i] = th + (c.nstep*mi)/(sqrt(mx)/c.bc2Sqrt+c.eps)
	}
}
