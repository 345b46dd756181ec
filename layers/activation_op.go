package layers

import (
	"math"

	"github.com/chewxy/hm"

	"github.com/pkg/errors"
	"github.com/stheno-ml/stheno/internal/num"
	"github.com/stheno-ml/stheno/internal/par"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// actKind selects the element-wise function of an actOp.
type actKind int

const (
	actReLU actKind = iota
	actLeakyReLU
	actTanh
	actSigmoid
	actGELU
	actGELUTanh
)

var actNames = [...]string{"ReLU", "LeakyReLU", "Tanh", "Sigmoid", "GELU", "GELUTanh"}

// actOp applies an element-wise activation y = f(x). Its gradient op computes gx = gy·f'(x) from
// x, y and gy. The output lives in an op-owned buffer.
type actOp struct {
	opBase
	kind  actKind
	slope float64
	dims  int
	out   buffer
	job   any // *actJob[T]
}

func newActOp(kind actKind, slope float64, dims int) *actOp {
	return &actOp{opBase: newBase("act" + actNames[kind]), kind: kind, slope: slope, dims: dims}
}

func (o *actOp) Arity() int { return 1 }

func (o *actOp) Type() hm.Type { return fnType(o.dims, o.dims) }

func (o *actOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	return in[0].(tensor.Shape).Clone(), nil
}

func (o *actOp) Do(vs ...gorgonia.Value) (gorgonia.Value, error) {
	return dispatch(o, o.name, 1, vs, actDo[float32], actDo[float64])
}

func actDo[T num.Float](o *actOp, in inputs) (gorgonia.Value, error) {
	x := in[0]
	y := o.out.get(x.Dtype(), x.Shape())
	j := jobOf[actJob[T]](&o.job)
	*j = actJob[T]{kind: o.kind, slope: o.slope, y: vals[T](y), x: vals[T](x)}
	par.For(len(j.y), minParallel, j)
	return y, nil
}

func (o *actOp) DiffWRT(int) []bool { return []bool{true} }

func (o *actOp) SymDiff(inputs gorgonia.Nodes, output, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	return grads("activation", gradOf(&actGradOp{opBase: newBase("act" + actNames[o.kind] + "Grad"), fwd: o}, inputs[0], output, grad))
}

// actGradOp computes gx = gy·f'(x) for its forward actOp; inputs are x, y, gy.
type actGradOp struct {
	opBase
	fwd *actOp
	out buffer
	job any // *actJob[T]
}

func (o *actGradOp) Arity() int { return 3 }

func (o *actGradOp) Type() hm.Type { d := o.fwd.dims; return fnType(d, d, d, d) }

func (o *actGradOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	return in[0].(tensor.Shape).Clone(), nil
}

func (o *actGradOp) Do(vs ...gorgonia.Value) (gorgonia.Value, error) {
	return dispatch(o, o.name, 3, vs, actGradDo[float32], actGradDo[float64])
}

func actGradDo[T num.Float](o *actGradOp, in inputs) (gorgonia.Value, error) {
	gx := o.out.get(in[0].Dtype(), in[0].Shape())
	j := jobOf[actJob[T]](&o.job)
	*j = actJob[T]{kind: o.fwd.kind, slope: o.fwd.slope, back: true,
		gx: vals[T](gx), x: vals[T](in[0]), y: vals[T](in[1]), gy: vals[T](in[2])}
	par.For(len(j.gx), minParallel, j)
	return gx, nil
}

// minParallel is the number of elements from which element-wise work is split over the cores.
const minParallel = 1 << 14

// actJob is an activation's forward (y = f(x)) or backward (gx = gy·f'(x)) pass over a range of
// elements, for par.For.
type actJob[T num.Float] struct {
	kind         actKind
	slope        float64
	back         bool
	y, x, gx, gy []T
}

func (j *actJob[T]) Range(_, lo, hi int) {
	if j.back {
		actBackward(j.kind, j.slope, j.gx[lo:hi], j.x[lo:hi], j.y[lo:hi], j.gy[lo:hi])
	} else {
		actForward(j.kind, j.slope, j.y[lo:hi], j.x[lo:hi])
	}
}

const (
	invSqrt2    = 0.70710678118654752440
	invSqrt2Pi  = 0.39894228040143267794
	sqrt2OverPi = 0.79788456080286535588 // √(2/π), PyTorch's kBeta
	geluKappa   = 0.044715
)

// actForward computes y = f(x) element-wise.
func actForward[T num.Float](kind actKind, slope float64, y, x []T) {
	x = x[:len(y)]
	switch kind {
	case actReLU:
		switch yy := any(y).(type) {
		case []float32:
			reluF32(yy, any(x).([]float32))
			return
		case []float64:
			reluF64(yy, any(x).([]float64))
			return
		}
		for i, v := range x {
			if v > 0 {
				y[i] = v
			} else {
				y[i] = 0
			}
		}
	case actLeakyReLU:
		s := T(slope)
		for i, v := range x {
			if v > 0 {
				y[i] = v
			} else {
				y[i] = v * s
			}
		}
	case actTanh:
		for i, v := range x {
			y[i] = T(math.Tanh(float64(v)))
		}
	case actSigmoid:
		for i, v := range x {
			y[i] = T(sigmoid(float64(v)))
		}
	case actGELU:
		for i, v := range x {
			f := float64(v)
			y[i] = T(f * 0.5 * (1 + math.Erf(f*invSqrt2)))
		}
	case actGELUTanh:
		for i, v := range x {
			f := float64(v)
			y[i] = T(0.5 * f * (1 + math.Tanh(sqrt2OverPi*(f+geluKappa*f*f*f))))
		}
	}
}

func sigmoid(v float64) float64 {
	if v >= 0 {
		return 1 / (1 + math.Exp(-v))
	}
	e := math.Exp(v)
	return e / (1 + e)
}

// actBackward computes gx = gy·f'(x) element-wise (y = f(x) is given for Tanh and Sigmoid).
func actBackward[T num.Float](kind actKind, slope float64, gx, x, y, gy []T) {
	x, y, gy = x[:len(gx)], y[:len(gx)], gy[:len(gx)]
	switch kind {
	case actReLU:
		switch g := any(gx).(type) {
		case []float32:
			reluGradF32(g, any(y).([]float32), any(gy).([]float32))
			return
		case []float64:
			reluGradF64(g, any(y).([]float64), any(gy).([]float64))
			return
		}
		for i, v := range x {
			if v > 0 {
				gx[i] = gy[i]
			} else {
				gx[i] = 0
			}
		}
	case actLeakyReLU:
		s := T(slope)
		for i, v := range x {
			if v > 0 {
				gx[i] = gy[i]
			} else {
				gx[i] = gy[i] * s
			}
		}
	case actTanh:
		for i, v := range y {
			gx[i] = gy[i] * (1 - v*v)
		}
	case actSigmoid:
		for i, v := range y {
			gx[i] = gy[i] * v * (1 - v)
		}
	case actGELU:
		for i, v := range x {
			f := float64(v)
			cdf := 0.5 * (1 + math.Erf(f*invSqrt2))
			pdf := invSqrt2Pi * math.Exp(-0.5*f*f)
			gx[i] = T(float64(gy[i]) * (cdf + f*pdf))
		}
	case actGELUTanh: // PyTorch's GeluBackward with approximate='tanh'
		for i, v := range x {
			f := float64(v)
			t := math.Tanh(sqrt2OverPi * (f + geluKappa*f*f*f))
			left, right := 0.5*f, 1+t
			d := 0.5*right + left*(1-t*t)*sqrt2OverPi*(1+3*geluKappa*f*f)
			gx[i] = T(float64(gy[i]) * d)
		}
	}
}

// applyAct builds an activation node on x.
func applyAct(layer string, b scoped, dt tensor.Dtype, x *gorgonia.Node, kind actKind, slope float64) (*gorgonia.Node, error) {
	if err := checkInput(layer, b, x, dt); err != nil {
		return nil, err
	}
	y, err := gorgonia.ApplyOp(newActOp(kind, slope, x.Dims()), x)
	if err != nil {
		return nil, errors.Wrapf(err, "layers: %s", where(layer, b))
	}
	return y, nil
}

// Branch-free ReLU kernels (the sign of activations is unpredictable, so branches mispredict):
// y = x with negative values (and −0) replaced by +0; gx = gy where y ≠ 0, else 0.

func reluF32(y, x []float32) {
	x = x[:len(y)]
	k := relu32(y, x)
	y, x = y[k:], x[k:]
	for i, v := range x {
		b := math.Float32bits(v)
		y[i] = math.Float32frombits(b &^ uint32(int32(b)>>31))
	}
}

func reluF64(y, x []float64) {
	x = x[:len(y)]
	for i, v := range x {
		b := math.Float64bits(v)
		y[i] = math.Float64frombits(b &^ uint64(int64(b)>>63))
	}
}

func reluGradF32(gx, y, gy []float32) {
	y, gy = y[:len(gx)], gy[:len(gx)]
	k := reluGrad32(gx, y, gy)
	gx, y, gy = gx[k:], y[k:], gy[k:]
	for i, v := range y {
		b := math.Float32bits(v)
		mask := uint32(int32(b|-b) >> 31) // all ones iff b != 0
		gx[i] = math.Float32frombits(math.Float32bits(gy[i]) & mask)
	}
}

func reluGradF64(gx, y, gy []float64) {
	y, gy = y[:len(gx)], gy[:len(gx)]
	for i, v := range y {
		b := math.Float64bits(v)
		mask := uint64(int64(b|-b) >> 63)
		gx[i] = math.Float64frombits(math.Float64bits(gy[i]) & mask)
	}
}
