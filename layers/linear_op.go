package layers

import (
	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// linearOp computes y = x·Wᵀ (+ b) for x (N, In), W (Out, In), b (Out) with one GEMM.
type linearOp struct {
	opBase
	bias bool
	out  buffer
	wT   []float32 // the weight transposed, for the float32 kernel
}

func (o *linearOp) Arity() int {
	if o.bias {
		return 3
	}
	return 2
}

func (o *linearOp) Type() hm.Type {
	if o.bias {
		return fnType(2, 2, 1, 2)
	}
	return fnType(2, 2, 2)
}

func (o *linearOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	x, w := in[0].(tensor.Shape), in[1].(tensor.Shape)
	return tensor.Shape{x[0], w[0]}, nil
}

func (o *linearOp) Do(vs ...gorgonia.Value) (gorgonia.Value, error) {
	in, err := denses(o.name, o.Arity(), vs)
	if err != nil {
		return nil, err
	}
	x, w := in[0], in[1]
	if x.Dims() != 2 || w.Dims() != 2 || x.Shape()[1] != w.Shape()[1] {
		return nil, errors.Errorf("layers: linear: input shape %v does not fit weight shape %v", x.Shape(), w.Shape())
	}
	n, k, m := x.Shape()[0], x.Shape()[1], w.Shape()[0]
	y := o.out.get(x.Dtype(), tensor.Shape{n, m})
	switch x.Dtype() {
	case tensor.Float64:
		xs := x.Float64s()
		var bs []float64
		if o.bias {
			bs = in[2].Float64s()
		}
		linearForward(y.Float64s(), xs, w.Float64s(), bs, n, k, m)
	case tensor.Float32:
		xs := x.Float32s()
		var bs []float32
		if o.bias {
			bs = in[2].Float32s()
		}
		if kernelFor[float32]() {
			o.wT = scratch(&o.wT, k*m)
			linearForwardKernel(y.Float32s(), xs, w.Float32s(), bs, o.wT, n, k, m)
		} else {
			linearForward(y.Float32s(), xs, w.Float32s(), bs, n, k, m)
		}
	}
	return y, nil
}

func linearForward[T float](y, x, w, b []T, n, k, m int) {
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
func linearForwardKernel(y, x, w, b, wT []float32, n, k, m int) {
	for j := 0; j < m; j++ {
		for l, v := range w[j*k : (j+1)*k] {
			wT[l*m+j] = v
		}
	}
	for i := 0; i < n; i++ {
		if b != nil {
			copy(y[i*m:(i+1)*m], b)
		} else {
			clear(y[i*m : (i+1)*m])
		}
	}
	if !bigRows(n, m*k) {
		mulAdd(n, m, k, x, k, 1, wT, y)
		return
	}
	parRows(n, func(lo, hi int) { mulAdd(hi-lo, m, k, x[lo*k:], k, 1, wT, y[lo*m:]) })
}

// bigRows reports whether a product of rows × perRow multiply-adds is worth splitting over cores.
func bigRows(rows, perRow int) bool { return rows*perRow >= 1<<17 && rows >= 8 }

// parRows runs f over [0, rows) split over the cores in ranges of whole 4-row blocks.
func parRows(rows int, f func(lo, hi int)) {
	blocks := (rows + 3) / 4
	parallel(blocks, func(_, lo, hi int) { f(lo*4, min(hi*4, rows)) })
}

func (o *linearOp) DiffWRT(n int) []bool {
	r := make([]bool, n)
	for i := range r {
		r[i] = true
	}
	return r
}

func (o *linearOp) SymDiff(inputs gorgonia.Nodes, output, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	x, w := inputs[0], inputs[1]
	gx, err := gorgonia.ApplyOp(&linearGradOp{opBase: newBase("linearGradX"), wrt: 0}, w, grad)
	if err != nil {
		return nil, errors.Wrap(err, "layers: linear gradient")
	}
	gw, err := gorgonia.ApplyOp(&linearGradOp{opBase: newBase("linearGradW"), wrt: 1}, x, grad)
	if err != nil {
		return nil, errors.Wrap(err, "layers: linear gradient")
	}
	if !o.bias {
		return gorgonia.Nodes{gx, gw}, nil
	}
	gb, err := gorgonia.ApplyOp(&linearGradOp{opBase: newBase("linearGradB"), wrt: 2}, grad)
	if err != nil {
		return nil, errors.Wrap(err, "layers: linear gradient")
	}
	return gorgonia.Nodes{gx, gw, gb}, nil
}

// linearGradOp computes one gradient of linearOp from gy (N, Out):
// wrt 0: gx = gy·W (inputs W, gy); wrt 1: gW = gyᵀ·x (inputs x, gy); wrt 2: gb = column sums of gy.
type linearGradOp struct {
	opBase
	wrt int
	out buffer
}

func (o *linearGradOp) Arity() int {
	if o.wrt == 2 {
		return 1
	}
	return 2
}

func (o *linearGradOp) Type() hm.Type {
	switch o.wrt {
	case 2:
		return fnType(2, 1)
	default:
		return fnType(2, 2, 2)
	}
}

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
	in, err := denses(o.name, o.Arity(), vs)
	if err != nil {
		return nil, err
	}
	gy := in[o.Arity()-1]
	n, m := gy.Shape()[0], gy.Shape()[1]
	var res *tensor.Dense
	switch o.wrt {
	case 0:
		k := in[0].Shape()[1]
		res = o.out.get(gy.Dtype(), tensor.Shape{n, k})
		if o.unused {
			break
		}
		switch res.Dtype() {
		case tensor.Float64:
			r := res.Float64s()
			gemm(false, false, n, k, m, 1, gy.Float64s(), m, in[0].Float64s(), k, 0, r, k)
		case tensor.Float32:
			r := res.Float32s()
			if kernelFor[float32]() { // gx (n, k) = gy (n, m) · W (m, k)
				gys, w := gy.Float32s(), in[0].Float32s()
				clear(r)
				if bigRows(n, k*m) {
					parRows(n, func(lo, hi int) { mulAdd(hi-lo, k, m, gys[lo*m:], m, 1, w, r[lo*k:]) })
				} else {
					mulAdd(n, k, m, gys, m, 1, w, r)
				}
			} else {
				gemm(false, false, n, k, m, 1, gy.Float32s(), m, in[0].Float32s(), k, 0, r, k)
			}
		}
	case 1:
		k := in[0].Shape()[1]
		res = o.out.get(gy.Dtype(), tensor.Shape{m, k})
		switch res.Dtype() {
		case tensor.Float64:
			r := res.Float64s()
			gemm(true, false, m, k, n, 1, gy.Float64s(), m, in[0].Float64s(), k, 0, r, k)
		case tensor.Float32:
			r := res.Float32s()
			if kernelFor[float32]() { // gW (m, k) = gyᵀ (m, n) · x (n, k)
				gys, x := gy.Float32s(), in[0].Float32s()
				clear(r)
				if bigRows(m, k*n) {
					parRows(m, func(lo, hi int) { mulAdd(hi-lo, k, n, gys[lo:], 1, m, x, r[lo*k:]) })
				} else {
					mulAdd(m, k, n, gys, 1, m, x, r)
				}
			} else {
				gemm(true, false, m, k, n, 1, gy.Float32s(), m, in[0].Float32s(), k, 0, r, k)
			}
		}
	default:
		res = o.out.get(gy.Dtype(), tensor.Shape{m})
		switch res.Dtype() {
		case tensor.Float64:
			r := res.Float64s()
			colSums(r, gy.Float64s(), n, m)
		case tensor.Float32:
			r := res.Float32s()
			colSums(r, gy.Float32s(), n, m)
		}
	}
	return res, nil
}

// colSums sets dst[j] = Σ_i a[i, j] for a (n, m).
func colSums[T float](dst, a []T, n, m int) {
	clear(dst)
	for i := 0; i < n; i++ {
		row := a[i*m : (i+1)*m]
		for j, v := range row {
			dst[j] += v
		}
	}
}
