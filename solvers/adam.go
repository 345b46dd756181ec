package solvers

import (
	"math"

	"gorgonia.org/gorgonia"
)

// Adam is the Adam solver (with optional AMSGrad, coupled weight decay and
// maximize), exactly as torch.optim.Adam (PyTorch 1.13). AdamW is the
// same kernel with decoupled weight decay. Create them with NewAdam and
// NewAdamW.
type Adam struct {
	base
	decoupled bool
	j32       adamJob32
	j64       adamJob64
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
	optSchedule | optClip | optGroup

func adamDefaults() hyper {
	return hyper{lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8}
}

func checkNone(*hyper) error { return nil }

// NewAdam returns an Adam solver. Defaults as torch.optim.Adam: lr 1e-3,
// betas (0.9, 0.999), eps 1e-8, weight decay 0 (coupled: g ← g + λθ),
// no AMSGrad. Accepted options: WithLearnRate, WithBetas, WithEps,
// WithWeightDecay, WithAMSGrad, WithMaximize, WithSchedule,
// WithClipGradNorm, WithGroup.
func NewAdam(opts ...Option) (*Adam, error) {
	cfg, err := build("Adam", adamDefaults(), adamAllowed, checkNone, opts)
	if err != nil {
		return nil, err
	}
	s := &Adam{}
	s.base = newBase("Adam", s, cfg)
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
	s.decoupled = true
	s.base = newBase("AdamW", s, cfg)
	return s, nil
}

// Step updates every parameter in model in place from its gradient.
func (s *Adam) Step(model []gorgonia.ValueGrad) error { return s.doStep(model) }

func (s *Adam) nbuf(hp *hyper) int {
	if hp.amsgrad {
		return 3
	}
	return 2
}

func (s *Adam) initBuf(*hyper, int) float64 { return 0 }

// adamCoef are the per-step scalars of the fused Adam kernel.
type adamCoef[T float] struct {
	gs, wd, decay, b1, omb1, b2, omb2, invBC2Sqrt, eps, nstep T
	decoupled                                                 bool
}

func makeAdamCoef[T float](ps *param, lr, gs float64, decoupled bool) adamCoef[T] {
	h := ps.hp
	t := float64(ps.step)
	bc1 := 1 - math.Pow(h.beta1, t)
	bc2 := 1 - math.Pow(h.beta2, t)
	c := adamCoef[T]{gs: T(gs), b1: T(h.beta1), omb1: T(1 - h.beta1), b2: T(h.beta2), omb2: T(1 - h.beta2),
		invBC2Sqrt: T(1 / math.Sqrt(bc2)), eps: T(h.eps), nstep: T(-lr / bc1), decoupled: decoupled, decay: 1}
	if decoupled {
		c.decay = T(1 - lr*h.weightDecay)
	} else {
		c.wd = T(h.weightDecay)
	}
	return c
}

type adamJob[T float] struct {
	p, g, m, v, vmax []T
	c                adamCoef[T]
}

func (j *adamJob[T]) run(lo, hi int) {
	if j.vmax != nil {
		amsgradStep(j.p[lo:hi], j.g[lo:hi], j.m[lo:hi], j.v[lo:hi], j.vmax[lo:hi], j.c)
		return
	}
	adamStep(j.p[lo:hi], j.g[lo:hi], j.m[lo:hi], j.v[lo:hi], j.c)
}

// adamJob32 and adamJob64 run the vector kernel (AVX2 on amd64) over the
// bulk of a chunk and the Go loop over its tail.
type adamJob32 struct{ adamJob[float32] }

func (j *adamJob32) run(lo, hi int) {
	if j.vmax != nil {
		p, g, m, v, x := j.p[lo:hi], j.g[lo:hi], j.m[lo:hi], j.v[lo:hi], j.vmax[lo:hi]
		k := amsgradVec32(p, g, m, v, x, &j.c)
		amsgradStep(p[k:], g[k:], m[k:], v[k:], x[k:], j.c)
		return
	}
	p, g, m, v := j.p[lo:hi], j.g[lo:hi], j.m[lo:hi], j.v[lo:hi]
	k := adamVec32(p, g, m, v, &j.c)
	adamStep(p[k:], g[k:], m[k:], v[k:], j.c)
}

type adamJob64 struct{ adamJob[float64] }

func (j *adamJob64) run(lo, hi int) {
	if j.vmax != nil {
		p, g, m, v, x := j.p[lo:hi], j.g[lo:hi], j.m[lo:hi], j.v[lo:hi], j.vmax[lo:hi]
		k := amsgradVec64(p, g, m, v, x, &j.c)
		amsgradStep(p[k:], g[k:], m[k:], v[k:], x[k:], j.c)
		return
	}
	p, g, m, v := j.p[lo:hi], j.g[lo:hi], j.m[lo:hi], j.v[lo:hi]
	k := adamVec64(p, g, m, v, &j.c)
	adamStep(p[k:], g[k:], m[k:], v[k:], j.c)
}

func sqrt[T float](x T) T { return T(math.Sqrt(float64(x))) }

// adamStep is one fused Adam/AdamW update, reading g, m, v, θ once and
// writing m, v, θ once:
//
//	d = g·gs + λθ (Adam) ; θ = θ(1 − ρλ) (AdamW)
//	m = β1 m + (1−β1) d ; v = β2 v + (1−β2) d²
//	θ = θ − ρ/(1−β1^t) · m / (sqrt(v)/sqrt(1−β2^t) + ε)
func adamStep[T float](p, g, m, v []T, c adamCoef[T]) {
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	for i := range p {
		th := p[i]
		d := g[i]*c.gs + c.wd*th
		th *= c.decay
		mi := m[i]*c.b1 + c.omb1*d
		vi := v[i]*c.b2 + c.omb2*d*d
		m[i], v[i] = mi, vi
		p[i] = th + c.nstep*(mi/(sqrt(vi)*c.invBC2Sqrt+c.eps))
	}
}

// amsgradStep is adamStep with AMSGrad: the denominator uses
// vmax = max(vmax, v), as torch 1.13 (sqrt(vmax)/sqrt(1−β2^t) + ε).
func amsgradStep[T float](p, g, m, v, vmax []T, c adamCoef[T]) {
	g, m, v, vmax = g[:len(p)], m[:len(p)], v[:len(p)], vmax[:len(p)]
	for i := range p {
		th := p[i]
		d := g[i]*c.gs + c.wd*th
		th *= c.decay
		mi := m[i]*c.b1 + c.omb1*d
		vi := v[i]*c.b2 + c.omb2*d*d
		m[i], v[i] = mi, vi
		mx := vmax[i]
		if vi > mx {
			mx = vi
		}
		vmax[i] = mx
		p[i] = th + c.nstep*(mi/(sqrt(mx)*c.invBC2Sqrt+c.eps))
	}
}

func (s *Adam) update32(ps *param, p, g []float32, lr, gs float64) {
	j := &s.j32
	j.p, j.g, j.m, j.v, j.vmax = p, g, ps.b32[0], ps.b32[1], nil
	if len(ps.b32) > 2 {
		j.vmax = ps.b32[2]
	}
	j.c = makeAdamCoef[float32](ps, lr, gs, s.decoupled)
	s.pool.run(j, len(p))
	j.p, j.g, j.m, j.v, j.vmax = nil, nil, nil, nil, nil
}

func (s *Adam) update64(ps *param, p, g []float64, lr, gs float64) {
	j := &s.j64
	j.p, j.g, j.m, j.v, j.vmax = p, g, ps.b64[0], ps.b64[1], nil
	if len(ps.b64) > 2 {
		j.vmax = ps.b64[2]
	}
	j.c = makeAdamCoef[float64](ps, lr, gs, s.decoupled)
	s.pool.run(j, len(p))
	j.p, j.g, j.m, j.v, j.vmax = nil, nil, nil, nil, nil
}
