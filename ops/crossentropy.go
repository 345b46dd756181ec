package ops

import (
	"fmt"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// CrossEntropy returns the cross-entropy loss between logits and target,
// with the semantics of torch.nn.functional.cross_entropy (PyTorch 1.13):
// log_softmax over the class dimension and the negative log-likelihood,
// fused and computed stably (max-shifted log-sum-exp).
//
// logits has shape (N, C), (N, C, d1, ..., dK) or (C) (unbatched), dtype
// Float64 or Float32. target is either
//   - class indices: an Int, Int64 or Int32 node of shape (N),
//     (N, d1, ..., dK) or () for unbatched input; or
//   - class probabilities: a node with the logits' shape and dtype.
//
// Options: WithReduction (default Mean), WithWeight (per-class weights,
// shape (C)), WithIgnoreIndex (default -100; class-index targets only,
// ignored for probability targets as in PyTorch), WithLabelSmoothing.
// With Mean, class-index losses are divided by the sum of the weights of
// the non-ignored targets (NaN if all are ignored); probability-target
// losses by the number of positions N*d1*...*dK.
//
// The result is a scalar node (Mean, Sum) or has the target's shape (None).
// Gradients flow to logits only: the target gets none, also for
// probability targets (where PyTorch would compute one).
//
// A class index outside [0, C) that is not the ignore index makes the VM's
// run return an error naming it.
func CrossEntropy(logits, target *G.Node, opts ...LossOpt) (*G.Node, error) {
	return classLoss(kindCE, logits, target, opts)
}

// classLoss builds CrossEntropy and NLL.
func classLoss(kind lossKind, x, target *G.Node, opts []LossOpt) (*G.Node, error) {
	name := kindNames[kind]
	allowed := optReduction | optWeight | optIgnoreIndex
	if kind == kindCE {
		allowed |= optLabelSmoothing
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
		return nil, errors.Errorf("ops: %s: input must have shape (C), (N, C) or (N, C, d1, ...), got a scalar", name)
	}
	op := &lossOp{kind: kind, dt: dt, xShape: xs.Clone(), tShape: target.Shape().Clone(), tDt: target.Dtype(), red: cfg.reduction}
	cdim := 1
	if xs.Dims() == 1 {
		cdim = 0
	}
	c := xs[cdim]
	if c < 1 {
		return nil, errors.Errorf("ops: %s: input %v has no classes", name, xs)
	}
	inner := 1
	for _, d := range xs[cdim+1:] {
		inner *= d
	}
	// per-position shape: the input's shape without the class dimension
	pos := append(tensor.Shape{}, xs[:cdim]...)
	pos = append(pos, xs[cdim+1:]...)
	op.outShape = pos
	op.nPos = pos.TotalSize()
	if len(pos) == 0 {
		op.nPos = 1
	}
	switch {
	case isIndex(op.tDt):
		if !op.tShape.Eq(pos) && !(op.tShape.IsScalar() && pos.IsScalar()) {
			return nil, errors.Errorf("ops: %s: class-index target has shape %v, want %v for input %v", name, op.tShape, pos, xs)
		}
		op.tgt = make([]int, op.nPos)
	case isFloat(op.tDt):
		if kind == kindNLL {
			return nil, errors.Errorf("ops: NLL: target has dtype %v; NLL needs class indices (Int, Int64 or Int32)", op.tDt)
		}
		if op.tDt != dt {
			return nil, errors.Errorf("ops: %s: probability target has dtype %v, want the input's dtype %v", name, op.tDt, dt)
		}
		if !op.tShape.Eq(xs) {
			return nil, errors.Errorf("ops: %s: probability target has shape %v, want the input's shape %v", name, op.tShape, xs)
		}
		op.prob = true
	default:
		return nil, errors.Errorf("ops: %s: target has dtype %v, want class indices (Int, Int64, Int32) or probabilities (the input's dtype)", name, op.tDt)
	}
	op.args = ceArgs{c: c, inner: inner, ignore: cfg.ignore, eps: cfg.smoothing, wtot: float64(c)}
	if cfg.weight != nil {
		if !cfg.weight.Shape().Eq(tensor.Shape{c}) {
			return nil, errors.Errorf("ops: %s: weight has shape %v, want (%d) (one per class)", name, cfg.weight.Shape(), c)
		}
		w, err := floatsOfConst(name, "weight", cfg.weight, dt)
		if err != nil {
			return nil, err
		}
		op.args.weight = w
		op.args.wtot = 0
		for _, v := range w {
			op.args.wtot += v
		}
	}
	if kind == kindCE {
		op.invS = make([]float64, op.nPos)
	}
	op.config = fmt.Sprintf("reduction=%v, ignore_index=%d, label_smoothing=%v, weighted=%v", cfg.reduction, cfg.ignore, cfg.smoothing, cfg.weight != nil)
	out, err := G.ApplyOp(op, x, target)
	if err != nil {
		return nil, errors.Wrapf(err, "ops: %s", name)
	}
	return out, nil
}
