package solvers

import (
	"math"

	"github.com/stheno-ml/stheno/internal/num"
	"gorgonia.org/gorgonia"
)

// RAdam is the Rectified Adam solver (Liu et al. 2019, with coupled weight
// decay), exactly as torch.optim.RAdam (PyTorch 1.13, which has no
// maximize for it). Create it with NewRAdam.
type RAdam struct {
	base
}

var _ Solver = (*RAdam)(nil)

// NewRAdam returns a RAdam solver. Defaults as torch.optim.RAdam: lr 1e-3,
// betas (0.9, 0.999), eps 1e-8, weight decay 0 (coupled). Accepted
// options: WithLearnRate, WithBetas, WithEps, WithWeightDecay,
// WithSchedule, WithClipGradNorm, WithGroup.
func NewRAdam(opts ...Option) (*RAdam, error) {
	const allowed = optLearnRate | optBetas | optEps | optWeightDecay | optSchedule | optClip | optGroup
	cfg, err := build("RAdam", adamDefaults(), allowed, checkNone, opts)
	if err != nil {
		return nil, err
	}
	s := &RAdam{}
	s.base = newBase("RAdam", cfg, radamAlgorithm{}, &radamKernel[float32]{vec: bvecFor[float32]()}, &radamKernel[float64]{vec: bvecFor[float64]()})
	return s, nil
}

// Step updates every parameter in model in place from its gradient.
func (s *RAdam) Step(model []gorgonia.ValueGrad) error { return s.doStep(model) }

// radamAlgorithm: first and second moments.
type radamAlgorithm struct{}

func (radamAlgorithm) nbuf(*hyper) int             { return 2 }
func (radamAlgorithm) initBuf(*hyper, int) float64 { return 0 }

// radamCoef are the per-step scalars of the RAdam kernel.
type radamCoef[T num.Float] struct {
	gs, wd, b1, omb1, b2, omb2, bc1, lr, eps, sqrtBC2, rect T
	rectified                                               bool
}

// array is the coefficient block the assembly kernels read (with a 1 for
// the reciprocal).
//
//lint:ignore U1000 read by the amd64 kernels (breadth_kernels_amd64.go); unused in the purego build
func (c *radamCoef[T]) array() [12]T {
	return [12]T{c.gs, c.wd, c.b1, c.omb1, c.b2, c.omb2, c.bc1, c.lr, c.eps, c.sqrtBC2, c.rect, 1}
}

// radamKernel is RAdam's update of one parameter (par.Job over its
// elements).
type radamKernel[T num.Float] struct {
	p, g, m, v []T
	c          radamCoef[T]
	vec        *breadthVec[T]
}

//lint:ignore U1000 called through kernel[T] in update (staticcheck 2025.1 misses it)
func (k *radamKernel[T]) set(ps *param, p, g []T, bufs [][]T, lr, gs float64) {
	h := ps.hp
	k.p, k.g, k.m, k.v = p, g, bufs[0], bufs[1]
	t := float64(ps.step)
	bc1 := 1 - math.Pow(h.beta1, t)
	bc2 := 1 - math.Pow(h.beta2, t)
	rhoInf := 2/(1-h.beta2) - 1
	rhoT := rhoInf - 2*t*math.Pow(h.beta2, t)/bc2
	k.c = radamCoef[T]{gs: T(gs), wd: T(h.weightDecay), b1: T(h.beta1), omb1: T(1 - h.beta1), b2: T(h.beta2),
		omb2: T(1 - h.beta2), bc1: T(bc1), lr: T(lr), eps: T(h.eps), rectified: rhoT > 5}
	if k.c.rectified {
		k.c.rect = T(math.Sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT)))
		k.c.sqrtBC2 = T(math.Sqrt(bc2))
	}
}

//lint:ignore U1000 called through kernel[T] in update
func (k *radamKernel[T]) reset() { k.p, k.g, k.m, k.v = nil, nil, nil, nil }

// Range updates elements [lo, hi): the vector kernel over the bulk, the Go
// loop over the rest.
func (k *radamKernel[T]) Range(_, lo, hi int) {
	p, g, m, v := k.p[lo:hi], k.g[lo:hi], k.m[lo:hi], k.v[lo:hi]
	i := 0
	vec := k.vec.radamPlain
	if k.c.rectified {
		vec = k.vec.radamRect
	}
	if vec != nil {
		i = vec(p, g, m, v, &k.c)
	}
	radamStep(p[i:], g[i:], m[i:], v[i:], k.c)
}

// radamStep is one fused RAdam update in torch 1.13's operation order:
//
//	d = g·gs + λθ
//	m = β1 m + (1−β1) d ; v = β2 v + (1−β2) d² ; m̂ = m / (1−β1^t)
//	θ = θ − ((m̂·ρ) · (1/(sqrt(v)+ε) · sqrt(1−β2^t))) · r   when ρt > 5
//	θ = θ − m̂·ρ                                            otherwise
//
// with ρ∞ = 2/(1−β2) − 1, ρt = ρ∞ − 2tβ2^t/(1−β2^t) and the rectification
// r = sqrt((ρt−4)(ρt−2)ρ∞ / ((ρ∞−4)(ρ∞−2)ρt)).
func radamStep[T num.Float](p, g, m, v []T, c radamCoef[T]) {
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	for i := range p {
		th := p[i]
		d := fma(th, c.wd, T(g[i]*c.gs))
		mi := fma(d, c.omb1, T(m[i]*c.b1))
		vi := fma(T(c.omb2*d), d, T(v[i]*c.b2))
		m[i], v[i] = mi, vi
		step := T(T(mi/c.bc1) * c.lr)
		if c.rectified {
			adaptive := T(T(1/T(sqrt(vi)+c.eps)) * c.sqrtBC2)
			step = T(T(step*adaptive) * c.rect)
		}
		p[i] = th - step
	}
}
