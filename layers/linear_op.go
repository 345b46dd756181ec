package layers

import (
	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	"github.com/stheno-ml/stheno/internal/num"
	"github.com/stheno-ml/stheno/internal/par"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// linearOp computes y = x·Wᵀ (+ b) for x (N, In), W (Out, In), b (Out) with one GEMM.
type linearOp struct {
	affineOp // st: *linearState[T]
}

// linearState is a linear op's scratch for one element type.
type linearState[T num.Float] struct {
	wT   []T // the weight transposed, for the float32 kernel
	rows rowsJob[T]
}

func (o *linearOp) Type() hm.Type { return o.typeFor(2) }

func (o *linearOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	x, w := in[0].(tensor.Shape), in[1].(tensor.Shape)
	return tensor.Shape{x[0], w[0]}, nil
}

func (o *linearOp) Do(vs ...gorgonia.Value) (gorgonia.Value, error) {
	return dispatch(o, o.name, o.Arity(), vs, linearDo[float32], linearDo[float64])
}

func linearDo[T num.Float](o *linearOp, in inputs) (gorgonia.Value, error) {
	x, w := in[0], in[1]
	if x.Dims() != 2 || w.Dims() != 2 || x.Shape()[1] != w.Shape()[1] {
		return nil, errors.Errorf("layers: linear: input shape %v does not fit weight shape %v", x.Shape(), w.Shape())
	}
	n, k, m := x.Shape()[0], x.Shape()[1], w.Shape()[0]
	y := o.out.get(x.Dtype(), tensor.Shape{n, m})
	var b []T
	if o.bias {
		b = vals[T](in[2])
	}
	if !kernelFor[T]() {
		linearForward(vals[T](y), vals[T](x), vals[T](w), b, n, k, m)
		return y, nil
	}
	st := jobOf[linearState[T]](&o.st)
	st.wT = num.Grow(st.wT, k*m)
	linearForwardKernel(&st.rows, vals[T](y), vals[T](x), vals[T](w), b, st.wT, n, k, m)
	return y, nil
}

func linearForward[T num.Float](y, x, w, b []T, n, k, m int) {
	var beta T
	if b != nil {
		for i := 0; i < n; i++ {
			copy(y[i*m:(i+1)*m], b)
		}
		beta = 1
	}
	gemm(false, true, n, m, k, 1, x, k, w, k, beta, y, m)
}

// linearForwardKernel is linearForward through mulAdd's float32 kernel; wT is scratch for Wᵀ.
func linearForwardKernel[T num.Float](j *rowsJob[T], y, x, w, b, wT []T, n, k, m int) {
	for c := 0; c < m; c++ {
		for l, v := range w[c*k : (c+1)*k] {
			wT[l*m+c] = v
		}
	}
	for i := 0; i < n; i++ {
		if b != nil {
			copy(y[i*m:(i+1)*m], b)
		} else {
			clear(y[i*m : (i+1)*m])
		}
	}
	mulAddRows(j, n, m, k, x, k, 1, wT, y)
}

// rowsJob is mulAdd over a range of 4-row blocks of c, for par.For.
type rowsJob[T num.Float] struct {
	m, n, k, sa, sl int
	a, b, c         []T
}

func (j *rowsJob[T]) Range(_, lo, hi int) {
	r0, r1 := lo*4, min(hi*4, j.m)
	mulAdd(r1-r0, j.n, j.k, j.a[r0*j.sa:], j.sa, j.sl, j.b, j.c[r0*j.n:])
}

// mulAddRows is mulAdd(m, n, k, a, sa, sl, b, c) with the rows of c split over the cores in
// whole 4-row blocks when the product is large (m·n·k ≥ 2¹⁷ and m ≥ 8).
func mulAddRows[T num.Float](j *rowsJob[T], m, n, k int, a []T, sa, sl int, b, c []T) {
	if m*n*k < 1<<17 || m < 8 {
		mulAdd(m, n, k, a, sa, sl, b, c)
		return
	}
	*j = rowsJob[T]{m: m, n: n, k: k, sa: sa, sl: sl, a: a, b: b, c: c}
	par.For((m+3)/4, 1, j)
}

func (o *linearOp) SymDiff(inputs gorgonia.Nodes, output, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	apps := []gradApp{
		gradOf(&linearGradOp{wrtOp: newWrtOp("linearGradX", 0)}, inputs[1], grad),
		gradOf(&linearGradOp{wrtOp: newWrtOp("linearGradW", 1)}, inputs[0], grad),
	}
	if o.bias {
		apps = append(apps, gradOf(&linearGradOp{wrtOp: newWrtOp("linearGradB", 2)}, grad))
	}
	return grads("linear", apps...)
}

// linearGradOp computes one gradient of linearOp from gy (N, Out):
// wrt 0: gx = gy·W (inputs W, gy); wrt 1: gW = gyᵀ·x (inputs x, gy); wrt 2: gb = column sums of gy.
type linearGradOp struct {
	wrtOp
	job any // *rowsJob[T]
}

func (o *linearGradOp) Type() hm.Type { return o.typeFor(2) }

func (o *linearGradOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	switch o.wrt {
	case 0: // (W, gy) -> (N, In)
		w, gy := in[0].(tensor.Shape), in[1].(tensor.Shape)
		return tensor.Shape{gy[0], w[1]}, nil
	case 1: // (x, gy) -> (Out, In)
		x, gy := in[0].(tensor.Shape), in[1].(tensor.Shape)
		return tensor.Shape{gy[1], x[1]}, nil
	default:
		gy := in[0].(tensor.Shape)
		return tensor.Shape{gy[1]}, nil
	}
}

func (o *linearGradOp) Do(vs ...gorgonia.Value) (gorgonia.Value, error) {
	return dispatch(o, o.name, o.Arity(), vs, linearGradDo[float32], linearGradDo[float64])
}

func linearGradDo[T num.Float](o *linearGradOp, in inputs) (gorgonia.Value, error) {
	gy := in[o.Arity()-1]
	n, m := gy.Shape()[0], gy.Shape()[1]
	gys := vals[T](gy)
	switch o.wrt {
	case 0: // gx (n, k) = gy (n, m) · W (m, k)
		k := in[0].Shape()[1]
		res := o.out.get(gy.Dtype(), tensor.Shape{n, k})
		r, w := vals[T](res), vals[T](in[0])
		if !kernelFor[T]() {
			gemm(false, false, n, k, m, 1, gys, m, w, k, 0, r, k)
			return res, nil
		}
		clear(r)
		mulAddRows(jobOf[rowsJob[T]](&o.job), n, k, m, gys, m, 1, w, r)
		return res, nil
	case 1: // gW (m, k) = gyᵀ (m, n) · x (n, k)
		k := in[0].Shape()[1]
		res := o.out.get(gy.Dtype(), tensor.Shape{m, k})
		r, x := vals[T](res), vals[T](in[0])
		if !kernelFor[T]() {
			gemm(true, false, m, k, n, 1, gys, m, x, k, 0, r, k)
			return res, nil
		}
		clear(r)
		mulAddRows(jobOf[rowsJob[T]](&o.job), m, k, n, gys, 1, m, x, r)
		return res, nil
	default:
		res := o.out.get(gy.Dtype(), tensor.Shape{m})
		colSums(vals[T](res), gys, n, m)
		return res, nil
	}
}

// colSums sets dst[j] = Σ_i a[i, j] for a (n, m).
func colSums[T num.Float](dst, a []T, n, m int) {
	clear(dst)
	for i := 0; i < n; i++ {
		row := a[i*m : (i+1)*m]
		for j, v := range row {
			dst[j] += v
		}
	}
}
