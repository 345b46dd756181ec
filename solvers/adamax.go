package solvers

import (
	"math"

	"github.com/stheno-ml/stheno/internal/num"
	"gorgonia.org/gorgonia"
)

// Adamax is the Adamax solver (Adam with the infinity norm, Kingma & Ba
// 2015, with coupled weight decay and maximize), exactly as
// torch.optim.Adamax (PyTorch 1.13). Create it with NewAdamax.
type Adamax struct {
	base
}

var _ Solver = (*Adamax)(nil)

// NewAdamax returns an Adamax solver. Defaults as torch.optim.Adamax:
// lr 2e-3, betas (0.9, 0.999), eps 1e-8, weight decay 0 (coupled).
// Accepted options: WithLearnRate, WithBetas, WithEps, WithWeightDecay,
// WithMaximize, WithSchedule, WithClipGradNorm, WithGroup.
func NewAdamax(opts ...Option) (*Adamax, error) {
	const allowed = optLearnRate | optBetas | optEps | optWeightDecay | optMaximize | optSchedule | optClip | optGroup
	cfg, err := build("Adamax", hyper{lr: 2e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8}, allowed, checkNone, opts)
	if err != nil {
		return nil, err
	}
	s := &Adamax{}
	s.base = newBase("Adamax", cfg, adamaxAlgorithm{}, &adamaxKernel[float32]{vec: bvecFor[float32]()}, &adamaxKernel[float64]{vec: bvecFor[float64]()})
	return s, nil
}

// Step updates every parameter in model in place from its gradient.
func (s *Adamax) Step(model []gorgonia.ValueGrad) error { return s.doStep(model) }

// adamaxAlgorithm: the first moment and the exponentially weighted
// infinity norm.
type adamaxAlgorithm struct{}

func (adamaxAlgorithm) nbuf(*hyper) int             { return 2 }
func (adamaxAlgorithm) initBuf(*hyper, int) float64 { return 0 }

// adamaxCoef are the per-step scalars of the Adamax kernel.
type adamaxCoef[T num.Float] struct {
	gs, wd, b1, omb1, b2, eps, nclr T
}

// array is the coefficient block the assembly kernels read, with the mask
// that clears the sign bit (|d|).
//
//lint:ignore U1000 read by the amd64 kernels (breadth_kernels_amd64.go); unused in the purego build
func (c *adamaxCoef[T]) array() [8]T {
	var abs T
	if num.Is32[T]() {
		abs = T(math.Float32frombits(1<<31 - 1))
	} else {
		abs = T(math.Float64frombits(1<<63 - 1))
	}
	return [8]T{c.gs, c.wd, c.b1, c.omb1, c.b2, c.eps, c.nclr, abs}
}

// adamaxKernel is Adamax's update of one parameter (par.Job over its
// elements).
type adamaxKernel[T num.Float] struct {
	p, g, m, u []T
	c          adamaxCoef[T]
	vec        *breadthVec[T]
}

//lint:ignore U1000 called through kernel[T] in update (staticcheck 2025.1 misses it)
func (k *adamaxKernel[T]) set(ps *param, p, g []T, bufs [][]T, lr, gs float64) {
	h := ps.hp
	k.p, k.g, k.m, k.u = p, g, bufs[0], bufs[1]
	clr := lr / (1 - math.Pow(h.beta1, float64(ps.step)))
	k.c = adamaxCoef[T]{gs: T(gs), wd: T(h.weightDecay), b1: T(h.beta1), omb1: T(1 - h.beta1), b2: T(h.beta2),
		eps: T(h.eps), nclr: T(-clr)}
}

//lint:ignore U1000 called through kernel[T] in update
func (k *adamaxKernel[T]) reset() { k.p, k.g, k.m, k.u = nil, nil, nil, nil }

// Range updates elements [lo, hi): the vector kernel over the bulk, the Go
// loop over the rest.
func (k *adamaxKernel[T]) Range(_, lo, hi int) {
	p, g, m, u := k.p[lo:hi], k.g[lo:hi], k.m[lo:hi], k.u[lo:hi]
	i := 0
	if k.vec.adamax != nil {
		i = k.vec.adamax(p, g, m, u, &k.c)
	}
	adamaxStep(p[i:], g[i:], m[i:], u[i:], k.c)
}

// adamaxStep is one fused Adamax update in torch 1.13's operation order:
//
//	d = g·gs + λθ
//	m = β1 m + (1−β1) d
//	u = max(β2 u, |d| + ε)        (NaN if either is NaN, as torch.amax)
//	θ = θ + (−ρ/(1−β1^t)) m / u
func adamaxStep[T num.Float](p, g, m, u []T, c adamaxCoef[T]) {
	g, m, u = g[:len(p)], m[:len(p)], u[:len(p)]
	for i := range p {
		th := p[i]
		d := fma(th, c.wd, T(g[i]*c.gs))
		mi := fma(d, c.omb1, T(m[i]*c.b1))
		// max as the vector kernels take it: a > b ? a : b, then a where a
		// is NaN (NaN if either is, as torch.amax).
		a, b := T(u[i]*c.b2), T(abs(d)+c.eps)
		ui := b
		if a > b || a != a {
			ui = a
		}
		m[i], u[i] = mi, ui
		p[i] = th + T(c.nclr*mi)/ui
	}
}

func abs[T num.Float](x T) T {
	if x < 0 {
		return -x
	}
	return x + 0 // -0 → +0
}
