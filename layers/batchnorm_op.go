package layers

import (
	"math"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	"github.com/stheno-ml/stheno/internal/num"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// bnOp is batch normalisation over inputs viewed as (N, C, S): inputs x and, if affine, gamma (C)
// and beta (C). With batchStats (training, or no running statistics) it normalises with the batch
// statistics (biased variance), else with the running ones; with update it also updates the
// running statistics in place (unbiased variance, like PyTorch).
// Statistics are accumulated in float64 for both dtypes.
type bnOp struct {
	opBase
	dims       int
	n, c, s    int
	eps, mom   float64
	cumulative bool // momentum 1/num_batches_tracked (PyTorch's momentum=None)
	affine     bool
	batchStats bool
	update     bool
	runMean    *tensor.Dense
	runVar     *tensor.Dense
	numBatches *tensor.Dense
	mean, istd []float64 // per channel, from the last forward pass
	out        buffer
}

func (o *bnOp) Arity() int {
	if o.affine {
		return 3
	}
	return 1
}

func (o *bnOp) Type() hm.Type {
	if o.affine {
		return fnType(o.dims, 1, 1, o.dims)
	}
	return fnType(o.dims, o.dims)
}
func (o *bnOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	return in[0].(tensor.Shape).Clone(), nil
}

func (o *bnOp) Do(vs ...gorgonia.Value) (gorgonia.Value, error) {
	return dispatch(o, o.name, o.Arity(), vs, bnDo[float32], bnDo[float64])
}

func bnDo[T num.Float](o *bnOp, in inputs) (gorgonia.Value, error) {
	x := in[0]
	if x.DataSize() != o.n*o.c*o.s {
		return nil, errors.Errorf("layers: batchnorm: input has shape %v, built for %d×%d×%d", x.Shape(), o.n, o.c, o.s)
	}
	if o.batchStats && o.n*o.s < 2 {
		return nil, errors.Errorf("layers: batchnorm: expected more than 1 value per channel when training, got input shape %v", x.Shape())
	}
	if o.mean == nil {
		o.mean, o.istd = make([]float64, o.c), make([]float64, o.c)
	}
	y := o.out.get(x.Dtype(), x.Shape())
	var gamma, beta, rm, rv, nbt []T
	if o.affine {
		gamma, beta = vals[T](in[1]), vals[T](in[2])
	}
	if o.runMean != nil {
		rm, rv, nbt = vals[T](o.runMean), vals[T](o.runVar), vals[T](o.numBatches)
	}
	bnForward(o, vals[T](y), vals[T](x), gamma, beta, rm, rv, nbt)
	return y, nil
}

func bnForward[T num.Float](o *bnOp, y, x, gamma, beta, rm, rv, nbt []T) {
	n, c, s := o.n, o.c, o.s
	m := float64(n * s)
	mom := o.mom
	if o.update {
		nbt[0]++
		if o.cumulative {
			mom = 1 / float64(nbt[0])
		}
	}
	for ch := 0; ch < c; ch++ {
		if o.batchStats {
			var sum float64
			for i := 0; i < n; i++ {
				for _, v := range x[(i*c+ch)*s : (i*c+ch+1)*s] {
					sum += float64(v)
				}
			}
			mean := sum / m
			var ss float64
			for i := 0; i < n; i++ {
				for _, v := range x[(i*c+ch)*s : (i*c+ch+1)*s] {
					d := float64(v) - mean
					ss += d * d
				}
			}
			variance := ss / m
			o.mean[ch], o.istd[ch] = mean, 1/math.Sqrt(variance+o.eps)
			if o.update {
				rm[ch] = T((1-mom)*float64(rm[ch]) + mom*mean)
				rv[ch] = T((1-mom)*float64(rv[ch]) + mom*ss/(m-1))
			}
		} else {
			o.mean[ch], o.istd[ch] = float64(rm[ch]), 1/math.Sqrt(float64(rv[ch])+o.eps)
		}
		scale, shift := o.istd[ch], -o.mean[ch]*o.istd[ch]
		if gamma != nil {
			scale = o.istd[ch] * float64(gamma[ch])
			shift = float64(beta[ch]) - o.mean[ch]*scale
		}
		for i := 0; i < n; i++ {
			off := (i*c + ch) * s
			xs, ys := x[off:off+s], y[off:off+s]
			for j, v := range xs {
				ys[j] = T(float64(v)*scale + shift)
			}
		}
	}
}

func (o *bnOp) DiffWRT(int) []bool { return []bool{true, true, true} }

func (o *bnOp) SymDiff(inputs gorgonia.Nodes, output, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	x := inputs[0]
	if !o.affine {
		return grads("batchnorm", gradOf(&bnGradOp{opBase: newBase("batchnormGradX"), fwd: o, wrt: 0}, x, grad))
	}
	gamma := inputs[1]
	return grads("batchnorm",
		gradOf(&bnGradOp{opBase: newBase("batchnormGradX"), fwd: o, wrt: 0}, x, gamma, grad),
		gradOf(&bnGradOp{opBase: newBase("batchnormGradW"), fwd: o, wrt: 1}, x, grad),
		gradOf(&bnGradOp{opBase: newBase("batchnormGradB"), fwd: o, wrt: 2}, grad))
}

// bnGradOp computes one gradient of its bnOp, using the statistics of the forward pass of the same
// run: wrt 0: gx from (x, gamma, gy), or (x, gy) without affine parameters; wrt 1: ggamma = Σ gy·x̂
// from (x, gy); wrt 2: gbeta = Σ gy.
type bnGradOp struct {
	opBase
	fwd *bnOp
	wrt int
	out buffer
}

func (o *bnGradOp) Arity() int {
	if o.wrt == 0 && !o.fwd.affine {
		return 2
	}
	return [...]int{3, 2, 1}[o.wrt]
}

func (o *bnGradOp) Type() hm.Type {
	d := o.fwd.dims
	switch o.wrt {
	case 0:
		if !o.fwd.affine {
			return fnType(d, d, d)
		}
		return fnType(d, 1, d, d)
	case 1:
		return fnType(d, d, 1)
	default:
		return fnType(d, 1)
	}
}

func (o *bnGradOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	if o.wrt == 0 {
		return in[0].(tensor.Shape).Clone(), nil
	}
	return tensor.Shape{o.fwd.c}, nil
}

func (o *bnGradOp) Do(vs ...gorgonia.Value) (gorgonia.Value, error) {
	return dispatch(o, o.name, o.Arity(), vs, bnGradDo[float32], bnGradDo[float64])
}

func bnGradDo[T num.Float](o *bnGradOp, in inputs) (gorgonia.Value, error) {
	f := o.fwd
	if f.mean == nil {
		return nil, errors.New("layers: batchnorm gradient run before its forward pass")
	}
	gy := in[o.Arity()-1]
	if gy.DataSize() != f.n*f.c*f.s {
		return nil, errors.Errorf("layers: batchnorm gradient: output gradient has shape %v", gy.Shape())
	}
	shape := tensor.Shape{f.c}
	if o.wrt == 0 {
		shape = gy.Shape()
	}
	res := o.out.get(gy.Dtype(), shape)
	var x, gamma []T
	if o.wrt < 2 {
		x = vals[T](in[0])
	}
	if o.wrt == 0 && f.affine {
		gamma = vals[T](in[1])
	}
	bnBackward(o, vals[T](res), x, gamma, vals[T](gy))
	return res, nil
}

func bnBackward[T num.Float](o *bnGradOp, r, x, gamma, gy []T) {
	f := o.fwd
	n, c, s := f.n, f.c, f.s
	m := float64(n * s)
	for ch := 0; ch < c; ch++ {
		mean, istd := f.mean[ch], f.istd[ch]
		var sg, sgx float64
		for i := 0; i < n; i++ {
			off := (i*c + ch) * s
			for j, g := range gy[off : off+s] {
				sg += float64(g)
				if x != nil {
					sgx += float64(g) * (float64(x[off+j]) - mean) * istd
				}
			}
		}
		switch o.wrt {
		case 1:
			r[ch] = T(sgx)
		case 2:
			r[ch] = T(sg)
		default:
			k := istd
			if gamma != nil {
				k *= float64(gamma[ch])
			}
			for i := 0; i < n; i++ {
				off := (i*c + ch) * s
				xs, gs, rs := x[off:off+s], gy[off:off+s], r[off:off+s]
				if f.batchStats {
					for j, g := range gs {
						xh := (float64(xs[j]) - mean) * istd
						rs[j] = T(k * (float64(g) - sg/m - xh*sgx/m))
					}
				} else {
					for j, g := range gs {
						rs[j] = T(k * float64(g))
					}
				}
			}
		}
	}
}
