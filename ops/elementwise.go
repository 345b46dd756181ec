package ops

import (
	"github.com/pkg/errors"
	"github.com/stheno-ml/stheno/internal/num"
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
