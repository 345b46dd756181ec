package layers

import (
	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// poolOp is 2-D max or average pooling over NCHW inputs. Max pooling records the position of each
// window's maximum (the first one on ties, like PyTorch) for its backward pass; average pooling
// divides by Kernel² (PyTorch's count_include_pad=True).
type poolOp struct {
	opBase
	max bool
	g   convGeom // c is channels, o unused
	arg []int32  // per output element: flat index into its (H, W) plane of the input
	out buffer
}

func (o *poolOp) Arity() int    { return 1 }
func (o *poolOp) Type() hm.Type { return fnType(4, 4) }
func (o *poolOp) outShape() tensor.Shape {
	return tensor.Shape{o.g.n, o.g.c, o.g.oh, o.g.ow}
}
func (o *poolOp) InferShape(...gorgonia.DimSizer) (tensor.Shape, error) { return o.outShape(), nil }

func (o *poolOp) Do(vs ...gorgonia.Value) (gorgonia.Value, error) {
	in, err := denses(o.name, 1, vs)
	if err != nil {
		return nil, err
	}
	g := o.g
	if !in[0].Shape().Eq(tensor.Shape{g.n, g.c, g.h, g.w}) {
		return nil, errors.Errorf("layers: pool: input has shape %v, built for (%d, %d, %d, %d)", in[0].Shape(), g.n, g.c, g.h, g.w)
	}
	y := o.out.get(in[0].Dtype(), o.outShape())
	if o.max && len(o.arg) != y.DataSize() {
		o.arg = make([]int32, y.DataSize())
	}
	switch in[0].Dtype() {
	case tensor.Float64:
		x := in[0].Float64s()
		poolForward(o.max, g, y.Float64s(), x, o.arg)
	case tensor.Float32:
		x := in[0].Float32s()
		poolForward(o.max, g, y.Float32s(), x, o.arg)
	}
	return y, nil
}

// minParallel is the input size from which pooling splits its planes over goroutines.
const minParallel = 1 << 15

func poolForward[T float](isMax bool, g convGeom, y, x []T, arg []int32) {
	if g.n*g.c*g.h*g.w < minParallel {
		poolForwardPlanes(isMax, g, y, x, arg, 0, g.n*g.c)
		return
	}
	parallel(g.n*g.c, func(_, lo, hi int) { poolForwardPlanes(isMax, g, y, x, arg, lo, hi) })
}

// poolForwardPlanes pools the planes [lo, hi) of x (N·C planes of H×W) into y.
func poolForwardPlanes[T float](isMax bool, g convGeom, y, x []T, arg []int32, lo, hi int) {
	hw, p := g.h*g.w, g.oh*g.ow
	inv := 1 / T(g.k*g.k)
	if isMax && g.k == 2 && g.stride == 2 && g.pa == 0 {
		maxPool2x2Planes(g, y, x, arg, lo, hi)
		return
	}
	for pl := lo; pl < hi; pl++ {
		xp := x[pl*hw : (pl+1)*hw]
		yp := y[pl*p : (pl+1)*p]
		for oh := 0; oh < g.oh; oh++ {
			h0 := oh*g.stride - g.pa
			hs, he := max(h0, 0), min(h0+g.k, g.h)
			for ow := 0; ow < g.ow; ow++ {
				w0 := ow*g.stride - g.pa
				ws, we := max(w0, 0), min(w0+g.k, g.w)
				if !isMax {
					var s T
					for ih := hs; ih < he; ih++ {
						for _, v := range xp[ih*g.w+ws : ih*g.w+we] {
							s += v
						}
					}
					yp[oh*g.ow+ow] = s * inv
					continue
				}
				bi := hs*g.w + ws
				best := xp[bi]
			window:
				for ih := hs; ih < he; ih++ {
					row := xp[ih*g.w+ws : ih*g.w+we]
					for j, v := range row {
						if v > best || v != v { // NaN propagates, like PyTorch
							best, bi = v, ih*g.w+ws+j
							if v != v {
								break window
							}
						}
					}
				}
				yp[oh*g.ow+ow] = best
				arg[pl*p+oh*g.ow+ow] = int32(bi)
			}
		}
	}
}

// maxPool2x2Planes is poolForwardPlanes for the common 2×2, stride 2, no padding max pooling.
func maxPool2x2Planes[T float](g convGeom, y, x []T, arg []int32, lo, hi int) {
	hw, p := g.h*g.w, g.oh*g.ow
	for pl := lo; pl < hi; pl++ {
		xp := x[pl*hw : (pl+1)*hw]
		yp := y[pl*p : (pl+1)*p]
		ap := arg[pl*p : (pl+1)*p]
		for oh := 0; oh < g.oh; oh++ {
			r0 := xp[2*oh*g.w : (2*oh+1)*g.w]
			r1 := xp[(2*oh+1)*g.w : (2*oh+2)*g.w]
			yr := yp[oh*g.ow : (oh+1)*g.ow]
			ar := ap[oh*g.ow : (oh+1)*g.ow]
			base := int32(2 * oh * g.w)
			for ow := range yr {
				j := 2 * ow
				best, bi := r0[j], base+int32(j)
				if v := r0[j+1]; v > best || v != v && best == best {
					best, bi = v, base+int32(j+1)
				}
				if v := r1[j]; v > best || v != v && best == best {
					best, bi = v, base+int32(g.w+j)
				}
				if v := r1[j+1]; v > best || v != v && best == best {
					best, bi = v, base+int32(g.w+j+1)
				}
				yr[ow], ar[ow] = best, bi
			}
		}
	}
}

func (o *poolOp) DiffWRT(int) []bool { return []bool{true} }

func (o *poolOp) SymDiff(inputs gorgonia.Nodes, output, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	gx, err := gorgonia.ApplyOp(&poolGradOp{opBase: newBase(o.name + "Grad"), fwd: o}, grad)
	if err != nil {
		return nil, errors.Wrap(err, "layers: pool gradient")
	}
	return gorgonia.Nodes{gx}, nil
}

// poolGradOp computes the input gradient of its poolOp from gy; max pooling uses the positions of
// the maxima recorded by the forward pass of the same run.
type poolGradOp struct {
	opBase
	fwd *poolOp
	out buffer
}

func (o *poolGradOp) Arity() int    { return 1 }
func (o *poolGradOp) Type() hm.Type { return fnType(4, 4) }
func (o *poolGradOp) shape() tensor.Shape {
	g := o.fwd.g
	return tensor.Shape{g.n, g.c, g.h, g.w}
}
func (o *poolGradOp) InferShape(...gorgonia.DimSizer) (tensor.Shape, error) { return o.shape(), nil }

func (o *poolGradOp) Do(vs ...gorgonia.Value) (gorgonia.Value, error) {
	in, err := denses(o.name, 1, vs)
	if err != nil {
		return nil, err
	}
	if !in[0].Shape().Eq(o.fwd.outShape()) {
		return nil, errors.Errorf("layers: pool gradient: output gradient has shape %v, want %v", in[0].Shape(), o.fwd.outShape())
	}
	gx := o.out.get(in[0].Dtype(), o.shape())
	switch in[0].Dtype() {
	case tensor.Float64:
		gy := in[0].Float64s()
		poolBackward(o.fwd.max, o.fwd.g, gx.Float64s(), gy, o.fwd.arg)
	case tensor.Float32:
		gy := in[0].Float32s()
		poolBackward(o.fwd.max, o.fwd.g, gx.Float32s(), gy, o.fwd.arg)
	}
	return gx, nil
}

func poolBackward[T float](isMax bool, g convGeom, gx, gy []T, arg []int32) {
	hw := g.h * g.w
	inv := 1 / T(g.k*g.k)
	if g.n*g.c*hw < minParallel {
		clear(gx)
		poolBackwardPlanes(isMax, g, gx, gy, arg, 0, g.n*g.c, inv)
		return
	}
	parallel(g.n*g.c, func(_, lo, hi int) {
		clear(gx[lo*hw : hi*hw])
		poolBackwardPlanes(isMax, g, gx, gy, arg, lo, hi, inv)
	})
}

// poolBackwardPlanes adds the gradient of the planes [lo, hi) into gx (zeroed by the caller).

func poolBackwardPlanes[T float](isMax bool, g convGeom, gx, gy []T, arg []int32, lo, hi int, inv T) {
	hw, p := g.h*g.w, g.oh*g.ow
	for pl := lo; pl < hi; pl++ {
		gxp := gx[pl*hw : (pl+1)*hw]
		gyp := gy[pl*p : (pl+1)*p]
		if isMax {
			for j, v := range gyp {
				gxp[arg[pl*p+j]] += v
			}
			continue
		}
		for oh := 0; oh < g.oh; oh++ {
			h0 := oh*g.stride - g.pa
			hs, he := max(h0, 0), min(h0+g.k, g.h)
			for ow := 0; ow < g.ow; ow++ {
				w0 := ow*g.stride - g.pa
				ws, we := max(w0, 0), min(w0+g.k, g.w)
				v := gyp[oh*g.ow+ow] * inv
				for ih := hs; ih < he; ih++ {
					row := gxp[ih*g.w+ws : ih*g.w+we]
					for j := range row {
						row[j] += v
					}
				}
			}
		}
	}
}
