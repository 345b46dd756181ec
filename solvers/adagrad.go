package solvers

import (
	"gorgonia.org/gorgonia"
)

// Adagrad is the Adagrad solver (with learning-rate decay, initial
// accumulator value, coupled weight decay and maximize), exactly as
// torch.optim.Adagrad (PyTorch 1.13). Create it with NewAdagrad.
type Adagrad struct {
	base
	j32 adagradJob32
	j64 adagradJob64
}

var _ Solver = (*Adagrad)(nil)

// NewAdagrad returns an Adagrad solver. Defaults as torch.optim.Adagrad:
// lr 1e-2, lr decay 0, weight decay 0, initial accumulator value 0,
// eps 1e-10. Accepted options: WithLearnRate, WithLRDecay,
// WithWeightDecay, WithInitialAccumulatorValue, WithEps, WithMaximize,
// WithSchedule, WithClipGradNorm, WithGroup.
func NewAdagrad(opts ...Option) (*Adagrad, error) {
	const allowed = optLearnRate | optLRDecay | optWeightDecay | optInitAcc | optEps | optMaximize |
		optSchedule | optClip | optGroup
	cfg, err := build("Adagrad", hyper{lr: 1e-2, eps: 1e-10}, allowed, checkNone, opts)
	if err != nil {
		return nil, err
	}
	s := &Adagrad{}
	s.base = newBase("Adagrad", s, cfg)
	return s, nil
}

// Step updates every parameter in model in place from its gradient.
func (s *Adagrad) Step(model []gorgonia.ValueGrad) error { return s.doStep(model) }

func (s *Adagrad) nbuf(*hyper) int { return 1 }

func (s *Adagrad) initBuf(hp *hyper, _ int) float64 { return hp.initAcc }

type adagradCoef[T float] struct {
	gs, wd, eps, nclr T
}

type adagradJob[T float] struct {
	p, g, sum []T
	c         adagradCoef[T]
}

func (j *adagradJob[T]) run(lo, hi int) {
	adagradStep(j.p[lo:hi], j.g[lo:hi], j.sum[lo:hi], j.c)
}

// adagradJob32 and adagradJob64 run the vector kernel (AVX2 on amd64) over
// the bulk of a chunk and the Go loop over its tail.
type adagradJob32 struct{ adagradJob[float32] }

func (j *adagradJob32) run(lo, hi int) {
	p, g, s := j.p[lo:hi], j.g[lo:hi], j.sum[lo:hi]
	k := adagradVec32(p, g, s, &j.c)
	adagradStep(p[k:], g[k:], s[k:], j.c)
}

type adagradJob64 struct{ adagradJob[float64] }

func (j *adagradJob64) run(lo, hi int) {
	p, g, s := j.p[lo:hi], j.g[lo:hi], j.sum[lo:hi]
	k := adagradVec64(p, g, s, &j.c)
	adagradStep(p[k:], g[k:], s[k:], j.c)
}

// adagradStep is one fused Adagrad update: d = g·gs + λθ; s = s + d²;
// θ = θ − ρ_t d/(sqrt(s) + ε) with ρ_t = ρ/(1 + (t−1)·decay).
func adagradStep[T float](p, g, sum []T, c adagradCoef[T]) {
	g, sum = g[:len(p)], sum[:len(p)]
	for i := range p {
		th := p[i]
		d := g[i]*c.gs + c.wd*th
		s := sum[i] + d*d
		sum[i] = s
		p[i] = th + c.nclr*(d/(sqrt(s)+c.eps))
	}
}

func makeAdagradCoef[T float](ps *param, lr, gs float64) adagradCoef[T] {
	h := ps.hp
	clr := lr / (1 + float64(ps.step-1)*h.lrDecay)
	return adagradCoef[T]{gs: T(gs), wd: T(h.weightDecay), eps: T(h.eps), nclr: T(-clr)}
}

func (s *Adagrad) update32(ps *param, p, g []float32, lr, gs float64) {
	j := &s.j32
	j.p, j.g, j.sum, j.c = p, g, ps.b32[0], makeAdagradCoef[float32](ps, lr, gs)
	s.pool.run(j, len(p))
	*j = adagradJob32{}
}

func (s *Adagrad) update64(ps *param, p, g []float64, lr, gs float64) {
	j := &s.j64
	j.p, j.g, j.sum, j.c = p, g, ps.b64[0], makeAdagradCoef[float64](ps, lr, gs)
	s.pool.run(j, len(p))
	*j = adagradJob64{}
}
