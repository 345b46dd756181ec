package ops

import (
	"github.com/pkg/errors"
	"github.com/stheno-ml/stheno/internal/num"
	"github.com/stheno-ml/stheno/internal/par"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// pairSpec checks the (input, target) nodes of an element-wise loss —
// same shape, same float dtype — and returns its spec (gradients to the
// input only) and, if the loss was given WithWeight, the weight broadcast
// to the input's shape.
func pairSpec(name string, x, target *G.Node, cfg *lossConfig) (*lossSpec, []float64, error) {
	if x == nil || target == nil {
		return nil, nil, errors.Errorf("ops: %s: nil node", name)
	}
	dt := x.Dtype()
	if !isFloat(dt) {
		return nil, nil, errors.Errorf("ops: %s: input has dtype %v, want Float64 or Float32", name, dt)
	}
	xs := x.Shape()
	if xs.Dims() < 1 {
		return nil, nil, errors.Errorf("ops: %s: input must be a tensor, got a scalar", name)
	}
	if target.Dtype() != dt {
		return nil, nil, errors.Errorf("ops: %s: target has dtype %v, want the input's dtype %v", name, target.Dtype(), dt)
	}
	if !num.SameShape(target.Shape(), xs) {
		return nil, nil, errors.Errorf("ops: %s: target has shape %v, want the input's shape %v", name, target.Shape(), xs)
	}
	s := &lossSpec{name: name, dt: dt, in: []tensor.Shape{xs.Clone(), xs.Clone()}, inDt: []tensor.Dtype{dt, dt},
		diff: []bool{true, false}, red: cfg.reduction, out: xs.Clone()}
	var w []float64
	if cfg.weight != nil {
		wv, err := floatsOfConst(name, "weight", cfg.weight, dt)
		if err != nil {
			return nil, nil, err
		}
		if w, err = broadcastTo(wv, cfg.weight.Shape(), xs); err != nil {
			return nil, nil, errors.Wrapf(err, "ops: %s: weight", name)
		}
		s.hashed = append(s.hashed, w)
	}
	return s, w, nil
}

// broadcastTo expands w of shape ws to shape s by NumPy's rules (shapes
// aligned on the right, a dimension of size 1 repeats).
func broadcastTo(w []float64, ws, s tensor.Shape) ([]float64, error) {
	if ws.Dims() > s.Dims() {
		return nil, errors.Errorf("shape %v does not broadcast to %v", ws, s)
	}
	// strides of w aligned on s's dimensions; 0 where w repeats
	strides := make([]int, s.Dims())
	off := s.Dims() - ws.Dims()
	st := 1
	for d := ws.Dims() - 1; d >= 0; d-- {
		switch ws[d] {
		case s[d+off]:
			strides[d+off] = st
		case 1:
		default:
			return nil, errors.Errorf("shape %v does not broadcast to %v", ws, s)
		}
		st *= ws[d]
	}
	out := make([]float64, s.TotalSize())
	idx := make([]int, s.Dims())
	for i := range out {
		p := 0
		for d, k := range idx {
			p += k * strides[d]
		}
		out[i] = w[p]
		for d := len(idx) - 1; d >= 0; d-- {
			if idx[d]++; idx[d] < s[d] {
				break
			}
			idx[d] = 0
		}
	}
	return out, nil
}

// pairKernel is the element function of a pairLoss: the loss of one
// (input, target) pair and its derivatives with respect to each.
type pairKernel interface {
	loss(x, y float64) float64
	dx(x, y float64) float64
	dy(x, y float64) float64
}

// pairSpecDiff is pairSpec for losses whose target also gets a gradient,
// as in PyTorch; options other than the reduction are the caller's.
func pairSpecDiff(name string, x, target *G.Node, cfg *lossConfig) (*lossSpec, error) {
	s, _, err := pairSpec(name, x, target, cfg)
	if err != nil {
		return nil, err
	}
	s.diff = []bool{true, true}
	return s, nil
}

// applyPair makes the node of an element-wise loss of (input, target).
func applyPair(s *lossSpec, k pairKernel, x, target *G.Node) (*G.Node, error) {
	return applyLoss(s.dt, &pairLoss[float32]{s: s, k: k}, &pairLoss[float64]{s: s, k: k}, x, target)
}

// pairLoss is an element-wise loss of an input and a target of the same
// shape, defined by its kernel; it runs over parts of the elements.
type pairLoss[T num.Float] struct {
	s         *lossSpec
	k         pairKernel
	x, y      []T
	perPos, g []T
	dx, dy    []T
	sc        float64
	bwd       bool
	sum       [par.MaxParts]float64
}

func (l *pairLoss[T]) spec() *lossSpec { return l.s }

func (l *pairLoss[T]) inputs(in []G.Value) error {
	var err error
	if l.x, err = floatsOf[T](l.s.name, "input", in[0], l.s.in[0]); err != nil {
		return err
	}
	l.y, err = floatsOf[T](l.s.name, "target", in[1], l.s.in[1])
	return err
}

func (l *pairLoss[T]) Range(p, lo, hi int) {
	x, y, k := l.x, l.y, l.k
	if !l.bwd {
		var sum float64
		for i := lo; i < hi; i++ {
			v := k.loss(float64(x[i]), float64(y[i]))
			sum += v
			if l.perPos != nil {
				l.perPos[i] = T(v)
			}
		}
		l.sum[p] = sum
		return
	}
	for i := lo; i < hi; i++ {
		g := l.sc
		if l.g != nil {
			g *= float64(l.g[i])
		}
		xf, yf := float64(x[i]), float64(y[i])
		if l.dx != nil {
			l.dx[i] = T(k.dx(xf, yf) * g)
		}
		if l.dy != nil {
			l.dy[i] = T(k.dy(xf, yf) * g)
		}
	}
}

func (l *pairLoss[T]) forward(in []G.Value, perPos []T) (float64, error) {
	if err := l.inputs(in); err != nil {
		return 0, err
	}
	l.bwd, l.perPos = false, perPos
	parts := par.For(len(l.x), parMinWork, l)
	n := len(l.x)
	l.x, l.y, l.perPos = nil, nil, nil
	var sum float64
	for p := 0; p < parts; p++ {
		sum += l.sum[p]
	}
	return l.s.reduce(sum, n), nil
}

func (l *pairLoss[T]) backward(d [][]T, in []G.Value, sv float64, g []T) error {
	if err := l.inputs(in); err != nil {
		return err
	}
	l.bwd, l.dx, l.dy, l.g, l.sc = true, d[0], d[1], g, l.s.scale(sv, len(l.x))
	par.For(len(l.x), parMinWork, l)
	l.x, l.y, l.dx, l.dy, l.g = nil, nil, nil, nil, nil
	return nil
}
