package ops

import (
	"github.com/pkg/errors"
	"github.com/stheno-ml/stheno/internal/num"
	"github.com/stheno-ml/stheno/internal/par"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// pairSpec checks the (input, target) nodes of an element-wise loss —
// same shape, same float dtype, a scalar only if scalarOK — and returns its
// spec (gradients to the input only) and, if the loss was given WithWeight,
// the weight broadcast to the input's shape.
func pairSpec(name string, x, target *G.Node, cfg *lossConfig, scalarOK bool) (*lossSpec, []float64, error) {
	if x == nil || target == nil {
		return nil, nil, errors.Errorf("ops: %s: nil node", name)
	}
	dt := x.Dtype()
	if !isFloat(dt) {
		return nil, nil, errors.Errorf("ops: %s: input has dtype %v, want Float64 or Float32", name, dt)
	}
	xs := x.Shape()
	if xs.Dims() < 1 && !scalarOK {
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

// pairKernel is the element function of an element-wise loss: the loss of
// one (input, target) pair and its derivatives with respect to each.
type pairKernel interface {
	loss(x, y float64) float64
	dx(x, y float64) float64
	dy(x, y float64) float64
}

// elementLoss builds an element-wise loss of (input, target) whose target
// is also differentiated, as PyTorch's regression losses: options lists
// the options beyond WithReduction that apply, and kernel returns the
// element kernel for the configuration and its part of the op's config
// string (", beta=0.5").
func elementLoss(name string, options []string, input, target *G.Node, opts []LossOpt, kernel func(*lossConfig) (pairKernel, string)) (*G.Node, error) {
	cfg, err := newLossConfig(name, append([]string{"WithReduction"}, options...), opts)
	if err != nil {
		return nil, err
	}
	s, _, err := pairSpec(name, input, target, cfg, true)
	if err != nil {
		return nil, err
	}
	s.diff = []bool{true, true}
	k, conf := kernel(cfg)
	s.config = "reduction=" + cfg.reduction.String() + conf
	return applyLoss(s.dt, &pairLoss[float32]{s: s, k: elemKernel[float32]{k}}, &pairLoss[float64]{s: s, k: elemKernel[float64]{k}}, input, target)
}

// rangeKernel is the slice kernel of an element-wise loss, over elements
// [lo, hi) of input x and target y.
type rangeKernel[T num.Float] interface {
	// fwd returns the sum of the losses, writes them to perPos if it is
	// not nil, and returns the first element whose input or target is
	// invalid, or -1.
	fwd(x, y, perPos []T, lo, hi int) (sum float64, bad int)
	// bwd writes the gradients with respect to x and y into dx and dy
	// (either may be nil), times s and g (per element, or nil).
	bwd(dx, dy, x, y, g []T, s float64, lo, hi int)
	// invalid returns the error for the element fwd found invalid.
	invalid(s *lossSpec, x, y []T, i int) error
}

// elemKernel is the rangeKernel of a pairKernel.
type elemKernel[T num.Float] struct{ k pairKernel }

func (e elemKernel[T]) fwd(x, y, perPos []T, lo, hi int) (float64, int) {
	var sum float64
	for i := lo; i < hi; i++ {
		v := e.k.loss(float64(x[i]), float64(y[i]))
		sum += v
		if perPos != nil {
			perPos[i] = T(v)
		}
	}
	return sum, -1
}

func (e elemKernel[T]) bwd(dx, dy, x, y, g []T, s float64, lo, hi int) {
	for i := lo; i < hi; i++ {
		gi := s
		if g != nil {
			gi *= float64(g[i])
		}
		xf, yf := float64(x[i]), float64(y[i])
		if dx != nil {
			dx[i] = T(e.k.dx(xf, yf) * gi)
		}
		if dy != nil {
			dy[i] = T(e.k.dy(xf, yf) * gi)
		}
	}
}

func (e elemKernel[T]) invalid(*lossSpec, []T, []T, int) error { return nil }

// pairLoss is an element-wise loss of an input and a target of the same
// shape, defined by its kernel; it runs over parts of the elements.
type pairLoss[T num.Float] struct {
	s         *lossSpec
	k         rangeKernel[T]
	x, y      []T
	perPos, g []T
	dx, dy    []T
	sc        float64
	bwd       bool
	sum       [par.MaxParts]float64
	bad       [par.MaxParts]int
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
	if l.bwd {
		l.k.bwd(l.dx, l.dy, l.x, l.y, l.g, l.sc, lo, hi)
		return
	}
	l.sum[p], l.bad[p] = l.k.fwd(l.x, l.y, l.perPos, lo, hi)
}

func (l *pairLoss[T]) forward(in []G.Value, perPos []T) (float64, error) {
	if err := l.inputs(in); err != nil {
		return 0, err
	}
	l.bwd, l.perPos = false, perPos
	parts := par.For(len(l.x), parMinWork, l)
	x, y := l.x, l.y
	l.x, l.y, l.perPos = nil, nil, nil
	var sum float64
	for p := 0; p < parts; p++ {
		if i := l.bad[p]; i >= 0 {
			return 0, l.k.invalid(l.s, x, y, i)
		}
		sum += l.sum[p]
	}
	return l.s.reduce(sum, len(x)), nil
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
