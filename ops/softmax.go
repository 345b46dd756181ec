package ops

import (
	"fmt"
	"hash"
	"math"
	"unsafe"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	"github.com/stheno-ml/stheno/internal/num"
	"github.com/stheno-ml/stheno/internal/par"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Softmax returns softmax(x) along axis, exp(x - max) / Σ exp(x - max) with
// the max taken per row, like torch.nn.functional.softmax(x, dim=axis).
// A negative axis counts from the end (-1 is the last). x must be a
// Float64 or Float32 tensor.
func Softmax(x *G.Node, axis int) (*G.Node, error) { return softmax(x, axis, false) }

// LogSoftmax returns log_softmax(x) along axis, x - max - log Σ exp(x - max)
// per row, like torch.nn.functional.log_softmax(x, dim=axis). A negative
// axis counts from the end.
func LogSoftmax(x *G.Node, axis int) (*G.Node, error) { return softmax(x, axis, true) }

func softmax(x *G.Node, axis int, log bool) (*G.Node, error) {
	cfg := softmaxCfg{log: log}
	name := cfg.name()
	if x == nil {
		return nil, errors.Errorf("ops: %s: nil node", name)
	}
	if !isFloat(x.Dtype()) {
		return nil, errors.Errorf("ops: %s: input has dtype %v, want Float64 or Float32", name, x.Dtype())
	}
	s := x.Shape()
	if s.Dims() < 1 {
		return nil, errors.Errorf("ops: %s: input must be a tensor, got a scalar", name)
	}
	if axis < -s.Dims() || axis >= s.Dims() {
		return nil, errors.Errorf("ops: %s: axis %d out of range for shape %v", name, axis, s)
	}
	if axis < 0 {
		axis += s.Dims()
	}
	cfg.axis, cfg.dt, cfg.shape = axis, x.Dtype(), s.Clone()
	cfg.c, cfg.inner = s[axis], 1
	for _, d := range s[axis+1:] {
		cfg.inner *= d
	}
	var op G.Op = &softmaxOp[float64]{softmaxCfg: cfg}
	if cfg.dt == tensor.Float32 {
		op = &softmaxOp[float32]{softmaxCfg: cfg}
	}
	out, err := G.ApplyOp(op, x)
	if err != nil {
		return nil, errors.Wrapf(err, "ops: %s", name)
	}
	return out, nil
}

// softmaxCfg is the configuration of a (log-)softmax node.
type softmaxCfg struct {
	log      bool
	axis     int
	dt       tensor.Dtype
	shape    tensor.Shape
	c, inner int
}

func (c *softmaxCfg) name() string {
	if c.log {
		return "LogSoftmax"
	}
	return "Softmax"
}

// WriteHash covers the kind (softmax or log-softmax), axis, dtype and shape.
func (c *softmaxCfg) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "stheno/ops.%s{axis=%d}%v%v", c.name(), c.axis, c.dt, c.shape)
}

func (c *softmaxCfg) ReturnsPtr() bool     { return false }
func (c *softmaxCfg) CallsExtern() bool    { return false }
func (c *softmaxCfg) OverwritesInput() int { return -1 }
func (c *softmaxCfg) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return c.shape.Clone(), nil
}

// softmaxOp is the fused (log-)softmax op. Its backward op takes the
// output and the output gradient.
type softmaxOp[T num.Float] struct {
	softmaxCfg
	out  outBuf
	grad *softmaxGradOp[T]
	job  softmaxJob[T]
}

func (op *softmaxOp[T]) Arity() int { return 1 }
func (op *softmaxOp[T]) Type() hm.Type {
	t := typeOf(op.shape.Dims(), op.dt)
	return hm.NewFnType(t, t)
}
func (op *softmaxOp[T]) String() string   { return fmt.Sprintf("%s{axis=%d}", op.name(), op.axis) }
func (op *softmaxOp[T]) Hashcode() uint32 { return hashOf(op) }

func (op *softmaxOp[T]) Do(inputs ...G.Value) (G.Value, error) {
	if len(inputs) != 1 {
		return nil, errors.Errorf("ops: %s: got %d inputs, want 1", op.name(), len(inputs))
	}
	x, err := floatsOf[T](op.name(), "input", inputs[0], op.shape)
	if err != nil {
		return nil, err
	}
	out, y := dense[T](&op.out, op.shape)
	j := &op.job
	j.bwd, j.dst, j.x, j.c, j.inner, j.log = false, y, x, op.c, op.inner, op.log
	j.run()
	j.x, j.dst = nil, nil
	return out, nil
}

func (op *softmaxOp[T]) DiffWRT(int) []bool { return []bool{true} }

func (op *softmaxOp[T]) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	if len(inputs) != 1 {
		return nil, errors.Errorf("ops: %s: SymDiff got %d inputs, want 1", op.name(), len(inputs))
	}
	dx, err := G.ApplyOp(op.gradOp(), output, grad)
	if err != nil {
		return nil, errors.Wrapf(err, "ops: %s: building the backward op", op.name())
	}
	return G.Nodes{dx}, nil
}

func (op *softmaxOp[T]) gradOp() *softmaxGradOp[T] {
	if op.grad == nil {
		op.grad = &softmaxGradOp[T]{fwd: op}
	}
	return op.grad
}

// DoDiff adds the input gradient to the input's gradient (LispMachine).
func (op *softmaxOp[T]) DoDiff(ctx G.ExecutionContext, inputs G.Nodes, output *G.Node) error {
	if len(inputs) != 1 {
		return errors.Errorf("ops: %s: DoDiff got %d inputs, want 1", op.name(), len(inputs))
	}
	return addGrad[T](op.name(), inputs, 0, output, func(g G.Value) (G.Value, error) {
		return op.gradOp().Do(output.Value(), g)
	})
}

// softmaxGradOp computes the (log-)softmax input gradient from the output
// and the output gradient.
type softmaxGradOp[T num.Float] struct {
	fwd *softmaxOp[T]
	out outBuf
	job softmaxJob[T]
}

func (op *softmaxGradOp[T]) Arity() int { return 2 }
func (op *softmaxGradOp[T]) Type() hm.Type {
	t := typeOf(op.fwd.shape.Dims(), op.fwd.dt)
	return hm.NewFnType(t, t, t)
}
func (op *softmaxGradOp[T]) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return op.fwd.shape.Clone(), nil
}
func (op *softmaxGradOp[T]) ReturnsPtr() bool     { return false }
func (op *softmaxGradOp[T]) CallsExtern() bool    { return false }
func (op *softmaxGradOp[T]) OverwritesInput() int { return -1 }
func (op *softmaxGradOp[T]) String() string {
	return fmt.Sprintf("%sGrad{axis=%d}", op.fwd.name(), op.fwd.axis)
}
func (op *softmaxGradOp[T]) WriteHash(h hash.Hash) {
	h.Write([]byte("grad:"))
	op.fwd.WriteHash(h)
}
func (op *softmaxGradOp[T]) Hashcode() uint32 { return hashOf(op) }

func (op *softmaxGradOp[T]) Do(inputs ...G.Value) (G.Value, error) {
	f := op.fwd
	if len(inputs) != 2 {
		return nil, errors.Errorf("ops: %s: backward got %d inputs, want 2", f.name(), len(inputs))
	}
	y, err := floatsOf[T](f.name(), "output", inputs[0], f.shape)
	if err != nil {
		return nil, err
	}
	g, err := floatsOf[T](f.name(), "output gradient", inputs[1], f.shape)
	if err != nil {
		return nil, err
	}
	out, dx := dense[T](&op.out, f.shape)
	j := &op.job
	j.bwd, j.dst, j.x, j.g, j.c, j.inner, j.log = true, dx, y, g, f.c, f.inner, f.log
	j.run()
	j.dst, j.x, j.g = nil, nil, nil
	return out, nil
}

// softmaxJob runs softmaxFwd or softmaxBwd over parts of the rows.
type softmaxJob[T num.Float] struct {
	bwd, log  bool
	dst, x, g []T
	c, inner  int
}

func (j *softmaxJob[T]) Range(_, lo, hi int) {
	if j.bwd {
		softmaxBwd(j.dst, j.x, j.g, j.c, j.inner, j.log, lo, hi)
		return
	}
	softmaxFwd(j.dst, j.x, j.c, j.inner, j.log, lo, hi)
}

func (j *softmaxJob[T]) run() {
	if j.c > 0 {
		par.For(len(j.x)/j.c, minRows(j.c), j)
	}
}

// The kernels below see a tensor as (outer, c, inner): c is the class (or
// softmax) axis, element (n, k, j) lives at n*c*inner + k*inner + j, and a
// "position" i = n*inner + j is one row along the class axis. Sums are
// accumulated in float64 for both element types.

// posBase returns the index of element (position i, class 0).
func posBase(i, c, inner int) int {
	if inner == 1 {
		return i * c
	}
	return i/inner*c*inner + i%inner
}

// rowMax returns the max of x[base + k*inner] over k < c (NaN if one is
// NaN); contiguous float32 rows use the vector kernel.
func rowMax[T num.Float](x []T, base, c, inner int) float64 {
	if inner == 1 {
		r := x[base : base+c]
		if num.Is32[T]() {
			return float64(maxF32(f32(r)))
		}
		m0, m1 := T(math.Inf(-1)), T(math.Inf(-1))
		k := 0
		for ; k+2 <= len(r); k += 2 {
			m0 = max(m0, r[k])
			m1 = max(m1, r[k+1])
		}
		if k < len(r) {
			m0 = max(m0, r[k])
		}
		return float64(max(m0, m1))
	}
	m := T(math.Inf(-1))
	for k := 0; k < c; k++ {
		m = max(m, x[base+k*inner])
	}
	return float64(m)
}

// f32 views a []T of float32 elements as []float32.
func f32[T num.Float](s []T) []float32 {
	return unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(s))), len(s))
}

// expRow writes e[k] = exp(x[k] - m) along one row and returns their sum.
func expRow[T num.Float](e, x []T, base, c, inner int, m float64) float64 {
	if inner == 1 {
		if num.Is32[T]() {
			return expSumF32(f32(e[base:base+c]), f32(x[base:base+c]), float32(m))
		}
		var s float64
		xr, er := x[base:base+c], e[base:base+c]
		for k, v := range xr {
			ev := expAcc(float64(v) - m)
			er[k] = T(ev)
			s += ev
		}
		return s
	}
	var s float64
	for k := 0; k < c; k++ {
		p := base + k*inner
		ev := expT[T](float64(x[p]) - m)
		e[p] = T(ev)
		s += ev
	}
	return s
}

// softmaxFwd writes softmax(x) (or log_softmax(x) if log) along the middle
// axis of an (outer, c, inner) layout into dst, for positions [lo, hi) of
// the outer*inner rows.
func softmaxFwd[T num.Float](dst, x []T, c, inner int, log bool, lo, hi int) {
	for i := lo; i < hi; i++ {
		base := posBase(i, c, inner)
		m := rowMax(x, base, c, inner)
		s := expRow(dst, x, base, c, inner, m)
		if log {
			lse := m + math.Log(s)
			if inner == 1 && num.Is32[T]() {
				axpbF32(f32(dst[base:base+c]), f32(x[base:base+c]), 1, float32(-lse))
				continue
			}
			for k := 0; k < c; k++ {
				p := base + k*inner
				dst[p] = T(float64(x[p]) - lse)
			}
			continue
		}
		inv := 1 / s
		if inner == 1 && num.Is32[T]() {
			r := f32(dst[base : base+c])
			axpbF32(r, r, float32(inv), 0)
			continue
		}
		for k := 0; k < c; k++ {
			p := base + k*inner
			dst[p] = T(float64(dst[p]) * inv)
		}
	}
}

// softmaxBwd writes the input gradient dx given the output y and the
// output gradient g: softmax: dx = y (g - <g, y>); log_softmax:
// dx = g - exp(y) Σg. Positions [lo, hi) as softmaxFwd.
func softmaxBwd[T num.Float](dx, y, g []T, c, inner int, log bool, lo, hi int) {
	vec := inner == 1 && num.Is32[T]()
	for i := lo; i < hi; i++ {
		base := posBase(i, c, inner)
		var s float64
		if vec {
			dr, yr, gr := f32(dx[base:base+c]), f32(y[base:base+c]), f32(g[base:base+c])
			if log {
				for _, v := range gr {
					s += float64(v)
				}
				expSumF32(dr, yr, 0) // exp(y) into dx
				axpyF32(dr, dr, gr, float32(-s))
				continue
			}
			for k, v := range gr {
				s += float64(v) * float64(yr[k])
			}
			mulShiftF32(dr, yr, gr, float32(-s))
			continue
		}
		if log {
			for k := 0; k < c; k++ {
				s += float64(g[base+k*inner])
			}
			for k := 0; k < c; k++ {
				p := base + k*inner
				dx[p] = T(float64(g[p]) - expT[T](float64(y[p]))*s)
			}
			continue
		}
		for k := 0; k < c; k++ {
			p := base + k*inner
			s += float64(g[p]) * float64(y[p])
		}
		for k := 0; k < c; k++ {
			p := base + k*inner
			dx[p] = T(float64(y[p]) * (float64(g[p]) - s))
		}
	}
}

var (
	_ G.Op   = (*softmaxOp[float64])(nil)
	_ G.SDOp = (*softmaxOp[float64])(nil)
	_ G.ADOp = (*softmaxOp[float32])(nil)
	_ G.Op   = (*softmaxGradOp[float64])(nil)
)
