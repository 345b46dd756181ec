package ops

import (
	"fmt"
	"math"

	"github.com/pkg/errors"
	"github.com/stheno-ml/stheno/internal/num"
	"github.com/stheno-ml/stheno/internal/par"
	G "gorgonia.org/gorgonia"
)

// GaussianNLL returns the negative log-likelihood of a target under a
// Gaussian of mean input and variance variance, with the semantics of
// torch.nn.functional.gaussian_nll_loss (PyTorch 1.13):
// 0.5 (log max(var, eps) + (x - y)² / max(var, eps)), plus 0.5·log(2π)
// with WithFull(true).
//
// input and target have the same shape (at least one dimension) and
// dtype. variance has the input's shape (one variance per element), or
// the input's shape without its last dimension, or that with a last
// dimension of 1 (one variance shared along the last dimension), as in
// PyTorch; any other shape is an error. A negative variance makes the run
// return an error naming it. Options: WithReduction (default Mean),
// WithFull (default false), WithEps (default 1e-6). Gradients flow to the
// input, the target and the variance; as in PyTorch, the clamp of the
// variance at eps is not differentiated (the gradient passes through it).
func GaussianNLL(input, target, variance *G.Node, opts ...LossOpt) (*G.Node, error) {
	const name = "GaussianNLL"
	cfg, err := newLossConfig(name, []string{"WithReduction", "WithFull", "WithEps"}, opts)
	if err != nil {
		return nil, err
	}
	s, _, err := pairSpec(name, input, target, cfg, false)
	if err != nil {
		return nil, err
	}
	if variance == nil {
		return nil, errors.Errorf("ops: %s: nil node", name)
	}
	if variance.Dtype() != s.dt {
		return nil, errors.Errorf("ops: %s: variance has dtype %v, want the input's dtype %v", name, variance.Dtype(), s.dt)
	}
	xs, vs := s.in[0], variance.Shape()
	lead := xs[:xs.Dims()-1]
	shared := false
	switch {
	case num.SameShape(vs, xs):
	case num.SameShape(vs, lead), vs.Dims() == xs.Dims() && vs[vs.Dims()-1] == 1 && num.SameShape(vs[:vs.Dims()-1], lead):
		shared = true
	default:
		return nil, errors.Errorf("ops: %s: variance has shape %v, want %v, %v or %v for input %v", name, vs, xs, lead, append(lead.Clone(), 1), xs)
	}
	s.in = append(s.in, vs.Clone())
	s.inDt = append(s.inDt, s.dt)
	s.diff = []bool{true, true, true}
	eps := cfg.eps
	if eps == 0 {
		eps = 1e-6
	}
	s.config = fmt.Sprintf("reduction=%v, full=%v, eps=%v, shared_var=%v", cfg.reduction, cfg.full, eps, shared)
	k := gaussKernel{full: cfg.full, eps: eps, shared: shared, last: xs[xs.Dims()-1]}
	return applyLoss(s.dt, &gaussianNLL[float32]{s: s, k: k}, &gaussianNLL[float64]{s: s, k: k}, input, target, variance)
}

type gaussKernel struct {
	full   bool
	eps    float64
	shared bool // one variance per row of the last dimension
	last   int  // size of the input's last dimension
}

// gaussianNLL is GaussianNLL's loss; its kernels run over parts of the
// rows of the last dimension (so a shared variance's gradient is summed
// within one part).
type gaussianNLL[T num.Float] struct {
	s          *lossSpec
	k          gaussKernel
	x, y, v    []T
	perPos, g  []T
	dx, dy, dv []T
	sc         float64
	bwd        bool
	sum        [par.MaxParts]float64
	bad        [par.MaxParts]int
}

func (l *gaussianNLL[T]) spec() *lossSpec { return l.s }

func (l *gaussianNLL[T]) inputs(in []G.Value) error {
	var err error
	name := l.s.name
	if l.x, err = floatsOf[T](name, "input", in[0], l.s.in[0]); err != nil {
		return err
	}
	if l.y, err = floatsOf[T](name, "target", in[1], l.s.in[1]); err != nil {
		return err
	}
	l.v, err = floatsOf[T](name, "variance", in[2], l.s.in[2])
	return err
}

// Range covers rows [lo, hi) of the last dimension.
func (l *gaussianNLL[T]) Range(p, lo, hi int) {
	k := l.k
	half := 0.0
	if k.full {
		half = 0.5 * math.Log(2*math.Pi)
	}
	var sum float64
	l.bad[p] = -1
	for r := lo; r < hi; r++ {
		var dvRow float64
		for i := r * k.last; i < (r+1)*k.last; i++ {
			vi := i
			if k.shared {
				vi = r
			}
			vr := float64(l.v[vi])
			if !l.bwd && vr < 0 {
				l.bad[p] = vi
				return
			}
			v := max(vr, k.eps)
			d := float64(l.x[i]) - float64(l.y[i])
			if !l.bwd {
				e := 0.5*(math.Log(v)+d*d/v) + half
				sum += e
				if l.perPos != nil {
					l.perPos[i] = T(e)
				}
				continue
			}
			g := l.sc
			if l.g != nil {
				g *= float64(l.g[i])
			}
			if l.dx != nil {
				l.dx[i] = T(d / v * g)
			}
			if l.dy != nil {
				l.dy[i] = T(-d / v * g)
			}
			if l.dv != nil {
				dv := 0.5 * (1/v - d*d/(v*v)) * g
				if k.shared {
					dvRow += dv
				} else {
					l.dv[i] = T(dv)
				}
			}
		}
		if l.bwd && l.dv != nil && k.shared {
			l.dv[r] = T(dvRow)
		}
	}
	l.sum[p] = sum
}

func (l *gaussianNLL[T]) rows() int { return len(l.x) / max(l.k.last, 1) }

func (l *gaussianNLL[T]) forward(in []G.Value, perPos []T) (float64, error) {
	if err := l.inputs(in); err != nil {
		return 0, err
	}
	l.bwd, l.perPos = false, perPos
	parts := par.For(l.rows(), minRows(l.k.last), l)
	n, v := len(l.x), l.v
	l.x, l.y, l.v, l.perPos = nil, nil, nil, nil
	var sum float64
	for p := 0; p < parts; p++ {
		if i := l.bad[p]; i >= 0 {
			return 0, errors.Errorf("ops: %s: variance%s = %v is negative", l.s.name, posString(i, l.s.in[2]), v[i])
		}
		sum += l.sum[p]
	}
	return l.s.reduce(sum, n), nil
}

func (l *gaussianNLL[T]) backward(d [][]T, in []G.Value, sv float64, g []T) error {
	if err := l.inputs(in); err != nil {
		return err
	}
	l.bwd, l.dx, l.dy, l.dv, l.g, l.sc = true, d[0], d[1], d[2], g, l.s.scale(sv, len(l.x))
	par.For(l.rows(), minRows(l.k.last), l)
	l.x, l.y, l.v, l.dx, l.dy, l.dv, l.g = nil, nil, nil, nil, nil, nil, nil
	return nil
}
