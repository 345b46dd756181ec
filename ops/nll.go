package ops

import (
	"github.com/pkg/errors"
	"github.com/stheno-ml/stheno/internal/num"
	G "gorgonia.org/gorgonia"
)

// NLL returns the negative log-likelihood loss of log-probabilities (for
// example the output of LogSoftmax) and class-index targets, with the
// semantics of torch.nn.functional.nll_loss (PyTorch 1.13): -w[t]·logProbs[t]
// per position.
//
// Shapes, target dtypes and the options WithReduction, WithWeight and
// WithIgnoreIndex are as for CrossEntropy; probability targets and
// WithLabelSmoothing are errors. Gradients flow to logProbs only.
func NLL(logProbs, target *G.Node, opts ...LossOpt) (*G.Node, error) {
	const name = "NLL"
	cfg, err := newLossConfig(name, []string{"WithReduction", "WithWeight", "WithIgnoreIndex"}, opts)
	if err != nil {
		return nil, err
	}
	s, a, _, err := classSpec(name, logProbs, target, cfg, false)
	if err != nil {
		return nil, err
	}
	return applyLoss(s.dt, &nll[float32]{s: s, a: a}, &nll[float64]{s: s, a: a}, logProbs, target)
}

// nll is NLL's loss.
type nll[T num.Float] struct {
	s    *lossSpec
	a    ceArgs
	tgt  []int
	wsum float64 // Σ weights of the non-ignored targets, from the forward
}

func (l *nll[T]) spec() *lossSpec { return l.s }

func (l *nll[T]) forward(in []G.Value, perPos []T) (float64, error) {
	s, a := l.s, &l.a
	x, err := floatsOf[T](s.name, "input", in[0], s.in[0])
	if err != nil {
		return 0, err
	}
	l.tgt = num.Grow(l.tgt, a.nPos)
	tgt, err := intsOf(s.name, in[1], s.in[1], l.tgt)
	if err != nil {
		return 0, err
	}
	sum, wsum, bad := nllFwd(x, tgt, a, perPos)
	if bad >= 0 {
		return 0, errors.Errorf("ops: %s: target%s = %d out of range [0, %d)", s.name, posString(bad, s.in[1]), tgt[bad], a.c)
	}
	l.wsum = wsum
	if s.red == Mean {
		return sum / wsum, nil
	}
	return sum, nil
}

func (l *nll[T]) backward(d [][]T, in []G.Value, sv float64, g []T) error {
	s, a := l.s, &l.a
	tgt, err := intsOf(s.name, in[1], s.in[1], l.tgt)
	if err != nil {
		return err
	}
	if s.red == Mean {
		sv /= l.wsum // the denominator the forward used
	}
	nllBwd(d[0], tgt, a, g, sv)
	return nil
}

// nllFwd computes the negative log-likelihood -w_t x_t of log-probabilities
// x with class-index targets. It returns the sum of the losses and of the
// weights of non-ignored targets, and the first bad target position or -1.
func nllFwd[T num.Float](x []T, tgt []int, a *ceArgs, perPos []T) (sum, wsum float64, bad int) {
	c, inner := a.c, a.inner
	for i, t := range tgt {
		if t == a.ignore {
			if perPos != nil {
				perPos[i] = 0
			}
			continue
		}
		if t < 0 || t >= c {
			return 0, 0, i
		}
		wt := a.w(t)
		l := -wt * float64(x[posBase(i, c, inner)+t*inner])
		sum += l
		wsum += wt
		if perPos != nil {
			perPos[i] = T(l)
		}
	}
	return sum, wsum, -1
}

// nllBwd writes dx = -w_t s g_i at the target class, 0 elsewhere.
func nllBwd[T num.Float](dx []T, tgt []int, a *ceArgs, gPos []T, s float64) {
	clear(dx)
	c, inner := a.c, a.inner
	for i, t := range tgt {
		if t == a.ignore {
			continue
		}
		g := s
		if gPos != nil {
			g *= float64(gPos[i])
		}
		dx[posBase(i, c, inner)+t*inner] = T(-a.w(t) * g)
	}
}
