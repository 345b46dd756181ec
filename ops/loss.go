package ops

import (
	"encoding/binary"
	"fmt"
	"hash"
	"hash/fnv"
	"math"
	"unsafe"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// lossKind says which loss a lossOp computes.
type lossKind int

const (
	kindCE lossKind = iota
	kindNLL
	kindBCE
	kindBCELogits
)

var kindNames = [...]string{"CrossEntropy", "NLL", "BCE", "BCEWithLogits"}

// lossOp is the Gorgonia op shared by the four losses: inputs (x, target),
// output the reduced loss (a scalar) or the per-element losses. Its
// backward is lossGradOp (SymDiff) or DoDiff. One lossOp is made per node:
// it owns its output and the forward's cache (exp(x - rowmax) and 1/Σexp
// per row for CrossEntropy) that the backward reuses.
type lossOp struct {
	kind     lossKind
	dt       tensor.Dtype // input dtype
	xShape   tensor.Shape
	tShape   tensor.Shape
	tDt      tensor.Dtype
	prob     bool // CrossEntropy with class-probability targets
	red      Reduction
	outShape tensor.Shape // per-element loss shape (the output if red == None)

	args   ceArgs    // CrossEntropy, NLL: classes, weight, ignore index, smoothing
	w      []float64 // BCE, BCEWithLogits: weight expanded to the input's size
	pw     []float64 // BCEWithLogits: pos_weight expanded to the last dimension
	last   int       // size of the input's last dimension
	nPos   int       // number of per-element losses
	config string    // options, for String and the hash

	// run-time state
	tgt    []int
	e      bufs      // exp(x - rowmax), CrossEntropy
	invS   []float64 // 1/Σexp per position, CrossEntropy
	perPos bufs      // per-element losses when the output is a scalar
	cacheX unsafe.Pointer
	wsum   float64 // Σ weights of non-ignored targets from the last forward
	task   any     // the forward's parallel task (*ceFwdTask[T] or *binTask[T])
	out    outBuf
	grad   *lossGradOp
}

func (op *lossOp) name() string { return kindNames[op.kind] }

func (op *lossOp) Arity() int { return 2 }

func (op *lossOp) Type() hm.Type {
	return hm.NewFnType(typeOf(op.xShape.Dims(), op.dt), typeOf(op.tShape.Dims(), op.tDt), op.outType())
}

func (op *lossOp) outType() hm.Type {
	if op.red != None {
		return op.dt
	}
	return typeOf(op.outShape.Dims(), op.dt)
}

func (op *lossOp) shapeOut() tensor.Shape {
	if op.red != None {
		return tensor.ScalarShape()
	}
	return op.outShape.Clone()
}

func (op *lossOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.shapeOut(), nil }
func (op *lossOp) ReturnsPtr() bool                               { return false }
func (op *lossOp) CallsExtern() bool                              { return false }
func (op *lossOp) OverwritesInput() int                           { return -1 }

func (op *lossOp) String() string { return op.name() + "{" + op.config + "}" }

// WriteHash covers the op's whole configuration, weights included.
func (op *lossOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "stheno/ops.%s{%s|x=%v%v|t=%v%v|prob=%v}", op.name(), op.config, op.dt, op.xShape, op.tDt, op.tShape, op.prob)
	writeFloats(h, op.args.weight)
	writeFloats(h, op.w)
	writeFloats(h, op.pw)
}

func writeFloats(h hash.Hash, v []float64) {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(len(v)))
	h.Write(b[:])
	for _, f := range v {
		binary.LittleEndian.PutUint64(b[:], math.Float64bits(f))
		h.Write(b[:])
	}
}

func (op *lossOp) Hashcode() uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}

func (op *lossOp) Do(inputs ...G.Value) (G.Value, error) {
	if len(inputs) != 2 {
		return nil, errors.Errorf("ops: %s: got %d inputs, want 2", op.name(), len(inputs))
	}
	if op.dt == tensor.Float32 {
		return lossDo[float32](op, inputs[0], inputs[1])
	}
	return lossDo[float64](op, inputs[0], inputs[1])
}

// forward runs the loss kernel and returns the sum of the per-element
// losses scaled by the reduction and writes them to perPos if not nil.
func lossForward[T float](op *lossOp, xv, tv G.Value, perPos []T) (float64, error) {
	name := op.name()
	x, err := floatsOf[T](name, "input", xv, op.xShape)
	if err != nil {
		return 0, err
	}
	a := &op.args
	switch op.kind {
	case kindCE, kindNLL:
		if op.prob {
			tp, err := floatsOf[T](name, "target", tv, op.tShape)
			if err != nil {
				return 0, err
			}
			sum := ceProbFwd(x, tp, a, get[T](&op.e, len(x)), op.invS, perPos)
			op.cacheX = unsafe.Pointer(unsafe.SliceData(x))
			if op.red == Mean {
				return sum / float64(op.nPos), nil
			}
			return sum, nil
		}
		tgt, err := intsOf(name, tv, op.tShape, op.tgt)
		if err != nil {
			return 0, err
		}
		var nllSum, smSum, wsum float64
		bad := -1
		if op.kind == kindCE {
			ft := taskOf[ceFwdTask[T]](&op.task)
			ft.x, ft.tgt, ft.a, ft.e, ft.invS, ft.perPos = x, tgt, a, get[T](&op.e, len(x)), op.invS, perPos
			nllSum, smSum, wsum, bad = ft.run()
			ft.x, ft.tgt, ft.perPos = nil, nil, nil
		} else {
			nllSum, wsum, bad = nllFwd(x, tgt, a, perPos)
		}
		if bad >= 0 {
			op.cacheX = nil
			return 0, errors.Errorf("ops: %s: target%s = %d out of range [0, %d)", name, posString(bad, op.tShape), tgt[bad], a.c)
		}
		op.cacheX = unsafe.Pointer(unsafe.SliceData(x))
		op.wsum = wsum
		eps, c := a.eps, float64(a.c)
		switch op.red {
		case Mean:
			// PyTorch divides both parts by the weights (or count) of
			// the non-ignored targets.
			l := (1 - eps) * nllSum / wsum
			if eps > 0 {
				l += eps / c * smSum / wsum
			}
			return l, nil
		default:
			return (1-eps)*nllSum + eps/c*smSum, nil
		}
	default:
		y, err := floatsOf[T](name, "target", tv, op.tShape)
		if err != nil {
			return 0, err
		}
		bt := taskOf[binTask[T]](&op.task)
		bt.bwd, bt.logits, bt.x, bt.y, bt.perPos = false, op.kind == kindBCELogits, x, y, perPos
		bt.w, bt.pw, bt.last = op.w, op.pw, op.last
		sum, badX, badY := bt.run()
		bt.x, bt.y, bt.perPos = nil, nil, nil
		if badX >= 0 {
			return 0, errors.Errorf("ops: BCE: input%s = %v outside [0, 1]", posString(badX, op.xShape), x[badX])
		}
		if badY >= 0 {
			return 0, errors.Errorf("ops: BCE: target%s = %v outside [0, 1]", posString(badY, op.xShape), y[badY])
		}
		if op.red == Mean {
			return sum / float64(op.nPos), nil
		}
		return sum, nil
	}
}

// taskOf returns the task of type P kept in slot, creating it once.
func taskOf[P any](slot *any) *P {
	if t, ok := (*slot).(*P); ok {
		return t
	}
	t := new(P)
	*slot = t
	return t
}

// posString formats a flat position: "[17]" or "[2 3]" for a multi-dim
// shape.
func posString(i int, s tensor.Shape) string {
	if s.Dims() <= 1 {
		return fmt.Sprintf("[%d]", i)
	}
	idx := make([]int, s.Dims())
	for d := s.Dims() - 1; d >= 0; d-- {
		idx[d] = i % s[d]
		i /= s[d]
	}
	return fmt.Sprint(idx)
}

func lossDo[T float](op *lossOp, xv, tv G.Value) (G.Value, error) {
	if op.red == None && op.outShape.Dims() > 0 {
		out, perPos := dense[T](&op.out, op.dt, op.outShape)
		if _, err := lossForward(op, xv, tv, perPos); err != nil {
			return nil, err
		}
		return out, nil
	}
	var perPos []T
	if op.red == None {
		perPos = get[T](&op.perPos, 1)
	}
	l, err := lossForward(op, xv, tv, perPos)
	if err != nil {
		return nil, err
	}
	if op.red == None {
		l = float64(perPos[0])
	}
	return op.out.scalar(op.dt, l), nil
}

func (op *lossOp) DiffWRT(n int) []bool { return []bool{true, false} }

// SymDiff returns the gradient with respect to the input; the target gets
// none (nil): class indices are not differentiable and, unlike PyTorch, no
// gradient is computed for probability targets.
func (op *lossOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	if len(inputs) != 2 {
		return nil, errors.Errorf("ops: %s: SymDiff got %d inputs, want 2", op.name(), len(inputs))
	}
	dx, err := G.ApplyOp(op.gradOp(), inputs[0], inputs[1], output, grad)
	if err != nil {
		return nil, errors.Wrapf(err, "ops: %s: building the backward op", op.name())
	}
	return G.Nodes{dx, nil}, nil
}

func (op *lossOp) gradOp() *lossGradOp {
	if op.grad == nil {
		op.grad = &lossGradOp{fwd: op}
	}
	return op.grad
}

// DoDiff adds the input gradient to inputs[0]'s gradient (LispMachine).
func (op *lossOp) DoDiff(ctx G.ExecutionContext, inputs G.Nodes, output *G.Node) error {
	if len(inputs) != 2 {
		return errors.Errorf("ops: %s: DoDiff got %d inputs, want 2", op.name(), len(inputs))
	}
	return addGrad(op.name(), op.dt, output, inputs[0], func(g G.Value) (G.Value, error) {
		return op.gradOp().Do(inputs[0].Value(), inputs[1].Value(), output.Value(), g)
	})
}

// lossGradOp computes a loss's input gradient from (x, target, output,
// output gradient). The output is an input only to order the backward after
// the forward, whose cache it reads.
type lossGradOp struct {
	fwd  *lossOp
	out  outBuf
	task any // the backward's parallel task (*ceBwdTask[T] or *binTask[T])
}

func (op *lossGradOp) Arity() int { return 4 }

func (op *lossGradOp) Type() hm.Type {
	f := op.fwd
	xt := typeOf(f.xShape.Dims(), f.dt)
	return hm.NewFnType(xt, typeOf(f.tShape.Dims(), f.tDt), f.outType(), f.outType(), xt)
}

func (op *lossGradOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return op.fwd.xShape.Clone(), nil
}
func (op *lossGradOp) ReturnsPtr() bool     { return false }
func (op *lossGradOp) CallsExtern() bool    { return false }
func (op *lossGradOp) OverwritesInput() int { return -1 }
func (op *lossGradOp) String() string       { return op.fwd.name() + "Grad{" + op.fwd.config + "}" }
func (op *lossGradOp) WriteHash(h hash.Hash) {
	h.Write([]byte("grad:"))
	op.fwd.WriteHash(h)
}
func (op *lossGradOp) Hashcode() uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}

func (op *lossGradOp) Do(inputs ...G.Value) (G.Value, error) {
	if len(inputs) != 4 {
		return nil, errors.Errorf("ops: %s: backward got %d inputs, want 4", op.fwd.name(), len(inputs))
	}
	if op.fwd.dt == tensor.Float32 {
		return lossGradDo[float32](op, inputs[0], inputs[1], inputs[3])
	}
	return lossGradDo[float64](op, inputs[0], inputs[1], inputs[3])
}

func lossGradDo[T float](op *lossGradOp, xv, tv, gv G.Value) (G.Value, error) {
	f := op.fwd
	name := f.name()
	out, dx := dense[T](&op.out, f.dt, f.xShape)
	x, err := floatsOf[T](name, "input", xv, f.xShape)
	if err != nil {
		return nil, err
	}
	nOut := f.nPos // elements of the output (and of its gradient)
	if f.red != None {
		nOut = 1
	}
	s, gPos, err := gradOf[T](name, gv, nOut)
	if err != nil {
		return nil, err
	}
	if f.red == Mean {
		s /= float64(f.nPos)
	}
	a := &f.args
	switch f.kind {
	case kindCE:
		if f.cacheX != unsafe.Pointer(unsafe.SliceData(x)) {
			// The forward did not run on this input: refresh the cache.
			var perPos []T
			if _, err := lossForward(f, xv, tv, perPos); err != nil {
				return nil, err
			}
		}
		e := get[T](&f.e, len(x))
		if f.prob {
			tp, err := floatsOf[T](name, "target", tv, f.tShape)
			if err != nil {
				return nil, err
			}
			ceProbBwd(dx, e, f.invS, tp, a, gPos, s)
			return out, nil
		}
		tgt, err := intsOf(name, tv, f.tShape, f.tgt)
		if err != nil {
			return nil, err
		}
		if f.red == Mean {
			s = s * float64(f.nPos) / f.wsum
		}
		bt := taskOf[ceBwdTask[T]](&op.task)
		bt.dx, bt.e, bt.invS, bt.tgt, bt.a, bt.gPos, bt.sN, bt.sS = dx, e, f.invS, tgt, a, gPos, s, s
		bt.run()
		bt.tgt, bt.gPos = nil, nil
	case kindNLL:
		tgt, err := intsOf(name, tv, f.tShape, f.tgt)
		if err != nil {
			return nil, err
		}
		if f.red == Mean {
			// the denominator is Σ weights of non-ignored targets
			var wsum float64
			for _, t := range tgt {
				if t != a.ignore && t >= 0 && t < a.c {
					wsum += a.w(t)
				}
			}
			s = s * float64(f.nPos) / wsum
		}
		nllBwd(dx, tgt, a, gPos, s)
	default:
		y, err := floatsOf[T](name, "target", tv, f.tShape)
		if err != nil {
			return nil, err
		}
		bt := taskOf[binTask[T]](&op.task)
		bt.bwd, bt.logits, bt.x, bt.y, bt.dx, bt.gPos = true, f.kind == kindBCELogits, x, y, dx, gPos
		bt.w, bt.pw, bt.last, bt.s = f.w, f.pw, f.last, s
		bt.run()
		bt.x, bt.y, bt.gPos = nil, nil, nil
	}
	return out, nil
}

var (
	_ G.Op   = (*lossOp)(nil)
	_ G.SDOp = (*lossOp)(nil)
	_ G.ADOp = (*lossOp)(nil)
	_ G.Op   = (*lossGradOp)(nil)
)
