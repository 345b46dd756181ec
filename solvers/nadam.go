package solvers

import (
	"math"

	"github.com/stheno-ml/stheno/internal/num"
	"gorgonia.org/gorgonia"
)

// NAdam is the NAdam solver (Adam with Nesterov momentum and momentum
// decay, Dozat 2016, with coupled weight decay), exactly as
// torch.optim.NAdam (PyTorch 1.13, which has no maximize for it). Create
// it with NewNAdam.
type NAdam struct {
	base
}

var _ Solver = (*NAdam)(nil)

// NewNAdam returns a NAdam solver. Defaults as torch.optim.NAdam: lr 2e-3,
// betas (0.9, 0.999), eps 1e-8, weight decay 0 (coupled), momentum decay
// 4e-3. Accepted options: WithLearnRate, WithBetas, WithEps,
// WithWeightDecay, WithMomentumDecay, WithSchedule, WithClipGradNorm,
// WithGroup.
func NewNAdam(opts ...Option) (*NAdam, error) {
	const allowed = optLearnRate | optBetas | optEps | optWeightDecay | optMomentumDecay | optSchedule | optClip | optGroup
	cfg, err := build("NAdam", hyper{lr: 2e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, momDecay: 4e-3}, allowed, checkNone, opts)
	if err != nil {
		return nil, err
	}
	s := &NAdam{}
	s.base = newBase("NAdam", cfg, nadamAlgorithm{}, newNAdamKernel[float32](), newNAdamKernel[float64]())
	return s, nil
}

// Step updates every parameter in model in place from its gradient.
func (s *NAdam) Step(model []gorgonia.ValueGrad) error { return s.doStep(model) }

// nadamAlgorithm: first and second moments. The product of the momenta
// μ1…μt (torch's mu_product) is a function of the step count and is not
// stored.
type nadamAlgorithm struct{}

func (nadamAlgorithm) nbuf(*hyper) int             { return 2 }
func (nadamAlgorithm) initBuf(*hyper, int) float64 { return 0 }

// nadamMomentum is torch's μt = β1(1 − 0.96^(tψ)/2).
func nadamMomentum(h *hyper, t int64) float64 {
	return h.beta1 * (1 - 0.5*math.Pow(0.96, float64(t)*h.momDecay))
}

// muProduct is torch's running product of the momenta at some step. torch
// keeps it in a float32 tensor (torch.tensor(1.)) whatever the parameters'
// dtype, so every product is rounded to float32, as here.
type muProduct struct {
	step int64
	prod float32
}

// advance returns the product at step t, from the cached one when it is
// of step t−1, else recomputed from step 1 (after LoadState).
func (mp muProduct) advance(h *hyper, t int64) muProduct {
	if mp.step != t-1 || t == 1 {
		mp = muProduct{0, 1}
	}
	for mp.step < t {
		mp.step++
		mp.prod *= float32(nadamMomentum(h, mp.step))
	}
	return mp
}

// nadamCoef are the per-step scalars of the NAdam kernel.
type nadamCoef[T num.Float] struct {
	gs, wd, b1, omb1, b2, omb2, bc2, eps, cg, cm T
}

// array is the coefficient block the assembly kernels read.
//
//lint:ignore U1000 read by the amd64 kernels (breadth_kernels_amd64.go); unused in the purego build
func (c *nadamCoef[T]) array() [10]T {
	return [10]T{c.gs, c.wd, c.b1, c.omb1, c.b2, c.omb2, c.bc2, c.eps, c.cg, c.cm}
}

// nadamKernel is NAdam's update of one parameter (par.Job over its
// elements).
type nadamKernel[T num.Float] struct {
	p, g, m, v []T
	c          nadamCoef[T]
	mu         map[*param]muProduct
	vec        *breadthVec[T]
}

func newNAdamKernel[T num.Float]() *nadamKernel[T] {
	return &nadamKernel[T]{mu: make(map[*param]muProduct), vec: bvecFor[T]()}
}

//lint:ignore U1000 called through kernel[T] in update (staticcheck 2025.1 misses it)
func (k *nadamKernel[T]) set(ps *param, p, g []T, bufs [][]T, lr, gs float64) {
	h := ps.hp
	k.p, k.g, k.m, k.v = p, g, bufs[0], bufs[1]
	t := ps.step
	mp := k.mu[ps].advance(h, t)
	k.mu[ps] = mp
	mu := nadamMomentum(h, t)
	muNext := nadamMomentum(h, t+1)
	prodNext := mp.prod * float32(mu) * float32(muNext) // torch: mu_product * mu * mu_next, in float32
	bc2 := 1 - math.Pow(h.beta2, float64(t))
	k.c = nadamCoef[T]{gs: T(gs), wd: T(h.weightDecay), b1: T(h.beta1), omb1: T(1 - h.beta1), b2: T(h.beta2),
		omb2: T(1 - h.beta2), bc2: T(bc2), eps: T(h.eps),
		cg: T(-lr * (1 - mu) / (1 - float64(mp.prod))), cm: T(-lr * muNext / (1 - float64(prodNext)))}
}

//lint:ignore U1000 called through kernel[T] in update
func (k *nadamKernel[T]) reset() { k.p, k.g, k.m, k.v = nil, nil, nil, nil }

// Range updates elements [lo, hi): the vector kernel over the bulk, the Go
// loop over the rest.
func (k *nadamKernel[T]) Range(_, lo, hi int) {
	p, g, m, v := k.p[lo:hi], k.g[lo:hi], k.m[lo:hi], k.v[lo:hi]
	i := 0
	if k.vec.nadam != nil {
		i = k.vec.nadam(p, g, m, v, &k.c)
	}
	nadamStep(p[i:], g[i:], m[i:], v[i:], k.c)
}

// nadamStep is one fused NAdam update in torch 1.13's operation order:
//
//	d = g·gs + λθ
//	m = β1 m + (1−β1) d ; v = β2 v + (1−β2) d²
//	r = sqrt(v / (1−β2^t)) + ε
//	θ = θ + cg·d / r + cm·m / r
//
// with cg = −ρ(1−μt)/(1−Πμ_{1..t}) and cm = −ρ μt+1/(1−Πμ_{1..t+1}).
func nadamStep[T num.Float](p, g, m, v []T, c nadamCoef[T]) {
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	for i := range p {
		th := p[i]
		d := fma(th, c.wd, T(g[i]*c.gs))
		mi := fma(d, c.omb1, T(m[i]*c.b1))
		vi := fma(T(c.omb2*d), d, T(v[i]*c.b2))
		m[i], v[i] = mi, vi
		r := T(sqrt(T(vi/c.bc2)) + c.eps)
		th = th + T(c.cg*d)/r
		p[i] = th + T(c.cm*mi)/r
	}
}
