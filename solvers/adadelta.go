package solvers

import (
	"github.com/stheno-ml/stheno/internal/num"
	"gorgonia.org/gorgonia"
)

// Adadelta is the Adadelta solver (Zeiler 2012, with coupled weight decay
// and maximize), exactly as torch.optim.Adadelta (PyTorch 1.13). Create it
// with NewAdadelta.
type Adadelta struct {
	base
}

var _ Solver = (*Adadelta)(nil)

// NewAdadelta returns an Adadelta solver. Defaults as torch.optim.Adadelta:
// lr 1.0, rho 0.9, eps 1e-6, weight decay 0 (coupled: g ← g + λθ).
// Accepted options: WithLearnRate, WithRho, WithEps, WithWeightDecay,
// WithMaximize, WithSchedule, WithClipGradNorm, WithGroup.
func NewAdadelta(opts ...Option) (*Adadelta, error) {
	const allowed = optLearnRate | optRho | optEps | optWeightDecay | optMaximize | optSchedule | optClip | optGroup
	cfg, err := build("Adadelta", hyper{lr: 1, rho: 0.9, eps: 1e-6}, allowed, checkNone, opts)
	if err != nil {
		return nil, err
	}
	s := &Adadelta{}
	s.base = newBase("Adadelta", cfg, adadeltaAlgorithm{}, &adadeltaKernel[float32]{vec: bvecFor[float32]()}, &adadeltaKernel[float64]{vec: bvecFor[float64]()})
	return s, nil
}

// Step updates every parameter in model in place from its gradient.
func (s *Adadelta) Step(model []gorgonia.ValueGrad) error { return s.doStep(model) }

// adadeltaAlgorithm: the running averages of squared gradients and of
// squared updates.
type adadeltaAlgorithm struct{}

func (adadeltaAlgorithm) nbuf(*hyper) int             { return 2 }
func (adadeltaAlgorithm) initBuf(*hyper, int) float64 { return 0 }

// adadeltaCoef are the per-step scalars of the Adadelta kernel, rounded to
// T as torch rounds Python scalars to the tensor's dtype.
type adadeltaCoef[T num.Float] struct {
	gs, wd, rho, omr, eps, nlr T
}

// array is the coefficient block the assembly kernels read.
//
//lint:ignore U1000 read by the amd64 kernels (breadth_kernels_amd64.go); unused in the purego build
func (c *adadeltaCoef[T]) array() [6]T { return [6]T{c.gs, c.wd, c.rho, c.omr, c.eps, c.nlr} }

// adadeltaKernel is Adadelta's update of one parameter (par.Job over its
// elements).
type adadeltaKernel[T num.Float] struct {
	p, g, sq, acc []T
	c             adadeltaCoef[T]
	vec           *breadthVec[T]
}

//lint:ignore U1000 called through kernel[T] in update (staticcheck 2025.1 misses it)
func (k *adadeltaKernel[T]) set(ps *param, p, g []T, bufs [][]T, lr, gs float64) {
	h := ps.hp
	k.p, k.g, k.sq, k.acc = p, g, bufs[0], bufs[1]
	k.c = adadeltaCoef[T]{gs: T(gs), wd: T(h.weightDecay), rho: T(h.rho), omr: T(1 - h.rho), eps: T(h.eps), nlr: T(-lr)}
}

//lint:ignore U1000 called through kernel[T] in update
func (k *adadeltaKernel[T]) reset() { k.p, k.g, k.sq, k.acc = nil, nil, nil, nil }

// Range updates elements [lo, hi): the vector kernel over the bulk, the Go
// loop over the rest.
func (k *adadeltaKernel[T]) Range(_, lo, hi int) {
	p, g, sq, acc := k.p[lo:hi], k.g[lo:hi], k.sq[lo:hi], k.acc[lo:hi]
	i := 0
	if k.vec.adadelta != nil {
		i = k.vec.adadelta(p, g, sq, acc, &k.c)
	}
	adadeltaStep(p[i:], g[i:], sq[i:], acc[i:], k.c)
}

// adadeltaStep is one fused Adadelta update in torch 1.13's operation
// order (fma where torch's add/addcmul fuse, see docs/solvers.md):
//
//	d = g·gs + λθ
//	s = ρ s + (1−ρ) d²
//	Δ = sqrt(a + ε) / sqrt(s + ε) · d
//	a = ρ a + (1−ρ) Δ²
//	θ = θ − lr Δ
func adadeltaStep[T num.Float](p, g, sq, acc []T, c adadeltaCoef[T]) {
	g, sq, acc = g[:len(p)], sq[:len(p)], acc[:len(p)]
	for i := range p {
		th := p[i]
		d := fma(th, c.wd, T(g[i]*c.gs))
		s := fma(T(c.omr*d), d, T(sq[i]*c.rho))
		std := sqrt(T(s + c.eps))
		delta := T(T(sqrt(T(acc[i]+c.eps))/std) * d)
		acc[i] = fma(T(c.omr*delta), delta, T(acc[i]*c.rho))
		sq[i] = s
		p[i] = fma(delta, c.nlr, th)
	}
}
