package ops

import (
	"fmt"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// BCE returns the binary cross-entropy between probabilities and targets,
// with the semantics of torch.nn.functional.binary_cross_entropy
// (PyTorch 1.13): -w (y log p + (1-y) log(1-p)) element-wise, each log
// clamped at -100 so p = 0 or 1 gives a finite loss. The backward is
// PyTorch's (p - y) / max(p (1-p), 1e-12) · w.
//
// probs and target have the same shape and dtype (Float64 or Float32).
// Options: WithReduction (default Mean: divide by the number of elements)
// and WithWeight (broadcast to the input's shape). A probability or target
// outside [0, 1] makes the VM's run return an error naming it. Gradients
// flow to probs only.
func BCE(probs, target *G.Node, opts ...LossOpt) (*G.Node, error) {
	return binaryLoss(kindBCE, probs, target, opts)
}

func binaryLoss(kind lossKind, x, target *G.Node, opts []LossOpt) (*G.Node, error) {
	name := kindNames[kind]
	allowed := optReduction | optWeight
	if kind == kindBCELogits {
		allowed |= optPosWeight
	}
	cfg, err := newLossConfig(name, allowed, opts)
	if err != nil {
		return nil, err
	}
	if x == nil || target == nil {
		return nil, errors.Errorf("ops: %s: nil node", name)
	}
	dt := x.Dtype()
	if !isFloat(dt) {
		return nil, errors.Errorf("ops: %s: input has dtype %v, want Float64 or Float32", name, dt)
	}
	xs := x.Shape()
	if xs.Dims() < 1 {
		return nil, errors.Errorf("ops: %s: input must be a tensor, got a scalar", name)
	}
	if target.Dtype() != dt {
		return nil, errors.Errorf("ops: %s: target has dtype %v, want the input's dtype %v", name, target.Dtype(), dt)
	}
	if !target.Shape().Eq(xs) {
		return nil, errors.Errorf("ops: %s: target has shape %v, want the input's shape %v", name, target.Shape(), xs)
	}
	op := &lossOp{kind: kind, dt: dt, xShape: xs.Clone(), tShape: xs.Clone(), tDt: dt, red: cfg.reduction,
		outShape: xs.Clone(), nPos: xs.TotalSize(), last: xs[xs.Dims()-1]}
	if cfg.weight != nil {
		w, err := floatsOfConst(name, "weight", cfg.weight, dt)
		if err != nil {
			return nil, err
		}
		if op.w, err = broadcastTo(w, cfg.weight.Shape(), xs); err != nil {
			return nil, errors.Wrapf(err, "ops: %s: weight", name)
		}
	}
	if cfg.posWeight != nil {
		pw, err := floatsOfConst(name, "pos_weight", cfg.posWeight, dt)
		if err != nil {
			return nil, err
		}
		switch len(pw) {
		case op.last:
			op.pw = pw
		case 1:
			op.pw = make([]float64, op.last)
			for i := range op.pw {
				op.pw[i] = pw[0]
			}
		default:
			return nil, errors.Errorf("ops: %s: pos_weight has shape %v, want (%d) (the input's last dimension) or (1)", name, cfg.posWeight.Shape(), op.last)
		}
	}
	op.config = fmt.Sprintf("reduction=%v, weighted=%v, pos_weighted=%v", cfg.reduction, cfg.weight != nil, cfg.posWeight != nil)
	out, err := G.ApplyOp(op, x, target)
	if err != nil {
		return nil, errors.Wrapf(err, "ops: %s", name)
	}
	return out, nil
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
