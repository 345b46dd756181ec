package layers

import (
	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	"github.com/stheno-ml/stheno/internal/num"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// linearOp computes y = x·Wᵀ (+ b) for x (N, In), W (Out, In), b (Out) with one GEMM, which packs
// W as it reads it (no Wᵀ is built).
type linearOp struct {
	affineOp
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
	linearForward(vals[T](y), vals[T](x), vals[T](w), b, n, k, m)
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
		if o.unused { // the gradient of the input data: nothing reads it
			return res, nil
		}
		gemm(false, false, n, k, m, 1, gys, m, vals[T](in[0]), k, 0, vals[T](res), k)
		return res, nil
	case 1: // gW (m, k) = gyᵀ (m, n) · x (n, k)
		k := in[0].Shape()[1]
		res := o.out.get(gy.Dtype(), tensor.Shape{m, k})
		gemm(true, false, m, k, n, 1, gys, m, vals[T](in[0]), k, 0, vals[T](res), k)
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
